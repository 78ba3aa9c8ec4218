-- One row per ticket that is not cancelled: its clocks, the limit that applies and
-- whether it was met. Durations are exact: effective_seconds is DECIMAL (microsecond
-- differences), effective = completed_at − clock start − 挂起时长 (blank = 0).
-- An accepted appeal (stg_appdb__rulings) on timeliness or ack makes the ticket
-- compliant on that one rule (access.md): is_timely / is_ack_timely are the outcomes
-- after rulings, *_before the outcomes as measured; durations stay as they are.
-- Limits (edge rule 14): a seed row naming the ticket's 服务等级 wins over a blank-grade
-- row; within the same grade, a row naming the 受理渠道 (10086) wins over `*`. Grade
-- first, then channel: a graded `*` row beats a blank-grade 10086 row.
-- is_suspension_rescued (edge rule 15): timely as measured only because 挂起时长 was
-- taken off, completed_at − clock start > limit (exact seconds).
-- Incremental on ticket_id (macros/incremental.sql): a run clocks only the tickets with a
-- newer row, a timeliness or ack ruling now or before, or all of them when a rule seed changed.
{{ ticket_incremental_config('clocked_population') }}
{% set fingerprint = rules_fingerprint(
    ['ticket_time_limits', 'activation_time_limits', 'ack_time_limits', 'kpi_value_sets']
) %}
with

rulings as (

    select
        ticket_id,
        contractor,
        max(case when rule = 'timeliness' then 1 else 0 end) = 1 as has_timeliness_ruling,
        max(case when rule = 'ack' then 1 else 0 end) = 1 as has_ack_ruling
    from {{ ref('stg_appdb__rulings') }}
    where rule in ('timeliness', 'ack')
    group by ticket_id, contractor

),

tickets as (

    {{ population_batch(
        clocked_population(),
        fingerprint,
        "not kept.is_timely_by_ruling and not kept.is_ack_timely_by_ruling"
    ) }}

),

fault_limits as (

    select
        ticket_type,
        channel,
        area_type,
        limit_minutes,
        {{ trim_text('service_level') }} as service_level
    from {{ ref('ticket_time_limits') }}

),

activation_limits as (

    select
        ticket_type,
        area_type,
        limit_minutes,
        {{ trim_text('service_level') }} as service_level
    from {{ ref('activation_time_limits') }}

),

ack_limit as (

    select max(limit_minutes) as limit_minutes from {{ ref('ack_time_limits') }}

),

typed as (

    select
        tickets.*,
        coalesce(tickets.ticket_type in (select fl.ticket_type from fault_limits as fl), false) as is_fault_timed,
        coalesce(
            tickets.ticket_type in (select al.ticket_type from activation_limits as al), false
        ) as is_activation_timed,
        coalesce({{ in_value_set('tickets.ticket_type', 'fault_ticket_type') }}, false) as is_fault,
        coalesce(tickets.suspended_minutes, 0) as suspended_minutes_applied,
        {{ trim_text('tickets.service_level') }} as service_grade,
        {{ trim_text('tickets.satisfaction') }} as satisfaction_answer
    from tickets

),

limited as (

    select
        typed.*,
        case
            when typed.is_fault_timed
                then coalesce(
                    graded_by_channel.limit_minutes,
                    graded_any_channel.limit_minutes,
                    by_channel.limit_minutes,
                    any_channel.limit_minutes
                )
            when typed.is_activation_timed then coalesce(graded_activation.limit_minutes, activation.limit_minutes)
        end as time_limit_minutes,
        case
            when typed.is_activation_timed then coalesce(typed.splice_done_at, typed.dispatched_at)
            else typed.dispatched_at
        end as clock_started_at
    from typed
    left join fault_limits as graded_by_channel
        on
            typed.ticket_type = graded_by_channel.ticket_type
            and typed.channel = graded_by_channel.channel
            and typed.area_type = graded_by_channel.area_type
            and typed.service_grade = graded_by_channel.service_level
    left join fault_limits as graded_any_channel
        on
            typed.ticket_type = graded_any_channel.ticket_type
            and graded_any_channel.channel = '*'
            and typed.area_type = graded_any_channel.area_type
            and typed.service_grade = graded_any_channel.service_level
    left join fault_limits as by_channel
        on
            typed.ticket_type = by_channel.ticket_type
            and typed.channel = by_channel.channel
            and typed.area_type = by_channel.area_type
            and by_channel.service_level is null
    left join fault_limits as any_channel
        on
            typed.ticket_type = any_channel.ticket_type
            and any_channel.channel = '*'
            and typed.area_type = any_channel.area_type
            and any_channel.service_level is null
    left join activation_limits as graded_activation
        on
            typed.ticket_type = graded_activation.ticket_type
            and typed.area_type = graded_activation.area_type
            and typed.service_grade = graded_activation.service_level
    left join activation_limits as activation
        on
            typed.ticket_type = activation.ticket_type
            and typed.area_type = activation.area_type
            and activation.service_level is null

),

clocked as (

    select
        limited.*,
        cast(
            {{ seconds_between('limited.clock_started_at', 'limited.completed_at') }}
            as decimal(38, 6)
        ) as raw_seconds,
        cast(
            {{ seconds_between('limited.clock_started_at', 'limited.completed_at') }}
            - limited.suspended_minutes_applied * 60
            as decimal(38, 6)
        ) as effective_seconds,
        {{ seconds_between('limited.dispatched_at', 'limited.acknowledged_at') }} as ack_seconds,
        ack_limit.limit_minutes as ack_limit_minutes
    from limited
    cross join ack_limit

),

measured as (

    select
        ---------- ids
        ticket_id,
        circuit_id,
        technician_id,

        ---------- attribution
        {{ month_of('dispatched_at') }} as month,
        contractor,
        prefecture,
        county,
        area_type,
        ticket_type,
        ticket_status,
        channel,
        service_grade as service_level,

        ---------- clocks
        dispatched_at,
        acknowledged_at,
        splice_done_at,
        completed_at,
        clock_started_at,
        suspended_minutes_applied as suspended_minutes,
        raw_seconds,
        cast(raw_seconds as double) / 60 as raw_minutes,
        effective_seconds,
        cast(effective_seconds as double) / 60 as effective_minutes,
        time_limit_minutes,
        ack_seconds,
        cast(ack_seconds as double) / 60 as ack_minutes,
        ack_limit_minutes,

        ---------- populations and outcomes
        is_fault,
        is_fault_timed,
        is_activation_timed,
        case
            when is_fault_timed or is_activation_timed
                then coalesce(effective_seconds <= time_limit_minutes * 60, false)
        end as is_timely_before,
        coalesce(
            is_fault_timed
            and effective_seconds <= time_limit_minutes * 60
            and raw_seconds > time_limit_minutes * 60,
            false
        ) as is_suspension_rescued,
        is_fault and completed_at is not null as is_mttr_counted,
        coalesce(ack_seconds <= ack_limit_minutes * 60, false) as is_ack_timely_before,
        satisfaction_answer,
        satisfaction_answer is not null as has_satisfaction,
        coalesce({{ in_value_set('satisfaction_answer', 'satisfied') }}, false) as is_satisfied,

        ---------- bookkeeping of the incremental build (macros/incremental.sql)
        load_seq as ticket_version

    from clocked

),

final as (

    select
        measured.*,
        coalesce(measured.is_timely_before = false and rulings.has_timeliness_ruling, false) as is_timely_by_ruling,
        coalesce(not measured.is_ack_timely_before and rulings.has_ack_ruling, false) as is_ack_timely_by_ruling,
        case
            when measured.is_timely_before = false and coalesce(rulings.has_timeliness_ruling, false) then true
            else measured.is_timely_before
        end as is_timely,
        measured.is_ack_timely_before or coalesce(rulings.has_ack_ruling, false) as is_ack_timely,
        {{ fingerprint }} as rules_fingerprint
    from measured
    left join rulings
        on
            measured.ticket_id = rulings.ticket_id
            and measured.contractor = rulings.contractor

)

select * from final
