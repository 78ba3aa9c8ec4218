-- Each area's headline KPI exists in kpi_catalogue with the same direction; a
-- lower-is-better KPI is scored inverse_rate and only such a KPI is; ratio_to_target
-- needs a positive target. Returns each area that breaks one of these.
select
    areas.area_no,
    areas.headline_kpi,
    areas.direction,
    areas.scoring_rule,
    catalogue.direction as kpi_direction,
    catalogue.target as kpi_target
from {{ ref('area_catalogue') }} as areas
left join {{ ref('kpi_catalogue') }} as catalogue
    on areas.headline_kpi = catalogue.kpi_code
where
    catalogue.kpi_code is null
    or areas.direction != catalogue.direction
    or (areas.scoring_rule = 'inverse_rate') != (areas.direction = 'lower')
    or (areas.scoring_rule = 'ratio_to_target' and coalesce(catalogue.target, 0) <= 0)
