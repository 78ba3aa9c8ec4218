-- The drill-down's ticket rows are exactly fault_timely_rate's population: per month ×
-- contractor (contractor grain of int_kpi_computed: the KPIs as computed, before a closed
-- month's frozen rows replace them) and per month (province grain), the number
-- of rows of mart_fault_tickets equals the KPI's denominator and the timely rows its
-- numerator. Returns every (month, contractor) where they differ ('' = province).
with

kpi as (

    select
        month,
        contractor,
        numerator,
        denominator
    from {{ ref('int_kpi_computed') }}
    where kpi_code = 'fault_timely_rate' and grain in ('province', 'contractor')

),

tickets as (

    select * from {{ ref('mart_fault_tickets') }}

),

drilled as (

    select
        month,
        '' as contractor,
        count(*) as tickets,
        sum(case when is_timely then 1 else 0 end) as timely_tickets
    from tickets
    group by month

    union all

    select
        month,
        contractor,
        count(*) as tickets,
        sum(case when is_timely then 1 else 0 end) as timely_tickets
    from tickets
    where contractor is not null
    group by month, contractor

),

compared as (

    select
        coalesce(kpi.month, drilled.month) as month,
        coalesce(kpi.contractor, drilled.contractor) as contractor,
        kpi.numerator,
        kpi.denominator,
        coalesce(drilled.timely_tickets, 0) as timely_tickets,
        coalesce(drilled.tickets, 0) as tickets
    from kpi
    full outer join drilled
        on
            kpi.month = drilled.month
            and kpi.contractor = drilled.contractor

)

select *
from compared
where
    numerator is null
    or numerator != timely_tickets
    or denominator != tickets
