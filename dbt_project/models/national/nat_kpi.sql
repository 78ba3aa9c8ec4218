{{ config(enabled=var('daiwei_national', false)) }}
-- The national KPI table (scale.md item 4): every province's published KPI rows with a
-- `province` column, then the rows pooled across provinces (province = ''): grain
-- 'contractor' compares a contractor that works in several provinces on the sums of its
-- exact numerator and denominator units, and grain 'national' pools every contractor of
-- every province. A pooled value is computed from the summed units by the same macros
-- as a province's (int_kpi_computed), so it is rounded half-up once, from exact sums;
-- penalties are summed, and the composite score is recomputed from the pooled
-- components (composite_fractions, as a quarter's or a year's in fct_kpi_periods).
-- Built on Spark by `daiwei national` only (var daiwei_national).
with

catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

province_kpi as (

    select * from {{ source('national', 'province_kpi') }}

),

-- exact units summed over the provinces: a contractor's, and every province's (national)
pooled as (

    select
        month,
        kpi_code,
        case when grain = 'province' then 'national' else 'contractor' end as grain,
        contractor,
        '' as prefecture,
        sum(numerator_units) as numerator_units,
        sum(denominator_units) as denominator_units
    from {{ source('national', 'province_kpi_measures') }}
    where grain in ('province', 'contractor')
    group by month, kpi_code, grain, contractor

),

contractor_months as (

    select
        month,
        contractor,
        sum(penalty_yuan) as penalty_yuan
    from {{ source('national', 'province_contractor_months') }}
    group by month, contractor

),

-- rates, penalties and the composite from the pooled units, rounded once (macros/kpi_units.sql)
all_kpis as (

    {{ pooled_kpi_rows('pooled', 'contractor_months', keys=['month']) }}

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
        {{ format_month('all_kpis.month') }} as month,
        all_kpis.kpi_code,
        all_kpis.grain,
        all_kpis.contractor,
        '' as prefecture,
        cast(all_kpis.numerator as decimal(38, 6)) as numerator,
        cast(all_kpis.denominator as decimal(38, 6)) as denominator,
        cast(all_kpis.value as decimal(38, 6)) as value,
        cast(catalogue.target as decimal(38, 6)) as target,
        catalogue.direction,
        case when all_kpis.value is not null then all_kpis.meets_target and all_kpis.meets_min_count end as met,
        catalogue.kpi_name_zh,
        catalogue.unit
    from all_kpis
    inner join catalogue
        on all_kpis.kpi_code = catalogue.kpi_code

)

select * from final
