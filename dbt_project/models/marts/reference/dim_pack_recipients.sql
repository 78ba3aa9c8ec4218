-- Who receives this warehouse's KPI pack by e-mail: the rows of seed pack_recipients of
-- the run's province (var daiwei_province, the one Settings.province), so that a 宁夏
-- warehouse never mails its packs to 贵州's addresses. Read by reporting/delivery.py.
with

recipients as (

    select * from {{ ref('pack_recipients') }}

),

final as (

    select
        email,
        name,
        contractor
    from recipients
    where province = '{{ var("daiwei_province", "贵州") }}'

)

select * from final
