-- mart_kpi_funnel compares every rate of fct_kpi and nothing else: each row of a KPI
-- with unit 'ratio' at the contractor or contractor_prefecture grain appears once, with
-- the same numerator, denominator and value, next to its month's provincial rate.
-- Returns each missing, unexpected or differing row.
with

expected as (

    select
        kpi.month,
        kpi.kpi_code,
        kpi.contractor,
        kpi.prefecture,
        kpi.numerator,
        kpi.denominator,
        kpi.value,
        province.value as province_rate
    from {{ ref('fct_kpi') }} as kpi
    inner join {{ ref('kpi_catalogue') }} as catalogue
        on kpi.kpi_code = catalogue.kpi_code
    inner join {{ ref('fct_kpi') }} as province
        on
            kpi.month = province.month
            and kpi.kpi_code = province.kpi_code
            and province.grain = 'province'
    where catalogue.unit = 'ratio' and kpi.grain in ('contractor', 'contractor_prefecture')

),

actual as (

    select
        month,
        kpi_code,
        contractor,
        prefecture,
        numerator,
        denominator,
        value,
        province_rate
    from {{ ref('mart_kpi_funnel') }}

),

missing as (

    select * from expected
    except
    select * from actual

),

unexpected as (

    select * from actual
    except
    select * from expected

)

select
    'missing' as problem,
    *
from missing
union all
select
    'unexpected' as problem,
    *
from unexpected
