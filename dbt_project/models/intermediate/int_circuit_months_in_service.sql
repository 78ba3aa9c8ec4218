-- One row per month × EOMS circuit in service at month end (kpis.md edge rule 8:
-- activated_on <= d and removed_on blank or > d, judged from the dates, not 状态).
-- The population of ledger_consistency_rate, of the staffing denominator and of the
-- instrument-coverage prefectures. Attribution is the circuit's own in EOMS.
with

circuits as (

    select * from {{ ref('stg_eoms__circuits') }}

),

months as (

    select * from {{ ref('int_months') }}

),

final as (

    select
        months.month,
        months.month_end_on,
        circuits.circuit_id,
        circuits.contractor,
        circuits.prefecture,
        circuits.county,
        circuits.area_type,
        circuits.site_type,
        circuits.activated_on,
        circuits.removed_on
    from months
    inner join circuits
        on
            months.month_end_on >= circuits.activated_on
            and (circuits.removed_on is null or months.month_end_on < circuits.removed_on)

)

select * from final
