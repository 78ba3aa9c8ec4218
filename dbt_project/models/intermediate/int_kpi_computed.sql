-- Every KPI row as computed from this run's data: one row per month × KPI × grain ×
-- contractor × prefecture (long form, kpis.md § Export format), '' = all contractors /
-- prefectures. Values are rounded half-up to 6 decimals once, here, from the exact
-- numerator and denominator; an empty population has denominator 0 and value NULL.
-- fct_kpi publishes these rows, except for closed months (access.md), whose frozen
-- rows it keeps; mart_restatements compares the two.
with

catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

months as (

    select * from {{ ref('int_months') }}

),

measures as (

    select * from {{ ref('int_kpi_measures') }}

),

contractor_months as (

    select * from {{ ref('int_contractor_months_scored') }}

),

-- rates from the exact units, penalties, and the composite of int_contractor_months_scored,
-- each rounded once (macros/kpi_units.sql; quarters, years and provinces pooled use the same)
all_kpis as (

    {{ pooled_kpi_rows('measures', 'contractor_months', keys=['month'], fractions='contractor_months') }}

),

final as (

    select
        months.month_label as month,
        all_kpis.kpi_code,
        all_kpis.grain,
        all_kpis.contractor,
        all_kpis.prefecture,
        cast(all_kpis.numerator as decimal(38, 6)) as numerator,
        cast(all_kpis.denominator as decimal(38, 6)) as denominator,
        cast(all_kpis.value as decimal(38, 6)) as value,
        cast(catalogue.target as decimal(38, 6)) as target,
        catalogue.direction,
        case when all_kpis.value is not null then all_kpis.meets_target and all_kpis.meets_min_count end as met,
        catalogue.kpi_name_zh,
        catalogue.unit
    from all_kpis
    inner join months
        on all_kpis.month = months.month
    inner join catalogue
        on all_kpis.kpi_code = catalogue.kpi_code

)

select * from final
