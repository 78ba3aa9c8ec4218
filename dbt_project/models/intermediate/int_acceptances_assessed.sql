-- One row per acceptance: passed first time, the documents deadline (the Nth working
-- day after 验收日期, seed docs_deadline, working days from seed work_calendar) and
-- whether they were handed over by then (blank = late; a deadline beyond the calendar
-- is NULL = late, flagged by a test), and whether a 故障 ticket on the circuit was
-- dispatched in (验收日期, 验收日期 + 90 days] (edge rule 9, seed post_acceptance_window).
with

acceptances as (

    select * from {{ ref('stg_eoms__acceptances') }}

),

deadline_days as (

    select max(working_days) as working_days from {{ ref('docs_deadline') }}

),

post_window as (

    select max(window_days) as window_days from {{ ref('post_acceptance_window') }}

),

calendar as (

    select
        calendar_on,
        is_workday,
        sum(case when is_workday then 1 else 0 end) over (order by calendar_on) as workdays_through
    from {{ ref('work_calendar') }}

),

deadlines as (

    select
        acceptances.acceptance_id,
        deadline.calendar_on as docs_deadline_on
    from acceptances
    cross join deadline_days
    inner join calendar as accepted
        on acceptances.accepted_on = accepted.calendar_on
    inner join calendar as deadline
        on
            deadline.is_workday
            and deadline.workdays_through = accepted.workdays_through + deadline_days.working_days

),

faults as (

    select
        ticket_id,
        circuit_id,
        dispatched_at,
        {{ to_date('dispatched_at') }} as dispatched_on
    from {{ ref('int_tickets_clocked') }}
    where is_fault

),

post_faults as (

    select
        acceptances.acceptance_id,
        count(*) as post_acceptance_fault_count,
        min(faults.dispatched_at) as first_fault_dispatched_at,
        {{ string_agg_sorted('faults.ticket_id', ', ') }} as post_acceptance_fault_ticket_ids
    from acceptances
    cross join post_window
    inner join faults
        on
            acceptances.circuit_id = faults.circuit_id
            and acceptances.accepted_on < faults.dispatched_on
            and faults.dispatched_on <= {{ add_days('acceptances.accepted_on', 'post_window.window_days') }}
    group by acceptances.acceptance_id

),

final as (

    select
        acceptances.acceptance_id,
        acceptances.circuit_id,
        {{ month_of('acceptances.accepted_on') }} as month,
        acceptances.contractor,
        acceptances.prefecture,
        acceptances.builder,
        acceptances.accepted_on,
        acceptances.acceptance_result,
        acceptances.open_issues,
        acceptances.docs_handed_on,
        deadlines.docs_deadline_on,
        coalesce({{ in_value_set('acceptances.acceptance_result', 'first_pass') }}, false) as is_first_pass,
        coalesce(acceptances.docs_handed_on <= deadlines.docs_deadline_on, false) as is_docs_timely,
        coalesce(post_faults.post_acceptance_fault_count, 0) as post_acceptance_fault_count,
        post_faults.post_acceptance_fault_ticket_ids,
        post_faults.acceptance_id is not null as has_post_acceptance_fault
    from acceptances
    left join deadlines
        on acceptances.acceptance_id = deadlines.acceptance_id
    left join post_faults
        on acceptances.acceptance_id = post_faults.acceptance_id

)

select * from final
