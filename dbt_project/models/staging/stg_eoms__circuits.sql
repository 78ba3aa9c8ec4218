with

source as (

    select * from {{ source('eoms', 'eoms_circuits') }}

),

renamed as (

    select
        ---------- ids
        circuit_id,
        circuit_id_raw,

        ---------- attribution
        contractor,
        prefecture,
        county,
        area_type,

        ---------- line attributes
        customer_name,
        service_type,
        service_level,
        bandwidth_mbps,
        access_type,
        a_address,
        z_address,
        site_type,
        status as circuit_status,

        ---------- dates
        activated_on,
        removed_on,

        ---------- lineage
        _file as source_file,
        _row as source_row

    from source

)

select * from renamed
