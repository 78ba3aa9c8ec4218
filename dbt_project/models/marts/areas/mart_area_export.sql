-- Exactly the rows of `daiwei export --table areas` (cli.md): one row per month × area
-- × contractor with the headline KPI's population and the contractor's score, and one
-- row per month × area with contractor '' whose denominator is the number of
-- contractors scored and whose score is the inconsistency index. Scores are rounded
-- half-up to 6 decimals here, once, from the exact scores; the index row is the max
-- minus the min of the rounded scores of the same month and area, so the exported
-- file is exactly self-consistent (it differs from the exact index rounded by at most
-- 0.000001). NULL score = empty population / nobody scored.
with

scores as (

    select * from {{ ref('mart_area_scores') }}

),

indexes as (

    select * from {{ ref('mart_area_index') }}

),

contractor_rows as (

    select
        month,
        area_no,
        headline_kpi,
        contractor,
        denominator,
        {{ from_micros('floor(score * 1000000 + 0.5)') }} as score
    from scores

),

index_rows as (

    select
        month,
        area_no,
        headline_kpi,
        '' as contractor,
        cast(contractors_scored as decimal(38, 6)) as denominator,
        {{ from_micros('floor(max_score * 1000000 + 0.5)') }}
        - {{ from_micros('floor(min_score * 1000000 + 0.5)') }} as score
    from indexes

),

all_rows as (

    select * from contractor_rows
    union all
    select * from index_rows

),

final as (

    select
        month,
        cast(area_no as integer) as area_no,
        headline_kpi,
        contractor,
        cast(denominator as decimal(38, 6)) as denominator,
        cast(score as decimal(38, 6)) as score
    from all_rows

)

select * from final
order by month, area_no, contractor
