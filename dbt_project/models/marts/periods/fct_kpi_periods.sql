-- The KPI table rolled up exactly to quarters and years (kpis.md § Quarters and years):
-- one row per period × KPI × grain × contractor × prefecture, the columns of fct_kpi
-- with `month` holding the period's label ('2026-Q3', '2026'), plus period_kind and
-- months_in_period (the data months of the period, 'YYYY-MM' comma-separated, which the
-- contractor scope reads). Numerator and denominator are the sums of the months' exact
-- units (seconds for fault_mttr_hours, circuits for staffing_per_100), exported through
-- the same kpi_numerator / kpi_denominator / kpi_value macros as a month and rounded
-- half-up once; penalty_yuan is the sum of the months'; composite_score is recomputed
-- from the pooled components (composite_fractions, the macro of the month's score).
-- A period agrees with what fct_kpi publishes: a closed month (access.md) contributes
-- its frozen rows, converted back to units with the catalogue's divisors, every other
-- month this run's exact units. Grains: every grain that appears in any month of the
-- period (edge rule 1); a population empty in every month has denominator 0.
with

catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

frozen as (

    select * from {{ source('appdb', 'frozen_kpi') }}

),

computed_months as (

    select
        month,
        month_label
    from {{ ref('int_months') }}
    where month_label not in (select f.month from frozen as f)

),

-- the months fct_kpi publishes: this run's (closed ones excepted) and the closed ones
data_months as (

    select month_label as month from computed_months
    union
    select distinct month from frozen

),

period_months as (

    {{ period_months('data_months', kinds=['quarter', 'year']) }}

),

periods as (

    select
        period_kind,
        period,
        {{ string_agg_sorted('month', ',') }} as months_in_period
    from period_months
    group by period_kind, period

),

-- exact units of every month: this run's, or the frozen figures of a closed month
units as (

    select
        computed_months.month_label as month,
        measures.kpi_code,
        measures.grain,
        measures.contractor,
        measures.prefecture,
        measures.numerator_units,
        measures.denominator_units
    from {{ ref('int_kpi_measures') }} as measures
    inner join computed_months
        on measures.month = computed_months.month

    union all

    select
        frozen.month,
        frozen.kpi_code,
        frozen.grain,
        frozen.contractor,
        frozen.prefecture,
        cast(coalesce(frozen.numerator, 0) * catalogue.numerator_divisor as decimal(38, 6)) as numerator_units,
        cast(coalesce(frozen.denominator, 0) * catalogue.denominator_divisor as decimal(38, 6))
            as denominator_units
    from frozen
    inner join catalogue
        on frozen.kpi_code = catalogue.kpi_code
    where catalogue.grain_scope = 'all'

),

pooled as (

    select
        period_months.period_kind,
        period_months.period,
        units.kpi_code,
        units.grain,
        units.contractor,
        units.prefecture,
        sum(units.numerator_units) as numerator_units,
        sum(units.denominator_units) as denominator_units
    from units
    inner join period_months
        on units.month = period_months.month
    group by
        period_months.period_kind,
        period_months.period,
        units.kpi_code,
        units.grain,
        units.contractor,
        units.prefecture

),

-- each month's published penalty: this run's, or the frozen one of a closed month
month_penalties as (

    select
        computed_months.month_label as month,
        scored.contractor,
        cast(scored.penalty_yuan as decimal(38, 6)) as penalty_yuan
    from {{ ref('int_contractor_months_scored') }} as scored
    inner join computed_months
        on scored.month = computed_months.month

    union all

    select
        month,
        contractor,
        cast(value as decimal(38, 6)) as penalty_yuan
    from frozen
    where kpi_code = 'penalty_yuan'

),

-- each period's penalty: the sum of its months' published penalties
penalties as (

    select
        period_months.period_kind,
        period_months.period,
        month_penalties.contractor,
        sum(month_penalties.penalty_yuan) as penalty_yuan
    from month_penalties
    inner join period_months
        on month_penalties.month = period_months.month
    group by period_months.period_kind, period_months.period, month_penalties.contractor

),

-- rates, penalties and the composite from the pooled units, rounded once (macros/kpi_units.sql)
all_kpis as (

    {{ pooled_kpi_rows('pooled', 'penalties', keys=['period_kind', 'period']) }}

),

final as (

    select
        all_kpis.period as month,
        all_kpis.kpi_code,
        all_kpis.grain,
        all_kpis.contractor,
        all_kpis.prefecture,
        cast(all_kpis.numerator as decimal(38, 6)) as numerator,
        cast(all_kpis.denominator as decimal(38, 6)) as denominator,
        cast(all_kpis.value as decimal(38, 6)) as value,
        cast(catalogue.target as decimal(38, 6)) as target,
        catalogue.direction,
        case when all_kpis.value is not null then all_kpis.meets_target and all_kpis.meets_min_count end as met,
        catalogue.kpi_name_zh,
        catalogue.unit,
        all_kpis.period_kind,
        periods.months_in_period
    from all_kpis
    inner join periods
        on
            all_kpis.period_kind = periods.period_kind
            and all_kpis.period = periods.period
    inner join catalogue
        on all_kpis.kpi_code = catalogue.kpi_code

)

select * from final
order by period_kind, month, kpi_code, contractor, prefecture
