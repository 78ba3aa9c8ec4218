-- Exact numerator and denominator of every KPI that exists at all three grains, for
-- every month × KPI × grain of the spines (kpis.md edge rule 1): an empty population
-- is a row with denominator 0. Sums are of DECIMAL units, so they are exact and do
-- not depend on how the aggregate was parallelised. numerator_units_before is the
-- numerator before accepted appeals (equal to numerator_units where none applies).
with

units as (

    select * from {{ ref('int_kpi_units') }}

),

months as (

    select month from {{ ref('int_months') }}

),

kpis as (

    select kpi_code
    from {{ ref('kpi_catalogue') }}
    where grain_scope = 'all'

),

grains as (

    select * from {{ ref('int_kpi_grains') }}

),

by_province as (

    select
        month,
        kpi_code,
        'province' as grain,
        '' as contractor,
        '' as prefecture,
        sum(numerator_units) as numerator_units,
        sum(numerator_units_before) as numerator_units_before,
        sum(denominator_units) as denominator_units
    from units
    group by month, kpi_code

),

by_contractor as (

    select
        month,
        kpi_code,
        'contractor' as grain,
        contractor,
        '' as prefecture,
        sum(numerator_units) as numerator_units,
        sum(numerator_units_before) as numerator_units_before,
        sum(denominator_units) as denominator_units
    from units
    where contractor is not null
    group by month, kpi_code, contractor

),

by_pair as (

    select
        month,
        kpi_code,
        'contractor_prefecture' as grain,
        contractor,
        prefecture,
        sum(numerator_units) as numerator_units,
        sum(numerator_units_before) as numerator_units_before,
        sum(denominator_units) as denominator_units
    from units
    where contractor is not null and prefecture is not null
    group by month, kpi_code, contractor, prefecture

),

measured as (

    select * from by_province
    union all
    select * from by_contractor
    union all
    select * from by_pair

),

spine as (

    select
        months.month,
        kpis.kpi_code,
        grains.grain,
        grains.contractor,
        grains.prefecture
    from months
    cross join kpis
    cross join grains

),

final as (

    select
        spine.month,
        spine.kpi_code,
        spine.grain,
        spine.contractor,
        spine.prefecture,
        cast(coalesce(measured.numerator_units, 0) as decimal(38, 6)) as numerator_units,
        cast(coalesce(measured.numerator_units_before, 0) as decimal(38, 6)) as numerator_units_before,
        cast(coalesce(measured.denominator_units, 0) as decimal(38, 6)) as denominator_units
    from spine
    left join measured
        on
            spine.month = measured.month
            and spine.kpi_code = measured.kpi_code
            and spine.grain = measured.grain
            and spine.contractor = measured.contractor
            and spine.prefecture = measured.prefecture

)

select * from final
