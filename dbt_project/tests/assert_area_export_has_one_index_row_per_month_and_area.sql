-- mart_area_export holds exactly one index row (contractor '') per month of fct_kpi ×
-- area of seed area_catalogue, and one contractor row per month × area × contractor of
-- fct_kpi's contractor grain. Returns each missing, unexpected or repeated row.
with

months as (

    select distinct month from {{ ref('fct_kpi') }}

),

contractors as (

    select distinct contractor
    from {{ ref('fct_kpi') }}
    where grain = 'contractor'

    union all

    select '' as contractor

),

expected as (

    select
        months.month,
        areas.area_no,
        contractors.contractor
    from months
    cross join {{ ref('area_catalogue') }} as areas
    cross join contractors

),

actual as (

    select
        month,
        area_no,
        contractor,
        count(*) as occurrences
    from {{ ref('mart_area_export') }}
    group by month, area_no, contractor

),

compared as (

    select
        coalesce(expected.month, actual.month) as month,
        coalesce(expected.area_no, actual.area_no) as area_no,
        coalesce(expected.contractor, actual.contractor) as contractor,
        expected.month is not null as is_expected,
        coalesce(actual.occurrences, 0) as occurrences
    from expected
    full outer join actual
        on
            expected.month = actual.month
            and expected.area_no = actual.area_no
            and expected.contractor = actual.contractor

)

select *
from compared
where not is_expected or occurrences != 1
