-- The grain spine (kpis.md edge rule 1): the province, every contractor and every
-- (contractor, prefecture) pair that has circuits in EOMS or records attributed to
-- it, over all data. Contractors come from the data, never from a list. A record
-- with no contractor counts at the province grain only; one with a contractor but
-- no prefecture adds the contractor, not a pair. Device samples reach a contractor
-- only through their circuit in EOMS, which is already listed.
with

attributions as (

    select
        contractor,
        prefecture
    from {{ ref('stg_eoms__circuits') }}

    union

    select
        contractor,
        prefecture
    from {{ ref('stg_eoms__tickets') }}
    where not {{ is_cancelled_ticket('ticket_status') }}

    union

    select
        contractor,
        prefecture
    from {{ ref('stg_eoms__inspections') }}

    union

    select
        contractor,
        prefecture
    from {{ ref('stg_hr__rosters') }}

    union

    select
        contractor,
        prefecture
    from {{ ref('stg_contractor__ledger_lines') }}

    union

    select
        contractor,
        prefecture
    from {{ ref('stg_contractor__spare_stocks') }}

    union

    select
        contractor,
        prefecture
    from {{ ref('stg_contractor__instruments') }}

    union

    select
        contractor,
        prefecture
    from {{ ref('stg_eoms__acceptances') }}

),

province as (

    select
        'province' as grain,
        '' as contractor,
        '' as prefecture

),

contractors as (

    select distinct
        'contractor' as grain,
        contractor,
        '' as prefecture
    from attributions
    where contractor is not null

),

pairs as (

    select distinct
        'contractor_prefecture' as grain,
        contractor,
        prefecture
    from attributions
    where contractor is not null and prefecture is not null

),

final as (

    select * from province
    union all
    select * from contractors
    union all
    select * from pairs

)

select * from final
