-- The data-quality score per run × contractor × month (a view, so it always reflects
-- the latest results, which the data-quality step writes after this model is built):
--
--     score = 100 * passed / evaluated
--
-- evaluated counts the run's results for the contractor whose month is that month, plus
-- its results without a month (registers that hold for every month: EOMS 专线资源,
-- 仪器仪表); passed those with success. Each expectation counts once per batch,
-- unweighted. Results with no contractor (province-wide batches) are not scored.
-- is_latest_run marks, per contractor and month, the latest run that validated that
-- month (a run validates only the months it loaded), the one the dashboard shows.
{{ config(materialized='view') }}

with

results as (

    select * from {{ source('audit', 'dq_results') }}
    where contractor is not null

),

runs as (

    select
        run_id,
        max(evaluated_at) as evaluated_at
    from {{ source('audit', 'dq_results') }}
    group by run_id

),

contractor_months as (

    select distinct
        run_id,
        contractor,
        month
    from results
    where month is not null

),

latest as (

    select
        contractor_months.contractor,
        contractor_months.month,
        max_by(contractor_months.run_id, runs.evaluated_at) as run_id
    from contractor_months
    inner join runs on contractor_months.run_id = runs.run_id
    group by contractor_months.contractor, contractor_months.month

),

scored as (

    select
        contractor_months.run_id,
        contractor_months.contractor,
        contractor_months.month,
        count(*) as evaluated,
        count(case when results.success then 1 end) as passed
    from contractor_months
    inner join results
        on
            contractor_months.run_id = results.run_id
            and contractor_months.contractor = results.contractor
            and (contractor_months.month = results.month or results.month is null)
    group by contractor_months.run_id, contractor_months.contractor, contractor_months.month

),

final as (

    select
        scored.run_id,
        runs.evaluated_at,
        scored.contractor,
        scored.month,
        scored.evaluated,
        scored.passed,
        scored.evaluated - scored.passed as failed,
        round(cast(100.0 * scored.passed / scored.evaluated as double), 2) as score,
        coalesce(scored.run_id = latest.run_id, false) as is_latest_run
    from scored
    inner join runs on scored.run_id = runs.run_id
    left join latest
        on
            scored.contractor = latest.contractor
            and scored.month = latest.month

)

select * from final
