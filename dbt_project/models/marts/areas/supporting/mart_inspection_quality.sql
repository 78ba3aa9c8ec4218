-- Area 4 (巡检模式): one row per month × contractor ('' = all) of the inspection
-- records: how many carry photos (seed inspection_evidence), the customer's sign-off
-- and a config backup, with their shares, the issues found and fixed on site, and the
-- number of overdue sites (mart_overdue_sites). Records count for their own 代维公司 and
-- the month of 巡检时间; overdue sites for the circuit's contractor in EOMS.
with

months as (

    select month from {{ ref('int_months') }}

),

contractors as (

    select contractor
    from {{ ref('int_kpi_grains') }}
    where grain in ('province', 'contractor')

),

inspections as (

    select * from {{ ref('int_inspections_evidenced') }}

),

counted as (

    {{ rollup('inspections', [
        'count(*) as inspections',
        'sum(case when has_photos then 1 else 0 end) as with_photos',
        'sum(case when is_customer_signed then 1 else 0 end) as signed_off',
        'sum(case when is_config_backed_up then 1 else 0 end) as config_backed_up',
        'sum(coalesce(issues_found, 0)) as issues_found',
        'sum(coalesce(issues_fixed_onsite, 0)) as issues_fixed_onsite',
    ], grains=['province', 'contractor']) }}

),

overdue as (

    {{ rollup(
        ref('int_circuit_months_inspected'),
        ['count(*) as overdue_sites'],
        grains=['province', 'contractor'],
        where='not has_inspection',
    ) }}

),

spine as (

    select
        months.month,
        contractors.contractor,
        coalesce(counted.inspections, 0) as inspections,
        coalesce(counted.with_photos, 0) as with_photos,
        coalesce(counted.signed_off, 0) as signed_off,
        coalesce(counted.config_backed_up, 0) as config_backed_up,
        coalesce(counted.issues_found, 0) as issues_found,
        coalesce(counted.issues_fixed_onsite, 0) as issues_fixed_onsite,
        coalesce(overdue.overdue_sites, 0) as overdue_sites
    from months
    cross join contractors
    left join counted
        on
            months.month = counted.month
            and contractors.contractor = counted.contractor
    left join overdue
        on
            months.month = overdue.month
            and contractors.contractor = overdue.contractor

),

final as (

    select
        {{ format_month('month') }} as month,
        contractor,
        cast(inspections as bigint) as inspections,
        cast(with_photos as bigint) as with_photos,
        {{ ratio_half_up(to_big_int('with_photos'), to_big_int('inspections')) }} as photo_share,
        cast(signed_off as bigint) as signed_off,
        {{ ratio_half_up(to_big_int('signed_off'), to_big_int('inspections')) }} as sign_off_share,
        cast(config_backed_up as bigint) as config_backed_up,
        {{ ratio_half_up(to_big_int('config_backed_up'), to_big_int('inspections')) }} as config_backup_share,
        cast(issues_found as bigint) as issues_found,
        cast(issues_fixed_onsite as bigint) as issues_fixed_onsite,
        cast(overdue_sites as bigint) as overdue_sites
    from spine

)

select * from final
order by month, contractor
