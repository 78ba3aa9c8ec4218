with

source as (

    select * from {{ source('eoms', 'inspections') }}

),

renamed as (

    select
        ---------- ids
        inspection_id,
        inspection_id_raw,
        site_id,
        site_id_raw,
        technician_id,
        technician_id_raw,

        ---------- attribution
        prefecture,
        county,
        contractor,

        ---------- times
        inspected_at,

        ---------- outcome
        result as inspection_result,
        issues_found,
        issues_fixed_onsite,
        photo_count,
        customer_signed as is_customer_signed,
        config_backed_up as is_config_backed_up,
        ground_resistance_ohm,

        ---------- lineage
        _file as source_file,
        _row as source_row

    from source

)

select * from renamed
