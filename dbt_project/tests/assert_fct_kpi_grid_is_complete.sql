-- Edge rule 1: every KPI except penalty_yuan and composite_score exists for every
-- month at every grain of the spine (province, each contractor, each pair), and those
-- two for every month and contractor. Returns each missing cell.
with

expected as (

    select
        months.month_label as month,
        catalogue.kpi_code,
        grains.grain,
        grains.contractor,
        grains.prefecture
    from {{ ref('int_months') }} as months
    cross join {{ ref('kpi_catalogue') }} as catalogue
    cross join {{ ref('int_kpi_grains') }} as grains
    where catalogue.grain_scope = 'all' or grains.grain = catalogue.grain_scope

),

actual as (

    select
        month,
        kpi_code,
        grain,
        contractor,
        prefecture
    from {{ ref('fct_kpi') }}

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
