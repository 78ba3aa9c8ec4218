-- Area 6 (人员管理): region staffing, one row per month × contractor × prefecture where
-- the contractor has EOMS circuits in service at month end (the population of
-- region_staffing_rate, kpis.md edge rule 16): its circuits, its staff (技术人员 / 班组长)
-- in that prefecture in the month's roster employed at month end, of whom holding
-- 代维资格证 and meeting the education and work-year bar, and whether the region meets
-- the rule (>= 2 staff, >= 1 licence holder; seed hr_thresholds).
with

regions as (

    select * from {{ ref('int_region_staffing_checked') }}

),

final as (

    select
        {{ format_month('month') }} as month,
        contractor,
        prefecture,
        cast(in_service_circuit_count as bigint) as in_service_circuits,
        cast(staff_count as bigint) as staff_at_month_end,
        cast(licensed_staff_count as bigint) as licensed_staff,
        cast(qualified_staff_count as bigint) as qualified_staff,
        is_staffed
    from regions

)

select * from final
order by month, contractor, prefecture
