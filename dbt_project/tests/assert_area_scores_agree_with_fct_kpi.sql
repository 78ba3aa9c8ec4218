-- The area table can never disagree with the KPI table: every contractor row of
-- mart_area_export carries the headline KPI's denominator of fct_kpi (contractor
-- grain), and its score is the KPI's value scored by the area's rule (to 0.0001
-- points: fct_kpi's value is rounded to 6 decimals, i.e. ±0.00005 points).
-- Returns each row that disagrees.
with

exported as (

    select * from {{ ref('mart_area_export') }}
    where contractor != ''

),

areas as (

    select * from {{ ref('area_catalogue') }}

),

kpi as (

    select * from {{ ref('fct_kpi') }}
    where grain = 'contractor'

),

compared as (

    select
        exported.month,
        exported.area_no,
        exported.contractor,
        areas.scoring_rule,
        exported.denominator,
        kpi.denominator as kpi_denominator,
        exported.score,
        kpi.value as kpi_value,
        kpi.target as kpi_target,
        case areas.scoring_rule
            when 'rate' then 100 * kpi.value
            when 'inverse_rate' then 100 * (1 - kpi.value)
            when 'ratio_to_target' then 100 * kpi.value / kpi.target
        end as expected_uncapped_score,
        areas.score_cap
    from exported
    inner join areas
        on exported.area_no = areas.area_no
    left join kpi
        on
            exported.month = kpi.month
            and exported.headline_kpi = kpi.kpi_code
            and exported.contractor = kpi.contractor

)

select *
from compared
where
    denominator != coalesce(kpi_denominator, 0)
    or (score is null) != (kpi_value is null)
    or abs(
        score
        - case
            when score_cap is not null and expected_uncapped_score > score_cap then score_cap
            else expected_uncapped_score
        end
    ) > 0.0001
