-- The bottom of the fault-cause drill-down: one row per ticket of the fault_timely_rate
-- population (故障 and 投诉, the types of seed ticket_time_limits; not cancelled), with
-- its place, cause, clocks, limit and outcome exactly as int_tickets_clocked judged
-- them. Blank causes, devices and places show as the blank_label of seed
-- area_value_sets ('(未填写)'), as in mart_fault_pareto, so every Pareto key finds its
-- tickets. contractor is NULL for a ticket with no 代维公司 (province total only).
-- Row-incremental (macros/incremental.sql): a run writes only the rows that changed.
{{ row_incremental_config('int_tickets_described', 'source_rows.is_fault_timed') }}
with

tickets as (

    select * from {{ ref('int_tickets_described') }}
    where is_fault_timed

),

labels as (

    select max(value) as blank_label
    from {{ ref('area_value_sets') }}
    where set_code = 'blank_label'

),

final as (

    select
        ---------- attribution
        {{ format_month('tickets.month') }} as month,
        tickets.contractor,
        coalesce(tickets.prefecture, labels.blank_label) as prefecture,
        coalesce(tickets.county, labels.blank_label) as county,

        ---------- cause
        coalesce(tickets.cause_category, labels.blank_label) as cause_category,
        coalesce(tickets.cause_detail, labels.blank_label) as cause_detail,
        coalesce(tickets.faulty_device, labels.blank_label) as faulty_device,

        ---------- ids
        tickets.ticket_id,
        tickets.circuit_id,
        tickets.technician_id,
        tickets.ticket_type,
        tickets.channel,
        tickets.area_type,

        ---------- clocks
        tickets.dispatched_at,
        tickets.acknowledged_at,
        tickets.arrived_at,
        tickets.completed_at,
        cast(tickets.suspended_minutes as bigint) as suspended_minutes,
        cast(tickets.effective_minutes as double) as effective_minutes,
        cast(tickets.time_limit_minutes as integer) as limit_minutes,

        ---------- outcome
        coalesce(tickets.is_timely, false) as is_timely,
        coalesce(tickets.is_timely_by_ruling, false) as is_timely_by_ruling
    from tickets
    cross join labels

),

changed as (

    {{ changed_rows('final') }}

)

select * from changed
order by month, contractor, ticket_id
