-- The ten areas as consumers read them: names, the seed document's wording, the
-- headline KPI and the supporting marts that explain each area (';'-separated, in
-- the order the area page shows them). One row per area of seed area_catalogue.
with

catalogue as (

    select * from {{ ref('area_catalogue') }}

),

final as (

    select
        area_no,
        area_code,
        area_name_zh,
        area_name_en,
        seed_wording,
        headline_kpi,
        direction,
        scoring_rule,
        supporting_marts
    from catalogue

)

select * from final
