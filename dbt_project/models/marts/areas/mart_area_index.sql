-- The inconsistency index (不统一度): one row per month × area, the spread max − min of
-- the contractors' scores in mart_area_scores, over the contractors with a non-empty
-- population (a NULL score is left out). NULL when nobody is scored; 0 when one
-- contractor is. Full precision (18 decimals, exact for the difference of two scores).
-- best / worst_contractor name the contractors at the max / min score (ties joined
-- with ', ' in sorted order).
with

areas as (

    select * from {{ ref('area_catalogue') }}

),

months as (

    select distinct month from {{ ref('fct_kpi') }}

),

scores as (

    select * from {{ ref('mart_area_scores') }}
    where score is not null

),

spreads as (

    select
        month,
        area_no,
        count(*) as contractors_scored,
        max(score) as max_score,
        min(score) as min_score
    from scores
    group by month, area_no

),

extremes as (

    select
        spreads.month,
        spreads.area_no,
        {{ string_agg_sorted('case when scores.score = spreads.max_score then scores.contractor end', ', ') }}
            as best_contractor,
        {{ string_agg_sorted('case when scores.score = spreads.min_score then scores.contractor end', ', ') }}
            as worst_contractor
    from spreads
    inner join scores
        on
            spreads.month = scores.month
            and spreads.area_no = scores.area_no
    group by spreads.month, spreads.area_no

),

final as (

    select
        months.month,
        cast(areas.area_no as integer) as area_no,
        areas.area_code,
        areas.area_name_zh,
        areas.area_name_en,
        areas.headline_kpi,
        areas.direction,
        cast(coalesce(spreads.contractors_scored, 0) as integer) as contractors_scored,
        cast(spreads.max_score as decimal(38, 18)) as max_score,
        cast(spreads.min_score as decimal(38, 18)) as min_score,
        cast(spreads.max_score - spreads.min_score as decimal(38, 18)) as inconsistency_index,
        extremes.best_contractor,
        extremes.worst_contractor
    from months
    cross join areas
    left join spreads
        on
            months.month = spreads.month
            and areas.area_no = spreads.area_no
    left join extremes
        on
            months.month = extremes.month
            and areas.area_no = extremes.area_no

)

select * from final
order by month, area_no
