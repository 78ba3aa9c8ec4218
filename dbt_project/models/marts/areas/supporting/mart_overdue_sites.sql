-- Area 4 (巡检模式): one row per month × circuit of inspection_completion_rate's
-- population that had no inspection inside its window (the circuits counted against
-- the contractor). The last inspection is the latest of the site on or before the
-- window's end in all the data (so before the window's start); the visit was due one
-- cycle after it (no inspection known: at the window's start, a lower bound), and
-- days_overdue counts from that due date to the window's end (the month's last day).
with

overdue as (

    select * from {{ ref('int_circuit_months_inspected') }}
    where not has_inspection

),

inspections as (

    select
        site_id,
        inspected_at,
        inspected_on
    from {{ ref('int_inspections_evidenced') }}

),

last_visits as (

    select
        overdue.month,
        overdue.circuit_id,
        max(inspections.inspected_at) as last_inspected_at
    from overdue
    inner join inspections
        on
            overdue.circuit_id = inspections.site_id
            and overdue.window_end_on >= inspections.inspected_on
    group by overdue.month, overdue.circuit_id

),

dated as (

    select
        overdue.*,
        last_visits.last_inspected_at as last_inspected_at_ever,
        {{ to_date('last_visits.last_inspected_at') }} as last_inspected_on,
        coalesce(
            {{ add_months(to_date('last_visits.last_inspected_at'), 'overdue.cycle_months') }},
            overdue.window_start_on
        ) as due_on
    from overdue
    left join last_visits
        on
            overdue.month = last_visits.month
            and overdue.circuit_id = last_visits.circuit_id

),

final as (

    select
        {{ format_month('month') }} as month,
        contractor,
        prefecture,
        county,
        circuit_id,
        site_type,
        cast(cycle_months as integer) as cycle_months,
        window_start_on,
        window_end_on,
        last_inspected_at_ever as last_inspected_at,
        last_inspected_on,
        due_on,
        cast(
            {{ dbt.datediff('due_on', 'window_end_on', 'day') }}
            as integer
        ) as days_overdue,
        last_inspected_at_ever is not null as has_known_inspection
    from dated

)

select * from final
order by month asc, contractor asc, days_overdue desc, circuit_id asc
