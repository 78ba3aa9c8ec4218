with

source as (

    select * from {{ source('eoms', 'acceptance') }}

),

renamed as (

    select
        ---------- ids
        acceptance_id,
        acceptance_id_raw,
        circuit_id,
        circuit_id_raw,

        ---------- attribution
        prefecture,
        contractor,
        builder,

        ---------- dates
        accepted_on,
        docs_handed_on,

        ---------- outcome
        result as acceptance_result,
        open_issues,

        ---------- lineage
        _file as source_file,
        _row as source_row

    from source

)

select * from renamed
