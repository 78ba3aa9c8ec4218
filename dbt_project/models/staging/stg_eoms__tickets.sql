with

source as (

    select * from {{ source('eoms', 'tickets') }}

),

renamed as (

    select
        ---------- ids
        ticket_id,
        ticket_id_raw,
        circuit_id,
        circuit_id_raw,
        technician_id,
        technician_id_raw,

        ---------- classification
        ticket_type,
        status as ticket_status,
        channel,
        customer_name,
        service_type,
        prefecture,
        county,
        area_type,
        service_level,
        contractor,

        ---------- times
        dispatched_at,
        acknowledged_at,
        arrived_at,
        arrived_at_text,
        splice_done_at,
        completed_at,
        completed_at_text,
        closed_at,

        ---------- measures
        suspended_minutes,
        spare_wait_minutes,
        spare_used as is_spare_used,

        ---------- fault description
        cause_category,
        cause_detail,
        faulty_device,
        resolution_note,

        ---------- confirmation form (确认单) items, as delivered
        contact_name,
        contact_phone,
        customer_signed as is_customer_signed,
        customer_signed_text,
        satisfaction,
        ip_address,
        vlan,
        mac_address,
        -- NFKC of the three items, stored by ingestion (docs/decisions.md 95)
        ip_address_nfkc,
        vlan_nfkc,
        mac_address_nfkc,
        a_end,
        route,
        z_end,
        photos,

        ---------- lineage
        _file as source_file,
        _row as source_row,
        _load_seq as load_seq

    from source

)

select * from renamed
