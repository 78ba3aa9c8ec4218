{{ config(enabled=var('daiwei_national', false)) }}
-- The national KPI table (scale.md item 4): every province's published KPI rows with a
-- `province` column, then the rows pooled across provinces (province = ''): grain
-- 'contractor' compares a contractor that works in several provinces on the sums of its
-- exact numerator and denominator units, and grain 'national' pools every contractor of
-- every province. A pooled value is computed from the summed units by the same macros
-- as a province's (int_kpi_computed), so it is rounded half-up once, from exact sums;
-- penalties are summed, the composite score is pooled on its exact numerator and
-- denominator. Built on Spark by `daiwei national` only (var daiwei_national).
with

catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

province_kpi as (

    select * from {{ source('national', 'province_kpi') }}

),

measures as (

    select
        month,
        kpi_code,
        case when grain = 'province' then 'national' else 'contractor' end as grain,
        contractor,
        sum(numerator_units) as numerator_units,
        {{ micros('sum(numerator_units)') }} as numerator_micros,
        {{ micros('sum(denominator_units)') }} as denominator_micros
    from {{ source('national', 'province_kpi_measures') }}
    where grain in ('province', 'contractor')
    group by month, kpi_code, grain, contractor

),

rates as (

    select
        measures.month,
        measures.kpi_code,
        measures.grain,
        measures.contractor,
        {{ kpi_numerator('measures.numerator_micros') }} as numerator,
        {{ kpi_denominator('measures.denominator_micros') }} as denominator,
        {{ kpi_value('measures.numerator_micros', 'measures.denominator_micros') }} as value,
        {{ kpi_meets_target('measures.numerator_micros', 'measures.denominator_micros') }} as meets_target,
        {{ kpi_meets_min_count('measures.numerator_units') }} as meets_min_count
    from measures
    inner join catalogue
        on measures.kpi_code = catalogue.kpi_code

),

contractor_months as (

    select
        month,
        contractor,
        sum(penalty_yuan) as penalty_yuan,
        sum(composite_numerator) as composite_numerator,
        sum(composite_denominator) as composite_denominator
    from {{ source('national', 'province_contractor_months') }}
    group by month, contractor

),

penalties as (

    select
        month,
        'penalty_yuan' as kpi_code,
        'contractor' as grain,
        contractor,
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

pooled as (

    select * from rates
    union all
    select * from penalties
    union all
    select * from composites

),

final as (

    select
        province_kpi.province,
        province_kpi.month,
        province_kpi.kpi_code,
        province_kpi.grain,
        province_kpi.contractor,
        province_kpi.prefecture,
        cast(province_kpi.numerator as decimal(38, 6)) as numerator,
        cast(province_kpi.denominator as decimal(38, 6)) as denominator,
        cast(province_kpi.value as decimal(38, 6)) as value,
        cast(province_kpi.target as decimal(38, 6)) as target,
        province_kpi.direction,
        province_kpi.met,
        province_kpi.kpi_name_zh,
        province_kpi.unit
    from province_kpi

    union all

    select
        '' as province,
        {{ format_month('pooled.month') }} as month,
        pooled.kpi_code,
        pooled.grain,
        pooled.contractor,
        '' as prefecture,
        cast(pooled.numerator as decimal(38, 6)) as numerator,
        cast(pooled.denominator as decimal(38, 6)) as denominator,
        cast(pooled.value as decimal(38, 6)) as value,
        cast(catalogue.target as decimal(38, 6)) as target,
        catalogue.direction,
        case when pooled.value is not null then pooled.meets_target and pooled.meets_min_count end as met,
        catalogue.kpi_name_zh,
        catalogue.unit
    from pooled
    inner join catalogue
        on pooled.kpi_code = catalogue.kpi_code

)

select * from final
