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

    select
        measures.*,
        {{ micros('measures.numerator_units') }} as numerator_micros,
        {{ micros('measures.denominator_units') }} as denominator_micros
    from {{ ref('int_kpi_measures') }} as measures

),

rates as (

    select
        measures.month,
        measures.kpi_code,
        measures.grain,
        measures.contractor,
        measures.prefecture,
        -- exported numerator / denominator in the KPI's unit (hours, circuits / 100)
        {{ kpi_numerator('measures.numerator_micros') }} as numerator,
        {{ kpi_denominator('measures.denominator_micros') }} as denominator,
        {{ kpi_value('measures.numerator_micros', 'measures.denominator_micros') }} as value,
        -- exact comparison with the target, and the minimum head count (macros/composite.sql)
        {{ kpi_meets_target('measures.numerator_micros', 'measures.denominator_micros') }} as meets_target,
        {{ kpi_meets_min_count('measures.numerator_units') }} as meets_min_count
    from measures
    inner join catalogue
        on measures.kpi_code = catalogue.kpi_code

),

contractor_months as (

    select * from {{ ref('int_contractor_months_scored') }}

),

penalties as (

    select
        month,
        'penalty_yuan' as kpi_code,
        'contractor' as grain,
        contractor,
        '' as prefecture,
        cast(penalty_yuan as decimal(38, 6)) as numerator,
        cast(1 as decimal(38, 6)) as denominator,
        cast(penalty_yuan as decimal(38, 6)) as value,
        cast(null as boolean) as meets_target,
        true as meets_min_count
    from contractor_months

),

composites as (

    select
        contractor_months.month,
        'composite_score' as kpi_code,
        'contractor' as grain,
        contractor_months.contractor,
        '' as prefecture,
        {{ ratio_half_up('contractor_months.composite_numerator', 'contractor_months.composite_denominator') }}
            as numerator,
        cast(case when coalesce(contractor_months.composite_denominator, 0) > 0 then 1 else 0 end as decimal(38, 6))
            as denominator,
        {{ ratio_half_up('contractor_months.composite_numerator', 'contractor_months.composite_denominator') }}
            as value,
        {{ composite_meets_target(
            'contractor_months.composite_numerator', 'contractor_months.composite_denominator'
        ) }} as meets_target,
        true as meets_min_count
    from contractor_months
    inner join catalogue
        on catalogue.kpi_code = 'composite_score'

),

all_kpis as (

    select * from rates
    union all
    select * from penalties
    union all
    select * from composites

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
