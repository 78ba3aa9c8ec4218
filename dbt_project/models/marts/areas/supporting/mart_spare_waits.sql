-- Area 5 (备品备件管理): the time faults spend waiting for spare parts, inside their
-- durations. One row per month × contractor ('' = all) over fault_timely_rate's
-- population (故障 and 投诉, not cancelled): tickets that used a spare and that waited
-- for one (备件等待时长 > 0), the minutes waited against the effective minutes of the
-- completed tickets, the breaches, those with a spare wait, and those that the wait
-- alone made late (effective − wait would have been within the limit).
with

months as (

    select month from {{ ref('int_months') }}

),

contractors as (

    select contractor
    from {{ ref('int_kpi_grains') }}
    where grain in ('province', 'contractor')

),

faults as (

    select
        month,
        contractor,
        is_spare_used,
        spare_wait_minutes,
        effective_seconds,
        coalesce(is_timely, false) as is_timely,
        spare_wait_minutes > 0 as has_spare_wait,
        coalesce(
            not is_timely
            and spare_wait_minutes > 0
            and effective_seconds - spare_wait_minutes * 60 <= time_limit_minutes * 60,
            false
        ) as is_late_by_spare_wait
    from {{ ref('int_tickets_described') }}
    where is_fault_timed

),

counted as (

    {{ rollup('faults', [
        'count(*) as fault_tickets',
        'sum(case when is_spare_used then 1 else 0 end) as spare_used_tickets',
        'sum(case when has_spare_wait then 1 else 0 end) as spare_wait_tickets',
        'sum(spare_wait_minutes) as spare_wait_minutes',
        'sum(case when effective_seconds is not null then spare_wait_minutes else 0 end)'
        ~ ' as completed_spare_wait_minutes',
        'sum(effective_seconds) / 60 as effective_minutes',
        'sum(case when is_timely then 0 else 1 end) as breaches',
        'sum(case when not is_timely and has_spare_wait then 1 else 0 end) as breaches_with_spare_wait',
        'sum(case when is_late_by_spare_wait then 1 else 0 end) as breaches_caused_by_spare_wait',
    ], grains=['province', 'contractor']) }}

),

final as (

    select
        {{ format_month('months.month') }} as month,
        contractors.contractor,
        cast(coalesce(counted.fault_tickets, 0) as bigint) as fault_tickets,
        cast(coalesce(counted.spare_used_tickets, 0) as bigint) as spare_used_tickets,
        cast(coalesce(counted.spare_wait_tickets, 0) as bigint) as spare_wait_tickets,
        cast(coalesce(counted.spare_wait_minutes, 0) as bigint) as spare_wait_minutes,
        cast(
            cast(counted.spare_wait_minutes as double) / nullif(counted.spare_wait_tickets, 0) as double
        ) as mean_wait_minutes,
        cast(counted.effective_minutes as double) as effective_minutes,
        cast(
            cast(counted.completed_spare_wait_minutes as double) / nullif(cast(counted.effective_minutes as double), 0)
            as double
        ) as spare_wait_share_of_effective,
        cast(coalesce(counted.breaches, 0) as bigint) as breaches,
        cast(coalesce(counted.breaches_with_spare_wait, 0) as bigint) as breaches_with_spare_wait,
        cast(coalesce(counted.breaches_caused_by_spare_wait, 0) as bigint) as breaches_caused_by_spare_wait
    from months
    cross join contractors
    left join counted
        on
            months.month = counted.month
            and contractors.contractor = counted.contractor

)

select * from final
order by month, contractor
