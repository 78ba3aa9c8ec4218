-- Every level of mart_fault_pareto partitions the same tickets: per month, contractor
-- ('' = province) and level, the tickets add up to fault_timely_rate's denominator in
-- fct_kpi and the breaches to denominator − numerator. Returns each level that does not.
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

levels as (

    select distinct level_no from {{ ref('mart_fault_pareto') }}

),

totals as (

    select
        month,
        contractor,
        level_no,
        sum(tickets) as tickets,
        sum(breaches) as breaches
    from {{ ref('mart_fault_pareto') }}
    group by month, contractor, level_no

),

expected as (

    select
        kpi.*,
        levels.level_no
    from kpi
    cross join levels

),

compared as (

    select
        coalesce(expected.month, totals.month) as month,
        coalesce(expected.contractor, totals.contractor) as contractor,
        coalesce(expected.level_no, totals.level_no) as level_no,
        expected.numerator,
        expected.denominator,
        coalesce(totals.tickets, 0) as tickets,
        coalesce(totals.breaches, 0) as breaches
    from expected
    full outer join totals
        on
            expected.month = totals.month
            and expected.contractor = totals.contractor
            and expected.level_no = totals.level_no

)

select *
from compared
where
    denominator is null
    or denominator != tickets
    or denominator - numerator != breaches
