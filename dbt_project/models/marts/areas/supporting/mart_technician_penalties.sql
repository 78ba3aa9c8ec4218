-- Area 10 (现场留痕与回单): penalties per technician. One row per month × contractor ×
-- 处理人工号 with a ticket or a penalty item: tickets handled, and from
-- int_penalty_items_traced (the items behind penalty_yuan) the timeouts, late
-- acknowledgements, missing confirmation-form items and missing photo kinds, the
-- deductions, the bonus and the net 元. Tickets and items with no 处理人工号 are
-- gathered under '(未填写)'; summed over technicians, net_yuan is the contractor's
-- penalty_yuan.
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
        coalesce(tickets.technician_id, labels.blank_label) as technician_id,
        count(*) as tickets
    from {{ ref('int_tickets_clocked') }} as tickets
    cross join labels
    where tickets.contractor is not null
    group by tickets.month, tickets.contractor, coalesce(tickets.technician_id, labels.blank_label)

),

items as (

    select
        items.month,
        items.contractor,
        coalesce(items.technician_id, labels.blank_label) as technician_id,
        sum(case when items.reason_code = 'timeout' then items.item_count else 0 end) as timeouts,
        sum(case when items.reason_code = 'late_ack' then items.item_count else 0 end) as late_acks,
        sum(case when items.reason_code = 'missing_form_item' then items.item_count else 0 end)
            as missing_form_items,
        sum(case when items.reason_code = 'missing_photo' then items.item_count else 0 end) as missing_photos,
        sum(case when items.amount_yuan > 0 then items.amount_yuan else 0 end) as deductions_yuan,
        sum(case when items.amount_yuan < 0 then items.amount_yuan else 0 end) as bonus_yuan,
        sum(items.amount_yuan) as net_yuan
    from {{ ref('int_penalty_items_traced') }} as items
    cross join labels
    group by items.month, items.contractor, coalesce(items.technician_id, labels.blank_label)

),

technicians as (

    select
        month,
        contractor,
        technician_id
    from tickets

    union

    select
        month,
        contractor,
        technician_id
    from items

),

final as (

    select
        {{ format_month('technicians.month') }} as month,
        technicians.contractor,
        technicians.technician_id,
        cast(coalesce(tickets.tickets, 0) as bigint) as tickets,
        cast(coalesce(items.timeouts, 0) as bigint) as timeouts,
        cast(coalesce(items.late_acks, 0) as bigint) as late_acks,
        cast(coalesce(items.missing_form_items, 0) as bigint) as missing_form_items,
        cast(coalesce(items.missing_photos, 0) as bigint) as missing_photos,
        cast(coalesce(items.deductions_yuan, 0) as decimal(18, 2)) as deductions_yuan,
        cast(coalesce(items.bonus_yuan, 0) as decimal(18, 2)) as bonus_yuan,
        cast(coalesce(items.net_yuan, 0) as decimal(18, 2)) as net_yuan
    from technicians
    left join tickets
        on
            technicians.month = tickets.month
            and technicians.contractor = tickets.contractor
            and technicians.technician_id = tickets.technician_id
    left join items
        on
            technicians.month = items.month
            and technicians.contractor = items.contractor
            and technicians.technician_id = items.technician_id

)

select * from final
order by month asc, contractor asc, net_yuan desc, technician_id asc
