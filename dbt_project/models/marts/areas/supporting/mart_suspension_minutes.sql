-- Area 9 (故障处理时限): how much 挂起时长 weighs in the fault clock. One row per month ×
-- grain × contractor × prefecture of fct_kpi (province, contractor,
-- contractor_prefecture) over fault_timely_rate's population (故障 and 投诉, not
-- cancelled): its tickets, those with a 挂起时长 (> 0) and the minutes suspended, the
-- timely tickets (after rulings) and those rescued, timely only because 挂起时长 was
-- taken off (kpis.md edge rule 15), with suspension_rescue_rate exactly as fct_kpi has it.
with

pivoted as (

    {{ kpis_side_by_side(ref('fct_kpi'), ['suspension_rescue_rate']) }}

),

faults as (

    select
        {{ format_month('month') }} as month,
        contractor,
        prefecture,
        suspended_minutes,
        coalesce(is_timely, false) as is_timely,
        is_suspension_rescued
    from {{ ref('int_tickets_clocked') }}
    where is_fault_timed

),

counted as (

    {{ rollup('faults', [
        'count(*) as fault_tickets',
        'sum(case when suspended_minutes > 0 then 1 else 0 end) as suspended_tickets',
        'sum(suspended_minutes) as suspended_minutes',
        'sum(case when is_timely then 1 else 0 end) as timely_tickets',
        'sum(case when is_suspension_rescued then 1 else 0 end) as rescued_tickets',
    ]) }}

),

final as (

    select
        pivoted.month,
        pivoted.grain,
        pivoted.contractor,
        pivoted.prefecture,
        cast(coalesce(counted.fault_tickets, 0) as bigint) as fault_tickets,
        cast(coalesce(counted.suspended_tickets, 0) as bigint) as suspended_tickets,
        cast(coalesce(counted.suspended_minutes, 0) as double) as suspended_minutes,
        cast(
            cast(counted.suspended_minutes as double) / nullif(counted.suspended_tickets, 0) as double
        ) as mean_suspended_minutes,
        cast(coalesce(counted.timely_tickets, 0) as bigint) as timely_tickets,
        cast(coalesce(counted.rescued_tickets, 0) as bigint) as rescued_tickets,
        cast(pivoted.suspension_rescue_rate as decimal(38, 6)) as suspension_rescue_rate
    from pivoted
    left join counted
        on
            pivoted.month = counted.month
            and pivoted.grain = counted.grain
            and pivoted.contractor = counted.contractor
            and pivoted.prefecture = counted.prefecture

)

select * from final
order by month, grain, contractor, prefecture
