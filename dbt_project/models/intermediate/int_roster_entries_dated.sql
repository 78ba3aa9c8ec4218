-- One row per roster entry (month × employee of that month's snapshot, edge rule 8):
-- employed on the month's first and last day (hired_on <= d and left_on blank or
-- >= d; a blank 入职日期 is not employed), left inside the month, and the
-- qualifications the HR KPIs count. Certificates are split on `;` after NFKC (the
-- stored twin certifications_nfkc), trimmed and compared upper-case with seed
-- kpi_value_sets (qualifying_cert; maintenance_licence
-- = 代维资格证). tech_qualified_share: 学历 in kpi_value_sets college_or_above and
-- 相关工作年限 >= hr_thresholds work_years_min; a blank one is not qualified.
with

roster as (

    select * from {{ ref('stg_hr__rosters') }}

),

core_years as (

    select
        max(case when metric = 'core_network_years_min' then threshold end) as core_network_years_min,
        max(case when metric = 'work_years_min' then threshold end) as work_years_min
    from {{ ref('hr_thresholds') }}

),

certificates as (

    select
        roster_month,
        employee_id,
        upper({{ trim_text('certificate') }}) as certificate
    from (
        select
            roster_month,
            employee_id,
            {{ unnest_list(split_to_list(normalize_text('certifications'), ';')) }} as certificate
        from roster
        where certifications is not null
    ) as split_certificates

),

certificate_sets as (

    select
        set_code,
        upper(value) as certificate
    from {{ ref('kpi_value_sets') }}
    where set_code in ('qualifying_cert', 'maintenance_licence')

),

qualified as (

    select
        certificates.roster_month,
        certificates.employee_id,
        max(case when certificate_sets.set_code = 'qualifying_cert' then 1 else 0 end) = 1 as has_qualifying_cert,
        max(case when certificate_sets.set_code = 'maintenance_licence' then 1 else 0 end) = 1
            as has_maintenance_licence
    from certificates
    inner join certificate_sets
        on certificates.certificate = certificate_sets.certificate
    group by certificates.roster_month, certificates.employee_id

),

dated as (

    select
        roster.roster_month as month,
        roster.employee_id,
        roster.contractor,
        roster.prefecture,
        roster.role,
        roster.education,
        roster.certifications,
        roster.core_network_years,
        roster.work_years,
        roster.hired_on,
        roster.left_on,
        roster.training_hours,
        roster.roster_month as month_start_on,
        {{ month_end('roster.roster_month') }} as month_end_on,
        coalesce(roster.role in (select sr.role from {{ ref('staffing_roles') }} as sr), false) as is_staffing_role,
        coalesce(qualified.has_qualifying_cert, false) as has_qualifying_cert,
        coalesce(qualified.has_maintenance_licence, false) as has_maintenance_licence,
        coalesce({{ in_value_set('roster.education', 'bachelor_or_above') }}, false) as is_bachelor_or_above,
        coalesce({{ in_value_set('roster.education', 'college_or_above') }}, false) as is_college_or_above,
        coalesce(roster.core_network_years >= core_years.core_network_years_min, false) as has_core_experience,
        coalesce(roster.work_years >= core_years.work_years_min, false) as has_work_years
    from roster
    cross join core_years
    left join qualified
        on
            roster.roster_month = qualified.roster_month
            and roster.employee_id = qualified.employee_id

),

final as (

    select
        *,
        coalesce(hired_on <= month_start_on and (left_on is null or left_on >= month_start_on), false)
            as is_employed_at_month_start,
        coalesce(hired_on <= month_end_on and (left_on is null or left_on >= month_end_on), false)
            as is_employed_at_month_end,
        coalesce(left_on between month_start_on and month_end_on, false) as has_left_in_month,
        is_college_or_above and has_work_years as is_tech_qualified
    from dated

)

select * from final
