-- The supporting views of suspension_rescue_rate (area 9) and region_staffing_rate
-- (area 6) explain those KPIs without re-deciding them, so their counts must add up to
-- int_kpi_computed's numerators and denominators. Returns one row per check, month,
-- grain, contractor and prefecture that does not:
--   suspension_minutes   every grain: timely_tickets = suspension_rescue_rate denominator,
--                        rescued_tickets = its numerator, fault_tickets =
--                        fault_timely_rate denominator
--   suspension_rescues   rows per contractor (and province, '' = all) = the
--                        suspension_rescue_rate numerator
--   region_staffing      rows per (contractor, prefecture) = the region_staffing_rate
--                        denominator at that grain, Σ is_staffed = its numerator
with

kpi as (

    select
        month,
        kpi_code,
        grain,
        contractor,
        prefecture,
        numerator,
        denominator
    from {{ ref('int_kpi_computed') }}

),

minutes as (

    select * from {{ ref('mart_suspension_minutes') }}

),

rescue_rows as (

    select
        month,
        contractor,
        count(*) as rescued
    from (
        select
            month,
            '' as contractor
        from {{ ref('mart_suspension_rescues') }}
        union all
        select
            month,
            contractor
        from {{ ref('mart_suspension_rescues') }}
        where contractor is not null
    ) as scoped
    group by month, contractor

),

regions as (

    select
        month,
        contractor,
        prefecture,
        count(*) as pairs,
        sum(case when is_staffed then 1 else 0 end) as staffed_pairs
    from {{ ref('mart_region_staffing') }}
    group by month, contractor, prefecture

),

checks as (

    select
        'suspension_minutes' as check_name,
        kpi.month,
        kpi.grain,
        kpi.contractor,
        kpi.prefecture,
        kpi.numerator,
        kpi.denominator,
        minutes.rescued_tickets as view_numerator,
        minutes.timely_tickets as view_denominator
    from kpi
    left join minutes
        on
            kpi.month = minutes.month
            and kpi.grain = minutes.grain
            and kpi.contractor = minutes.contractor
            and kpi.prefecture = minutes.prefecture
    where kpi.kpi_code = 'suspension_rescue_rate'

    union all

    select
        'suspension_minutes_population' as check_name,
        kpi.month,
        kpi.grain,
        kpi.contractor,
        kpi.prefecture,
        0 as numerator,
        kpi.denominator,
        0 as view_numerator,
        minutes.fault_tickets as view_denominator
    from kpi
    left join minutes
        on
            kpi.month = minutes.month
            and kpi.grain = minutes.grain
            and kpi.contractor = minutes.contractor
            and kpi.prefecture = minutes.prefecture
    where kpi.kpi_code = 'fault_timely_rate'

    union all

    select
        'suspension_rescues' as check_name,
        kpi.month,
        kpi.grain,
        kpi.contractor,
        kpi.prefecture,
        kpi.numerator,
        0 as denominator,
        coalesce(rescue_rows.rescued, 0) as view_numerator,
        0 as view_denominator
    from kpi
    left join rescue_rows
        on kpi.month = rescue_rows.month and kpi.contractor = rescue_rows.contractor
    where kpi.kpi_code = 'suspension_rescue_rate' and kpi.grain in ('province', 'contractor')

    union all

    select
        'region_staffing' as check_name,
        kpi.month,
        kpi.grain,
        kpi.contractor,
        kpi.prefecture,
        kpi.numerator,
        kpi.denominator,
        coalesce(regions.staffed_pairs, 0) as view_numerator,
        coalesce(regions.pairs, 0) as view_denominator
    from kpi
    left join regions
        on
            kpi.month = regions.month
            and kpi.contractor = regions.contractor
            and kpi.prefecture = regions.prefecture
    where kpi.kpi_code = 'region_staffing_rate' and kpi.grain = 'contractor_prefecture'

)

select * from checks
where
    view_numerator is null
    or view_denominator is null
    or numerator != view_numerator
    or denominator != view_denominator
