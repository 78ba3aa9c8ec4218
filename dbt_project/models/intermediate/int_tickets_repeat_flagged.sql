-- One row per 故障 ticket (not cancelled): is it a repeat fault? It is when the same
-- 专线编号 had another 故障 ticket dispatched in [t − window, t) (seed
-- repeat_fault_window, 30 days), months and contractors notwithstanding; cancelled
-- tickets are never the earlier fault (kpis.md edge rule 4).
with

faults as (

    select
        ticket_id,
        circuit_id,
        contractor,
        prefecture,
        month,
        dispatched_at
    from {{ ref('int_tickets_clocked') }}
    where is_fault

),

window_days as (

    select max(window_days) as window_days from {{ ref('repeat_fault_window') }}

),

earlier as (

    select
        faults.ticket_id,
        previous.ticket_id as previous_ticket_id,
        previous.dispatched_at as previous_dispatched_at
    from faults
    cross join window_days
    inner join faults as previous
        on
            faults.circuit_id = previous.circuit_id
            and faults.ticket_id != previous.ticket_id
            and faults.dispatched_at > previous.dispatched_at
            and {{ dbt.dateadd('day', '-window_days.window_days', 'faults.dispatched_at') }} <= previous.dispatched_at

),

summarised as (

    select
        ticket_id,
        count(*) as earlier_fault_count,
        max(previous_dispatched_at) as previous_dispatched_at,
        {{ value_by_latest('previous_ticket_id', 'previous_dispatched_at') }} as previous_ticket_id
    from earlier
    group by ticket_id

),

final as (

    select
        faults.ticket_id,
        faults.circuit_id,
        faults.month,
        faults.contractor,
        faults.prefecture,
        faults.dispatched_at,
        coalesce(summarised.earlier_fault_count, 0) as earlier_fault_count,
        summarised.previous_ticket_id,
        summarised.previous_dispatched_at,
        summarised.ticket_id is not null as is_repeat
    from faults
    left join summarised
        on faults.ticket_id = summarised.ticket_id

)

select * from final
