with

source as (

    select * from {{ source('nms', 'device_metrics') }}

),

renamed as (

    select
        ---------- ids
        device_id,
        device_id_raw,
        circuit_id,
        circuit_id_raw,
        device_type,

        ---------- times
        collected_at,

        ---------- measures
        cpu_pct,
        mem_pct,
        ping_size_bytes,
        ping_sent,
        ping_lost,
        latency_ms,

        ---------- lineage
        _file as source_file,
        _row as source_row,
        _load_seq as load_seq

    from source

)

select * from renamed
