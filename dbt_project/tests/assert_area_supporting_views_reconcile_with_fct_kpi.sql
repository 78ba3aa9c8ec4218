-- The supporting views explain the headline KPIs without re-computing them, so their
-- counts must add up to fct_kpi's numerators and denominators (contractor grain and
-- province, '' = all). Returns one row per check, month and contractor that does not:
--   activation_lead_times  buckets: Σ tickets = activation_timely_rate denominator,
--                          Σ timely_tickets = its numerator
--   channel_mix            Σ tickets = ack_timely_rate denominator, Σ ack_timely = numerator
--   spare_waits            fault_tickets = fault_timely_rate denominator, breaches =
--                          denominator − numerator
--   breaches               rows of mart_breaches = fault_timely_rate denominator − numerator
--   ledger_findings        circuits with a missing / duplicate / mismatch finding (not
--                          extra) = ledger_consistency_rate denominator − numerator
--   technician_penalties   Σ net_yuan = penalty_yuan
with

kpi as (

    select
        month,
        kpi_code,
        contractor,
        numerator,
        denominator
    from {{ ref('int_kpi_computed') }}
    where grain in ('province', 'contractor')

),

activation as (

    select
        month,
        contractor,
        sum(tickets) as view_denominator,
        sum(timely_tickets) as view_numerator
    from {{ ref('mart_activation_lead_times') }}
    group by month, contractor

),

channels as (

    select
        month,
        contractor,
        sum(tickets) as view_denominator,
        sum(ack_timely_tickets) as view_numerator
    from {{ ref('mart_channel_mix') }}
    group by month, contractor

),

spares as (

    select
        month,
        contractor,
        fault_tickets as view_denominator,
        fault_tickets - breaches as view_numerator
    from {{ ref('mart_spare_waits') }}

),

breach_rows as (

    select
        month,
        contractor,
        count(*) as breaches
    from (
        select
            month,
            '' as contractor
        from {{ ref('mart_breaches') }}
        union all
        select
            month,
            contractor
        from {{ ref('mart_breaches') }}
        where contractor is not null
    ) as scoped
    group by month, contractor

),

ledger_circuits as (

    select distinct
        findings.month,
        findings.contractor,
        findings.circuit_id
    from {{ ref('mart_ledger_findings') }} as findings
    where
        findings.finding in ('missing', 'duplicate', 'mismatch')
        and not exists (
            select 1
            from {{ ref('mart_ledger_findings') }} as extra
            where
                extra.finding = 'extra'
                and extra.month = findings.month
                and extra.contractor = findings.contractor
                and extra.circuit_id = findings.circuit_id
        )

),

ledger as (

    select
        month,
        contractor,
        count(*) as inconsistent_circuits
    from (
        select
            month,
            '' as contractor
        from ledger_circuits
        union all
        select
            month,
            contractor
        from ledger_circuits
        where contractor is not null
    ) as scoped
    group by month, contractor

),

penalties as (

    select
        month,
        contractor,
        sum(net_yuan) as net_yuan
    from {{ ref('mart_technician_penalties') }}
    group by month, contractor

),

checks as (

    select
        'activation_lead_times' as check_name,
        kpi.month,
        kpi.contractor,
        kpi.numerator,
        kpi.denominator,
        activation.view_numerator,
        activation.view_denominator
    from kpi
    left join activation
        on kpi.month = activation.month and kpi.contractor = activation.contractor
    where kpi.kpi_code = 'activation_timely_rate'

    union all

    select
        'channel_mix' as check_name,
        kpi.month,
        kpi.contractor,
        kpi.numerator,
        kpi.denominator,
        coalesce(channels.view_numerator, 0) as view_numerator,
        coalesce(channels.view_denominator, 0) as view_denominator
    from kpi
    left join channels
        on kpi.month = channels.month and kpi.contractor = channels.contractor
    where kpi.kpi_code = 'ack_timely_rate'

    union all

    select
        'spare_waits' as check_name,
        kpi.month,
        kpi.contractor,
        kpi.numerator,
        kpi.denominator,
        spares.view_numerator,
        spares.view_denominator
    from kpi
    left join spares
        on kpi.month = spares.month and kpi.contractor = spares.contractor
    where kpi.kpi_code = 'fault_timely_rate'

    union all

    select
        'breaches' as check_name,
        kpi.month,
        kpi.contractor,
        kpi.denominator - kpi.numerator as numerator,
        0 as denominator,
        coalesce(breach_rows.breaches, 0) as view_numerator,
        0 as view_denominator
    from kpi
    left join breach_rows
        on kpi.month = breach_rows.month and kpi.contractor = breach_rows.contractor
    where kpi.kpi_code = 'fault_timely_rate'

    union all

    select
        'ledger_findings' as check_name,
        kpi.month,
        kpi.contractor,
        kpi.denominator - kpi.numerator as numerator,
        0 as denominator,
        coalesce(ledger.inconsistent_circuits, 0) as view_numerator,
        0 as view_denominator
    from kpi
    left join ledger
        on kpi.month = ledger.month and kpi.contractor = ledger.contractor
    where kpi.kpi_code = 'ledger_consistency_rate'

    union all

    select
        'technician_penalties' as check_name,
        kpi.month,
        kpi.contractor,
        kpi.numerator,
        0 as denominator,
        coalesce(penalties.net_yuan, 0) as view_numerator,
        0 as view_denominator
    from kpi
    left join penalties
        on kpi.month = penalties.month and kpi.contractor = penalties.contractor
    where kpi.kpi_code = 'penalty_yuan'

)

select *
from checks
where
    view_numerator is null
    or view_denominator is null
    or numerator != view_numerator
    or denominator != view_denominator
