-- One row per 故障 ticket (not cancelled): is it a repeat fault? It is when the same
-- 专线编号 had another 故障 ticket dispatched in [t − window, t) (seed
-- repeat_fault_window, 30 days), months and contractors notwithstanding; cancelled
-- tickets are never the earlier fault (kpis.md edge rule 4).
-- Incremental on ticket_id (macros/incremental.sql): a ticket's flag depends on the faults of
-- its circuit in the window before it, so a run flags again the faults that changed (a newer
-- version, another circuit or time, in or out of the 故障 tickets) and, on each circuit they
-- touch, every fault dispatched at or after the earliest change; all of them when the window
-- seed or this model changed.
{{ ticket_incremental_config('fault_versions') }}
{% set fingerprint = rules_fingerprint(['repeat_fault_window']) %}
{% set inputs = 'ticket_id, circuit_id, contractor, prefecture, month, dispatched_at, ticket_version' %}
with

faults as (

    select {{ inputs }}
    from {{ ref('int_tickets_clocked') }}
    where is_fault

),

{% if is_ticket_incremental() %}
changed as (

    -- the faults whose inputs are not those of a row kept under the current rules, and the
    -- kept rows that are no fault's current inputs any more (both sides of the difference)
    (
        select {{ inputs }} from faults
        except
        select {{ inputs }} from {{ this }}
        where rules_fingerprint = {{ fingerprint }}
    )
    union all
    (
        select {{ inputs }} from {{ this }}
        except
        select {{ inputs }} from faults
    )

),

touched as (

    select
        circuit_id,
        min(dispatched_at) as changed_from
    from changed
    where circuit_id is not null
    group by circuit_id

),

batch as (

    select faults.*
    from faults
    where
        faults.ticket_id in (select changed.ticket_id from changed)
        or exists (
            select 1
            from touched
            where
                touched.circuit_id = faults.circuit_id
                and faults.dispatched_at >= touched.changed_from
        )

),
{% else %}
batch as (

    select * from faults

),
{% endif %}

window_days as (

    select max(window_days) as window_days from {{ ref('repeat_fault_window') }}

),

earlier as (

    select
        faults.ticket_id,
        previous.ticket_id as previous_ticket_id,
        previous.dispatched_at as previous_dispatched_at
    from batch as faults
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
        summarised.ticket_id is not null as is_repeat,
        faults.ticket_version,
        {{ fingerprint }} as rules_fingerprint
    from batch as faults
    left join summarised
        on faults.ticket_id = summarised.ticket_id

)

select * from final
