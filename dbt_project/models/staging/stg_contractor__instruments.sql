with

source as (

    select * from {{ source('contractor', 'instruments') }}

),

renamed as (

    select
        ---------- ids
        instrument_id,
        instrument_id_raw,

        ---------- attribution
        contractor,
        prefecture,

        ---------- instrument
        instrument_type,
        status as instrument_status,
        calibration_due as calibration_due_on,

        ---------- lineage
        _file as source_file,
        _row as source_row

    from source

)

select * from renamed
