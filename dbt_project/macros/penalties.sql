{#- The traced penalty items of one basis: sfx '' = after accepted appeals (the
    figures), '_before' = as measured, before any appeal (access.md: every adjusted
    figure shows both). The ticket models carry both outcomes side by side. -#}
{% macro penalty_items(sfx='') -%}
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
        cast(null as {{ string_type() }}) as detail
    from tickets
    where is_timely{{ sfx }} = false

    union all

    select
        month,
        contractor,
        prefecture,
        ticket_id,
        technician_id,
        'late_ack' as reason_code,
        1 as item_count,
        cast(null as {{ string_type() }}) as detail
    from tickets
    where not is_ack_timely{{ sfx }}

    union all

    select
        month,
        contractor,
        prefecture,
        ticket_id,
        technician_id,
        'missing_form_item' as reason_code,
        missing_item_count{{ sfx }} as item_count,
        missing_items{{ sfx }} as detail
    from forms
    where missing_item_count{{ sfx }} > 0

    union all

    select
        month,
        contractor,
        prefecture,
        ticket_id,
        technician_id,
        'missing_photo' as reason_code,
        missing_photo_count{{ sfx }} as item_count,
        missing_photo_kinds{{ sfx }} as detail
    from photos
    where missing_photo_count{{ sfx }} > 0

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
        cast(null as {{ string_type() }}) as prefecture,
        cast(null as {{ string_type() }}) as ticket_id,
        technicians.technician_id,
        'technician_bonus' as reason_code,
        1 as item_count,
        cast(technicians.ticket_count as {{ string_type() }}) || ' tickets, none at fault' as detail
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
{%- endmacro %}
