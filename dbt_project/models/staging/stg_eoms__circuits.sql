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

        ---------- NFKC of the compared text fields, stored by ingestion (docs/decisions.md 95)
        customer_name_nfkc,
        service_type_nfkc,
        prefecture_nfkc,
        county_nfkc,
        access_type_nfkc,
        a_address_nfkc,
        z_address_nfkc,

        ---------- dates
        activated_on,
        removed_on,

        ---------- lineage
        _file as source_file,
        _row as source_row

    from source

)

select * from renamed
