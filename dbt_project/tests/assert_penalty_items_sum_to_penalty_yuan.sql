-- Every 元 is traced: per (month, contractor) the penalty items add up to penalty_yuan.
with

items as (

    select
        month,
        contractor,
        sum(amount_yuan) as items_yuan
    from {{ ref('fct_penalty_items') }}
    group by month, contractor

),

kpi as (

    select
        month,
        contractor,
        value as penalty_yuan
    from {{ ref('fct_kpi') }}
    where kpi_code = 'penalty_yuan'

)

select
    kpi.month,
    kpi.contractor,
    kpi.penalty_yuan,
    items.items_yuan
from kpi
left join items
    on
        kpi.month = items.month
        and kpi.contractor = items.contractor
where kpi.penalty_yuan != coalesce(items.items_yuan, 0)
