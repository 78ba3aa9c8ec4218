-- Every KPI unit with a contractor is attributed to a contractor (and pair) of the
-- grain spine, so no number is lost between int_kpi_units and fct_kpi.
with

units as (

    select distinct
        contractor,
        prefecture
    from {{ ref('int_kpi_units') }}
    where contractor is not null

),

grains as (

    select * from {{ ref('int_kpi_grains') }}

)

select units.*
from units
where
    not exists (
        select 1 from grains
        where grains.grain = 'contractor' and grains.contractor = units.contractor
    )
    or (
        units.prefecture is not null
        and not exists (
            select 1 from grains
            where
                grains.grain = 'contractor_prefecture'
                and grains.contractor = units.contractor
                and grains.prefecture = units.prefecture
        )
    )
