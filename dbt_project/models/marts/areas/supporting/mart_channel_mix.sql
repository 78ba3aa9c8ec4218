-- Area 2 (故障受理渠道): one row per month × contractor ('' = all) × 受理渠道 present
-- in the tickets. The channel mix (share of the contractor's tickets), acknowledgement
-- (派单 → 接单: on time per ack_timely_rate, mean and median minutes), fault handling
-- on time (the fault_timely_rate population coming in by that channel) and feedback
-- (完成 → 归档: mean and median minutes over tickets with both times). All tickets that
-- are not cancelled; a blank channel shows as '(未填写)'.
with

labels as (

    select max(value) as blank_label
    from {{ ref('area_value_sets') }}
    where set_code = 'blank_label'

),

tickets as (

    select
        tickets.month,
        tickets.contractor,
        coalesce({{ trim_text('tickets.channel') }}, labels.blank_label) as channel,
        tickets.is_ack_timely,
        tickets.ack_minutes,
        tickets.is_fault_timed,
        tickets.is_timely,
        tickets.feedback_minutes
    from {{ ref('int_tickets_described') }} as tickets
    cross join labels

),

counted as (

    {{ rollup('tickets', [
        'count(*) as tickets',
        'sum(case when is_ack_timely then 1 else 0 end) as ack_timely_tickets',
        'avg(ack_minutes) as mean_ack_minutes',
        'percentile_cont(0.5) within group (order by ack_minutes) as median_ack_minutes',
        'sum(case when is_fault_timed then 1 else 0 end) as fault_tickets',
        'sum(case when is_fault_timed and is_timely then 1 else 0 end) as fault_timely_tickets',
        'count(feedback_minutes) as feedback_tickets',
        'avg(feedback_minutes) as mean_feedback_minutes',
        'percentile_cont(0.5) within group (order by feedback_minutes) as median_feedback_minutes',
    ], grains=['province', 'contractor'], by=['channel']) }}

),

totalled as (

    select
        *,
        sum(tickets) over (partition by month, contractor) as contractor_tickets
    from counted

),

final as (

    select
        {{ format_month('month') }} as month,
        contractor,
        channel,
        cast(tickets as bigint) as tickets,
        cast(contractor_tickets as bigint) as contractor_tickets,
        {{ ratio_half_up(to_big_int('tickets'), to_big_int('contractor_tickets')) }} as share_of_tickets,
        cast(ack_timely_tickets as bigint) as ack_timely_tickets,
        {{ ratio_half_up(to_big_int('ack_timely_tickets'), to_big_int('tickets')) }} as ack_timely_rate,
        cast(mean_ack_minutes as double) as mean_ack_minutes,
        cast(median_ack_minutes as double) as median_ack_minutes,
        cast(fault_tickets as bigint) as fault_tickets,
        cast(fault_timely_tickets as bigint) as fault_timely_tickets,
        {{ ratio_half_up(to_big_int('fault_timely_tickets'), to_big_int('fault_tickets')) }} as fault_timely_rate,
        cast(feedback_tickets as bigint) as feedback_tickets,
        cast(mean_feedback_minutes as double) as mean_feedback_minutes,
        cast(median_feedback_minutes as double) as median_feedback_minutes
    from totalled

)

select * from final
order by month, contractor, channel
