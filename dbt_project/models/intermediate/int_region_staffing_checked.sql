-- One row per month × contractor × prefecture where the contractor has EOMS circuits in
-- service at month end (kpis.md edge rule 16, the population of region_staffing_rate):
-- how many of the contractor's staff (seed staffing_roles) in that prefecture, in month
-- M's roster, are employed at month end (edge rule 8), how many of them hold 代维资格证
-- and how many meet the education and work-year bar, and whether the region is staffed:
-- >= region_staff_min such staff and >= region_licence_holders_min licence holders
-- (seed hr_thresholds).
with

areas as (

    select
        month,
        month_end_on,
        contractor,
        prefecture,
        count(*) as in_service_circuit_count
    from {{ ref('int_circuit_months_in_service') }}
    where contractor is not null and prefecture is not null
    group by month, month_end_on, contractor, prefecture

),

thresholds as (

    select
        max(case when metric = 'region_staff_min' then threshold end) as region_staff_min,
        max(case when metric = 'region_licence_holders_min' then threshold end) as region_licence_holders_min
    from {{ ref('hr_thresholds') }}

),

staff as (

    select
        month,
        contractor,
        prefecture,
        count(*) as staff_count,
        sum(case when has_maintenance_licence then 1 else 0 end) as licensed_staff_count,
        sum(case when is_tech_qualified then 1 else 0 end) as qualified_staff_count
    from {{ ref('int_roster_entries_dated') }}
    where is_staffing_role and is_employed_at_month_end
    group by month, contractor, prefecture

),

counted as (

    select
        areas.month,
        areas.month_end_on,
        areas.contractor,
        areas.prefecture,
        areas.in_service_circuit_count,
        coalesce(staff.staff_count, 0) as staff_count,
        coalesce(staff.licensed_staff_count, 0) as licensed_staff_count,
        coalesce(staff.qualified_staff_count, 0) as qualified_staff_count
    from areas
    left join staff
        on
            areas.month = staff.month
            and areas.contractor = staff.contractor
            and areas.prefecture = staff.prefecture

),

final as (

    select
        counted.*,
        coalesce(
            counted.staff_count >= thresholds.region_staff_min
            and counted.licensed_staff_count >= thresholds.region_licence_holders_min,
            false
        ) as is_staffed
    from counted
    cross join thresholds

)

select * from final
