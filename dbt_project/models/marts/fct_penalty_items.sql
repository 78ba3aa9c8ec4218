-- Every 元 of 考核扣款 traced to its ticket or technician: one row per (month,
-- contractor, ticket or technician, reason). Positive = deduction, negative = bonus;
-- per (month, contractor) the amounts sum to fct_kpi's penalty_yuan. A closed month
-- keeps the items stored when it was closed (access.md), like fct_kpi.
with

items as (

    select * from {{ ref('int_penalty_items_traced') }}

),

months as (

    select * from {{ ref('int_months') }}

),

frozen as (

    select * from {{ source('appdb', 'frozen_penalty_items') }}

),

computed as (

    select
        months.month_label as month,
        items.contractor,
        items.prefecture,
        items.reason_code,
        items.reason_zh,
        items.ticket_id,
        items.technician_id,
        cast(items.item_count as bigint) as item_count,
        cast(items.unit_amount_yuan as decimal(18, 2)) as unit_amount_yuan,
        cast(items.amount_yuan as decimal(18, 2)) as amount_yuan,
        items.detail
    from items
    inner join months
        on items.month = months.month

),

final as (

    select * from computed
    where
        not exists (
            select 1
            from frozen
            where frozen.month = computed.month
        )

    union all

    select
        frozen.month,
        frozen.contractor,
        frozen.prefecture,
        frozen.reason_code,
        frozen.reason_zh,
        frozen.ticket_id,
        frozen.technician_id,
        cast(frozen.item_count as bigint) as item_count,
        cast(frozen.unit_amount_yuan as decimal(18, 2)) as unit_amount_yuan,
        cast(frozen.amount_yuan as decimal(18, 2)) as amount_yuan,
        frozen.detail
    from frozen

)

select * from final
order by month, contractor, reason_code, ticket_id, technician_id
