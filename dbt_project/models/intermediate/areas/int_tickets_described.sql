-- One row per ticket that is not cancelled: the rows of int_tickets_clocked, whose
-- clocks, limits and outcomes it keeps unchanged, with what the area views also show:
-- 到场 and 归档 times, the fault description, spare use, and the step durations
-- 派单→接单→到场→完成→归档 in minutes (DOUBLE, for display; NULL when either end is
-- blank; negative when the source has the steps out of order). Descriptive text is
-- trimmed, blank = NULL; how a blank is shown is up to each mart.
-- Incremental on ticket_id (macros/incremental.sql): a run describes only the tickets whose
-- clocked row is not the one a kept row was described from (a newer version of the ticket,
-- other clock rules, a ruling made or withdrawn), or all of them when this model changed.
{{ ticket_incremental_config('clocked_versions') }}
{% set fingerprint = rules_fingerprint([]) %}
with

clocked as (

    select current_clock.*
    from {{ ref('int_tickets_clocked') }} as current_clock
    {% if is_ticket_incremental() %}
        where not exists (
            select 1
            from {{ this }} as kept
            where
                kept.ticket_id = current_clock.ticket_id
                and kept.ticket_version = current_clock.ticket_version
                and kept.rules_fingerprint = current_clock.rules_fingerprint
                and kept.is_timely_by_ruling = current_clock.is_timely_by_ruling
                and kept.is_ack_timely_by_ruling = current_clock.is_ack_timely_by_ruling
                and kept.described_fingerprint = {{ fingerprint }}
        )
    {% endif %}

),

tickets as (

    select * from {{ ref('stg_eoms__tickets') }}

),

described as (

    select
        clocked.*,

        ---------- times the KPI clock does not use
        tickets.arrived_at,
        tickets.closed_at,

        ---------- fault description
        {{ trim_text('tickets.cause_category') }} as cause_category,
        {{ trim_text('tickets.cause_detail') }} as cause_detail,
        {{ trim_text('tickets.faulty_device') }} as faulty_device,

        ---------- spares
        coalesce(tickets.is_spare_used, false) as is_spare_used,
        coalesce(tickets.spare_wait_minutes, 0) as spare_wait_minutes,

        ---------- step durations (seconds)
        {{ seconds_between('clocked.acknowledged_at', 'tickets.arrived_at') }} as ack_to_arrival_seconds,
        {{ seconds_between('tickets.arrived_at', 'clocked.completed_at') }} as arrival_to_completion_seconds,
        {{ seconds_between('clocked.dispatched_at', 'clocked.completed_at') }} as dispatch_to_completion_seconds,
        {{ seconds_between('clocked.completed_at', 'tickets.closed_at') }} as feedback_seconds
    from clocked
    inner join tickets
        on clocked.ticket_id = tickets.ticket_id

),

final as (

    select
        *,
        cast(ack_to_arrival_seconds as double) / 60 as ack_to_arrival_minutes,
        cast(arrival_to_completion_seconds as double) / 60 as arrival_to_completion_minutes,
        cast(dispatch_to_completion_seconds as double) / 60 as dispatch_to_completion_minutes,
        cast(feedback_seconds as double) / 60 as feedback_minutes,
        {{ fingerprint }} as described_fingerprint
    from described

)

select * from final
