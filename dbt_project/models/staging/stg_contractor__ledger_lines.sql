with

source as (

    select * from {{ source('contractor', 'ledger') }}

),

renamed as (

    select
        ---------- ids
        ledger_month,
        contractor,
        circuit_id,
        circuit_id_raw,

        ---------- line attributes as typed by the contractor
        customer_name,
        service_type,
        prefecture,
        county,
        bandwidth_mbps,
        access_type,
        a_address,
        z_address,
        status as line_status,

        ---------- NFKC of the compared text fields, stored by ingestion (docs/decisions.md 95)
        customer_name_nfkc,
        service_type_nfkc,
        prefecture_nfkc,
        county_nfkc,
        access_type_nfkc,
        a_address_nfkc,
        z_address_nfkc,

        ---------- lineage (a line is identified by its file and row)
        _file as source_file,
        _row as source_row

    from source

)

select * from renamed
