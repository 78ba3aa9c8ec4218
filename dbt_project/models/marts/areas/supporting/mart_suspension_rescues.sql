-- Area 9 (故障处理时限): the rescue list, one row per ticket of fault_timely_rate's
-- population that was on time only because 挂起时长 was taken off the clock (kpis.md edge
-- rule 15: completed_at − clock start > limit, effective duration <= limit): its clocks,
-- the minutes suspended, the raw and effective minutes and the limit. The numerator of
-- suspension_rescue_rate, ticket by ticket.
with

rescued as (

    select * from {{ ref('int_tickets_clocked') }}
    where is_suspension_rescued

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
        service_level,

        ---------- ids
        ticket_id,
        circuit_id,
        technician_id,

        ---------- clocks
        dispatched_at,
        clock_started_at,
        completed_at,
        cast(suspended_minutes as double) as suspended_minutes,
        cast(raw_minutes as double) as raw_minutes,
        cast(effective_minutes as double) as effective_minutes,
        cast(time_limit_minutes as integer) as limit_minutes,
        cast(raw_minutes - time_limit_minutes as double) as minutes_over_limit_without_suspension
    from rescued

)

select * from final
order by month, contractor, ticket_id
