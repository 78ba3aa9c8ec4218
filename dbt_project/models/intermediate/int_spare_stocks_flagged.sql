-- One row per (month, contractor, prefecture, part type) of the stock reports: a
-- stock-out when 期末库存 < 安全库存. A blank 期末库存 or 安全库存 counts against the
-- contractor (a stock-out).
with

stocks as (

    select * from {{ ref('stg_contractor__spare_stocks') }}

),

final as (

    select
        stock_month as month,
        contractor,
        prefecture,
        part_type,
        on_hand,
        safety_stock,
        consumed,
        coalesce(on_hand < safety_stock, true) as is_stockout
    from stocks

)

select * from final
