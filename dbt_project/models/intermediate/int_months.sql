-- The month spine (kpis.md edge rule 2): every month to which at least one ticket
-- (by 派单时间; cancelled tickets count nowhere), inspection, device sample, roster,
-- ledger, stock report or acceptance is attributed.
with

ticket_months as (

    select distinct {{ month_of('dispatched_at') }} as month
    from {{ ref('stg_eoms__tickets') }}
    where not {{ is_cancelled_ticket('ticket_status') }}

),

inspection_months as (

    select distinct {{ month_of('inspected_at') }} as month
    from {{ ref('stg_eoms__inspections') }}

),

device_sample_months as (

    select distinct month
    from {{ ref('int_device_months_aggregated') }}

),

roster_months as (

    select distinct roster_month as month
    from {{ ref('stg_hr__rosters') }}

),

ledger_months as (

    select distinct ledger_month as month
    from {{ ref('stg_contractor__ledger_lines') }}

),

stock_months as (

    select distinct stock_month as month
    from {{ ref('stg_contractor__spare_stocks') }}

),

acceptance_months as (

    select distinct {{ month_of('accepted_on') }} as month
    from {{ ref('stg_eoms__acceptances') }}

),

all_months as (

    select month from ticket_months
    union
    select month from inspection_months
    union
    select month from device_sample_months
    union
    select month from roster_months
    union
    select month from ledger_months
    union
    select month from stock_months
    union
    select month from acceptance_months

),

final as (

    select
        month,
        {{ format_month('month') }} as month_label,
        month as month_start_on,
        {{ month_end('month') }} as month_end_on
    from all_months
    where month is not null

)

select * from final
