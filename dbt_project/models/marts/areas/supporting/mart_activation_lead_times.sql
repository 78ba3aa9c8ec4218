-- Area 1 (工单执行流程, 装机时延): the distribution of activation lead times. One row per
-- month × contractor ('' = all) × bucket of seed activation_lead_time_buckets, every
-- bucket present (0 when empty). The lead time is the effective duration of an 开通
-- ticket as activation_timely_rate clocks it (from 光缆熔接完成时间, else 派单时间,
-- minus 挂起时长); a ticket with no 完成时间 falls in the bucket with no bounds.
with

buckets as (

    select * from {{ ref('activation_lead_time_buckets') }}

),

months as (

    select month from {{ ref('int_months') }}

),

contractors as (

    select contractor
    from {{ ref('int_kpi_grains') }}
    where grain in ('province', 'contractor')

),

activations as (

    select * from {{ ref('int_tickets_described') }}
    where is_activation_timed

),

bucketed as (

    select
        activations.month,
        activations.contractor,
        activations.ticket_id,
        coalesce(activations.is_timely, false) as is_timely,
        buckets.bucket_no
    from activations
    inner join buckets
        on
            case
                when activations.effective_seconds is null
                    then buckets.from_hours is null and buckets.to_hours is null
                else
                    (buckets.from_hours is not null or buckets.to_hours is not null)
                    and (buckets.from_hours is null or activations.effective_seconds >= buckets.from_hours * 3600)
                    and (buckets.to_hours is null or activations.effective_seconds < buckets.to_hours * 3600)
            end

),

counted as (

    {{ rollup('bucketed', [
        'count(*) as tickets',
        'sum(case when is_timely then 1 else 0 end) as timely_tickets',
    ], grains=['province', 'contractor'], by=['bucket_no']) }}

),

spine as (

    select
        months.month,
        contractors.contractor,
        buckets.bucket_no,
        buckets.bucket_label,
        buckets.from_hours,
        buckets.to_hours,
        coalesce(counted.tickets, 0) as tickets,
        coalesce(counted.timely_tickets, 0) as timely_tickets
    from months
    cross join contractors
    cross join buckets
    left join counted
        on
            months.month = counted.month
            and contractors.contractor = counted.contractor
            and buckets.bucket_no = counted.bucket_no

),

totalled as (

    select
        *,
        sum(tickets) over (partition by month, contractor) as activation_tickets,
        sum(tickets) over (
            partition by month, contractor
            order by bucket_no
            rows between unbounded preceding and current row
        ) as cumulative_tickets
    from spine

),

final as (

    select
        {{ format_month('month') }} as month,
        contractor,
        cast(bucket_no as integer) as bucket_no,
        bucket_label,
        cast(from_hours as decimal(18, 6)) as from_hours,
        cast(to_hours as decimal(18, 6)) as to_hours,
        cast(tickets as bigint) as tickets,
        cast(timely_tickets as bigint) as timely_tickets,
        cast(activation_tickets as bigint) as activation_tickets,
        {{ ratio_half_up(to_big_int('tickets'), to_big_int('activation_tickets')) }} as share_of_tickets,
        {{ ratio_half_up(to_big_int('cumulative_tickets'), to_big_int('activation_tickets')) }} as cumulative_share
    from totalled

)

select * from final
order by month, contractor, bucket_no
