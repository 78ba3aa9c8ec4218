-- The ten areas scored: one row per month × area × contractor, for every month of
-- fct_kpi, every area of seed area_catalogue and every contractor of fct_kpi's
-- contractor grain. The score (0–100) is the headline KPI's, computed from fct_kpi's
-- exact numerator and denominator, so it can never disagree with the KPI table:
--   rate             100 × n / d
--   inverse_rate     100 × (d − n) / d           (lower-is-better rates)
--   ratio_to_target  100 × (n / d) / target      (target from seed kpi_catalogue)
-- then capped at score_cap when one is set (staffing: min(100, value / 2.5 × 100)).
-- The fraction is evaluated in exact integers and kept to 18 decimals (truncated,
-- which rounds to 6 decimals exactly as the fraction does); NULL for an empty
-- population (d = 0) or a missing target.
{% set e18 = '1000000000000000000' %}
with

areas as (

    select * from {{ ref('area_catalogue') }}

),

catalogue as (

    select
        kpi_code,
        target
    from {{ ref('kpi_catalogue') }}

),

kpis as (

    select * from {{ ref('fct_kpi') }}

),

months as (

    select distinct month from kpis

),

contractors as (

    select distinct contractor
    from kpis
    where grain = 'contractor'

),

headline as (

    select
        month,
        kpi_code,
        contractor,
        numerator,
        denominator,
        value
    from kpis
    where grain = 'contractor'

),

spine as (

    select
        months.month,
        areas.area_no,
        contractors.contractor
    from months
    cross join areas
    cross join contractors

),

measured as (

    select
        spine.month,
        spine.contractor,
        areas.*,
        catalogue.target,
        headline.numerator,
        headline.denominator,
        headline.value,
        {{ micros('headline.numerator') }} as numerator_micros,
        {{ micros('headline.denominator') }} as denominator_micros,
        {{ micros('catalogue.target') }} as target_micros
    from spine
    inner join areas
        on spine.area_no = areas.area_no
    left join catalogue
        on areas.headline_kpi = catalogue.kpi_code
    left join headline
        on
            spine.month = headline.month
            and areas.headline_kpi = headline.kpi_code
            and spine.contractor = headline.contractor

),

fractions as (

    -- the score as the exact fraction score_numerator / score_denominator
    select
        *,
        case scoring_rule
            when 'rate' then 100 * numerator_micros
            when 'inverse_rate' then 100 * (denominator_micros - numerator_micros)
            when 'ratio_to_target' then 100 * numerator_micros * 1000000
        end as score_numerator,
        case scoring_rule
            when 'ratio_to_target' then denominator_micros * target_micros
            else denominator_micros
        end as score_denominator
    from measured

),

scaled as (

    -- × 10^18, truncated; the cap applied on the same scale
    select
        *,
        case
            when coalesce(score_denominator, 0) > 0
                then {{ int_div('score_numerator * ' ~ e18, 'score_denominator') }}
        end as uncapped_score_e18,
        {{ micros('score_cap') }} * 1000000000000 as cap_score_e18
    from fractions

),

capped as (

    select
        *,
        case
            when uncapped_score_e18 > cap_score_e18 then cap_score_e18
            else uncapped_score_e18
        end as score_e18
    from scaled

),

final as (

    select
        month,
        cast(area_no as integer) as area_no,
        area_code,
        area_name_zh,
        area_name_en,
        headline_kpi,
        direction,
        scoring_rule,
        contractor,
        cast(numerator as decimal(38, 6)) as numerator,
        cast(coalesce(denominator, 0) as decimal(38, 6)) as denominator,
        cast(value as decimal(38, 6)) as value,
        cast(target as decimal(38, 6)) as target,
        cast(
            cast(score_e18 as decimal(38, 0)) * cast(0.000000000000000001 as decimal(19, 18))
            as decimal(38, 18)
        ) as score,
        score_e18 is not null as is_scored
    from capped

)

select * from final
order by month, area_no, contractor
