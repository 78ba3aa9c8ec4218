-- Area 1 (工单执行流程): one row per ticket that is not cancelled, with its steps
-- 派单 → 接单 → 到场 → 完成 → 归档 in minutes, the KPI clock (effective duration, the
-- limit and the outcome, from int_tickets_clocked) and its attribution. Every ticket
-- type is listed (ticket_type filters); a step is NULL when either end is blank.
-- Row-incremental (macros/incremental.sql): a run writes only the rows that changed.
{{ row_incremental_config('int_tickets_described') }}
with

tickets as (

    select * from {{ ref('int_tickets_described') }}

),

final as (

    select
        ---------- attribution
        {{ format_month('month') }} as month,
        contractor,
        prefecture,
        county,
        area_type,
        ticket_type,
        channel,
        ticket_status,

        ---------- ids
        ticket_id,
        circuit_id,
        technician_id,

        ---------- timestamps
        dispatched_at,
        acknowledged_at,
        arrived_at,
        splice_done_at,
        completed_at,
        closed_at,

        ---------- steps (minutes)
        cast(ack_minutes as double) as dispatch_to_ack_minutes,
        cast(ack_to_arrival_minutes as double) as ack_to_arrival_minutes,
        cast(arrival_to_completion_minutes as double) as arrival_to_completion_minutes,
        cast(dispatch_to_completion_minutes as double) as dispatch_to_completion_minutes,
        cast(feedback_minutes as double) as completion_to_close_minutes,

        ---------- KPI clock
        cast(suspended_minutes as bigint) as suspended_minutes,
        cast(effective_minutes as double) as effective_minutes,
        cast(time_limit_minutes as integer) as limit_minutes,
        is_timely,
        is_ack_timely
    from tickets

),

changed as (

    {{ changed_rows('final') }}

)

select * from changed
order by month, contractor, ticket_id
