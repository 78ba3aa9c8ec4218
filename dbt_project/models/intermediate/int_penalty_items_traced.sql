-- Every 元 of 考核扣款, traced: one row per (month, contractor, ticket or technician,
-- reason). Deductions are positive, the technician bonus negative (seed
-- penalty_amounts). Only tickets with a contractor are charged (penalties exist at the
-- contractor grain only); missing items and photos only on tickets of the form / photo
-- population (kpis.md edge rule 7).
with

amounts as (

    select * from {{ ref('penalty_amounts') }}

),

tickets as (

    select * from {{ ref('int_tickets_clocked') }}
    where contractor is not null

),

forms as (

    select * from {{ ref('int_tickets_form_checked') }}
    where contractor is not null

),

photos as (

    select * from {{ ref('int_tickets_photo_checked') }}
    where contractor is not null

),

ticket_faults as (

    select
        month,
        contractor,
        prefecture,
        ticket_id,
        technician_id,
        'timeout' as reason_code,
        1 as item_count,
        cast(null as varchar) as detail
    from tickets
    where is_timely = false

    union all

    select
        month,
        contractor,
        prefecture,
        ticket_id,
        technician_id,
        'late_ack' as reason_code,
        1 as item_count,
        cast(null as varchar) as detail
    from tickets
    where not is_ack_timely

    union all

    select
        month,
        contractor,
        prefecture,
        ticket_id,
        technician_id,
        'missing_form_item' as reason_code,
        missing_item_count as item_count,
        missing_items as detail
    from forms
    where missing_item_count > 0

    union all

    select
        month,
        contractor,
        prefecture,
        ticket_id,
        technician_id,
        'missing_photo' as reason_code,
        missing_photo_count as item_count,
        missing_photo_kinds as detail
    from photos
    where missing_photo_count > 0

),

technicians as (

    select
        month,
        contractor,
        technician_id,
        count(*) as ticket_count
    from tickets
    where technician_id is not null
    group by month, contractor, technician_id

),

clean_technicians as (

    select
        technicians.month,
        technicians.contractor,
        cast(null as varchar) as prefecture,
        cast(null as varchar) as ticket_id,
        technicians.technician_id,
        'technician_bonus' as reason_code,
        1 as item_count,
        cast(technicians.ticket_count as varchar) || ' tickets, none at fault' as detail
    from technicians
    where not exists (
        select 1
        from ticket_faults
        where
            ticket_faults.month = technicians.month
            and ticket_faults.contractor = technicians.contractor
            and ticket_faults.technician_id = technicians.technician_id
    )

),

items as (

    select * from ticket_faults
    union all
    select * from clean_technicians

),

final as (

    select
        items.month,
        items.contractor,
        items.prefecture,
        items.reason_code,
        amounts.reason_zh,
        items.ticket_id,
        items.technician_id,
        items.item_count,
        amounts.amount_yuan as unit_amount_yuan,
        cast(items.item_count * amounts.amount_yuan as decimal(18, 2)) as amount_yuan,
        items.detail
    from items
    inner join amounts
        on items.reason_code = amounts.reason_code

)

select * from final
