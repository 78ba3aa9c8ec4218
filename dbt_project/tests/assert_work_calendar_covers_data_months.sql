{{ config(fail_calc='count(message)') }}
-- Fails when a month of the data is not (fully) covered by seed work_calendar.
-- Fix: upgrade the chinesecalendar package and run
--     uv run python dbt_project/scripts/make_work_calendar.py
-- (the package publishes each year's official holidays only once the State Council
-- announces them). On DuckDB the test stops with that message (naming the month).
with

months as (

    select * from {{ ref('int_months') }}

),

calendar as (

    select calendar_on from {{ ref('work_calendar') }}

),

coverage as (

    select
        months.month_label,
        months.month_start_on,
        months.month_end_on,
        count(calendar.calendar_on) as covered_days,
        extract(day from months.month_end_on) as days_in_month
    from months
    left join calendar
        on calendar.calendar_on between months.month_start_on and months.month_end_on
    group by months.month_label, months.month_start_on, months.month_end_on

)

select
    month_label,
    covered_days,
    days_in_month,
    {{ raise_message(
        "'work_calendar does not cover ' || month_label"
        ~ " || ' (' || cast(covered_days as " ~ string_type() ~ ") || ' of ' || cast(days_in_month as " ~ string_type() ~ ") || ' days):"
        ~ " upgrade chinesecalendar and regenerate seeds/rules/work_calendar.csv"
        ~ " with dbt_project/scripts/make_work_calendar.py'"
    ) }} as message
from coverage
where covered_days < days_in_month
