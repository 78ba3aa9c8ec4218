with

source as (

    select * from {{ source('hr', 'hr_roster') }}

),

renamed as (

    select
        ---------- ids
        roster_month,
        employee_id,
        employee_id_raw,

        ---------- attribution
        contractor,
        prefecture,

        ---------- person
        name as employee_name,
        role,
        education,
        certifications,
        certifications_nfkc,  -- NFKC, stored by ingestion (docs/decisions.md 95)
        core_network_years,
        work_years,
        training_hours,

        ---------- dates
        hired_on,
        left_on,

        ---------- lineage
        _file as source_file,
        _row as source_row

    from source

)

select * from renamed
