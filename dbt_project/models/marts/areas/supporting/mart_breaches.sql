-- Area 9 (故障处理时限): the breach list, one row per ticket of fault_timely_rate's
-- population (故障 and 投诉, not cancelled) that was not on time, with its duration and
-- the limit it broke. breach_reason: not_completed (no 完成时间), no_limit (区域类型
-- unknown, so no limit applies: counts against the contractor) or over_limit.
with

breaches as (

    select * from {{ ref('int_tickets_described') }}
    where is_fault_timed and not coalesce(is_timely, false)

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

        ---------- ids
        ticket_id,
        circuit_id,
        technician_id,

        ---------- clocks
        dispatched_at,
        completed_at,
        cast(suspended_minutes as bigint) as suspended_minutes,
        cast(spare_wait_minutes as bigint) as spare_wait_minutes,
        cast(effective_minutes as double) as effective_minutes,
        cast(time_limit_minutes as integer) as limit_minutes,
        cast(effective_minutes - time_limit_minutes as double) as minutes_over_limit,
        case
            when completed_at is null then 'not_completed'
            when time_limit_minutes is null then 'no_limit'
            else 'over_limit'
        end as breach_reason,

        ---------- cause
        cause_category,
        cause_detail,
        faulty_device
    from breaches

)

select * from final
order by month, contractor, ticket_id
