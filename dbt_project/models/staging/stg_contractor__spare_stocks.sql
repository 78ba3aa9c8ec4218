with

source as (

    select * from {{ source('contractor', 'spare_parts') }}

),

renamed as (

    select
        ---------- ids
        stock_month,
        contractor,
        prefecture,
        part_type,

        ---------- measures
        on_hand,
        safety_stock,
        consumed,

        ---------- lineage
        _file as source_file,
        _row as source_row

    from source

)

select * from renamed
