-- The KPI catalogue as consumers read it (names, unit, direction, target, display
-- order): the app, the pack and the exports read this mart, never the seed.
with

catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

final as (

    select
        kpi_code,
        kpi_name_zh,
        kpi_name_en,
        unit,
        direction,
        target,
        sort_order
    from catalogue

)

select * from final
