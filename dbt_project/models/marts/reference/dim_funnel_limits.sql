-- The control limits mart_kpi_funnel was drawn with (seed comparison_settings): the
-- minimum population and the z of the inner and outer limits. The comparison page
-- labels its bands from here, so the picture and the flags cannot disagree.
with

settings as (

    select * from {{ ref('comparison_settings') }}

),

final as (

    select
        min_population,
        inner_coverage,
        inner_z,
        outer_coverage,
        outer_z
    from settings

)

select * from final
