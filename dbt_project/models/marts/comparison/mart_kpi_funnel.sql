-- The fair comparison of contractors (kpis.md § Fairness): one row per month × rate
-- KPI × contractor and per month × rate KPI × (contractor, prefecture), straight from
-- fct_kpi, with the provincial rate p (province grain of fct_kpi) and the funnel-plot
-- control limits at the row's population n: the normal approximation
-- p ± z·sqrt(p(1 − p) / n), clipped to [0, 1], with z of seed comparison_settings
-- (inner 95 %: 1.959964, outer 99.8 %: 3.090232). A rate KPI is one whose unit in
-- kpi_catalogue is 'ratio' (not mttr, staffing, penalty or composite). flag compares
-- the exact rate n_num / n with the outer (99.8 %) limits, flag_95 with the inner ones;
-- a population below min_population is too_small: shown, never flagged nor ranked.
-- rank_in_month ranks the rates in the KPI's good direction among the rows of the same
-- month, KPI and grain (contractors among contractors, pairs among pairs).
with

settings as (

    select
        max(min_population) as min_population,
        max(cast(inner_z as double)) as inner_z,
        max(cast(outer_z as double)) as outer_z
    from {{ ref('comparison_settings') }}

),

rate_kpis as (

    select
        kpi_code,
        kpi_name_zh,
        direction
    from {{ ref('kpi_catalogue') }}
    where unit = 'ratio'

),

kpis as (

    select * from {{ ref('fct_kpi') }}

),

province as (

    select
        month,
        kpi_code,
        numerator as province_numerator,
        denominator as province_denominator,
        value as province_rate
    from kpis
    where grain = 'province'

),

compared as (

    select
        kpis.month,
        kpis.kpi_code,
        rate_kpis.kpi_name_zh,
        rate_kpis.direction,
        kpis.grain,
        kpis.contractor,
        kpis.prefecture,
        kpis.numerator,
        kpis.denominator,
        kpis.value,
        province.province_numerator,
        province.province_denominator,
        province.province_rate,
        settings.min_population,
        settings.inner_z,
        settings.outer_z,
        case
            when kpis.denominator > 0 then cast(kpis.numerator as double) / cast(kpis.denominator as double)
        end as exact_rate,
        case
            when province.province_denominator > 0
                then cast(province.province_numerator as double) / cast(province.province_denominator as double)
        end as exact_province_rate
    from kpis
    inner join rate_kpis
        on kpis.kpi_code = rate_kpis.kpi_code
    inner join province
        on
            kpis.month = province.month
            and kpis.kpi_code = province.kpi_code
    cross join settings
    where kpis.grain in ('contractor', 'contractor_prefecture')

),

spread as (

    select
        *,
        case
            when denominator > 0
                then sqrt(exact_province_rate * (1 - exact_province_rate) / cast(denominator as double))
        end as standard_error
    from compared

),

limited as (

    select
        *,
        -- greatest / least skip NULLs: no population (or no provincial rate) → no limits
        case
            when standard_error is not null then greatest(0.0, exact_province_rate - inner_z * standard_error)
        end as inner_lower,
        case
            when standard_error is not null then least(1.0, exact_province_rate + inner_z * standard_error)
        end as inner_upper,
        case
            when standard_error is not null then greatest(0.0, exact_province_rate - outer_z * standard_error)
        end as outer_lower,
        case
            when standard_error is not null then least(1.0, exact_province_rate + outer_z * standard_error)
        end as outer_upper,
        denominator = 0 or denominator < min_population as is_too_small
    from spread

),

flagged as (

    select
        *,
        case
            when is_too_small then 'too_small'
            when exact_rate > outer_upper then 'above'
            when exact_rate < outer_lower then 'below'
            else 'within'
        end as flag,
        case
            when is_too_small then 'too_small'
            when exact_rate > inner_upper then 'above'
            when exact_rate < inner_lower then 'below'
            else 'within'
        end as flag_95,
        case when direction = 'lower' then exact_rate else -exact_rate end as badness
    from limited

),

ranked as (

    select
        *,
        case
            when not is_too_small
                then rank() over (partition by month, kpi_code, grain, is_too_small order by badness)
        end as rank_in_month
    from flagged

),

final as (

    select
        month,
        kpi_code,
        kpi_name_zh,
        direction,
        grain,
        contractor,
        prefecture,
        cast(numerator as decimal(38, 6)) as numerator,
        cast(denominator as decimal(38, 6)) as denominator,
        cast(value as decimal(38, 6)) as value,
        cast(province_numerator as decimal(38, 6)) as province_numerator,
        cast(province_denominator as decimal(38, 6)) as province_denominator,
        cast(province_rate as decimal(38, 6)) as province_rate,
        cast(inner_lower as decimal(38, 6)) as lcl95,
        cast(inner_upper as decimal(38, 6)) as ucl95,
        cast(outer_lower as decimal(38, 6)) as lcl998,
        cast(outer_upper as decimal(38, 6)) as ucl998,
        flag,
        flag_95,
        cast(rank_in_month as integer) as rank_in_month
    from ranked

)

select * from final
order by month, kpi_code, grain, contractor, prefecture
