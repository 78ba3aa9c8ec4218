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

pooled_micros as (

    select
        pooled.*,
        {{ micros('pooled.numerator_units') }} as numerator_micros,
        {{ micros('pooled.denominator_units') }} as denominator_micros
    from pooled

),

rates as (

    select
        pooled_micros.period_kind,
        pooled_micros.period,
        pooled_micros.kpi_code,
        pooled_micros.grain,
        pooled_micros.contractor,
        pooled_micros.prefecture,
        {{ kpi_numerator('pooled_micros.numerator_micros') }} as numerator,
        {{ kpi_denominator('pooled_micros.denominator_micros') }} as denominator,
        {{ kpi_value('pooled_micros.numerator_micros', 'pooled_micros.denominator_micros') }} as value,
        {{ kpi_meets_target('pooled_micros.numerator_micros', 'pooled_micros.denominator_micros') }}
            as meets_target,
        {{ kpi_meets_min_count('pooled_micros.numerator_units') }} as meets_min_count
    from pooled_micros
    inner join catalogue
        on pooled_micros.kpi_code = catalogue.kpi_code

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

penalties as (

    select
        period_months.period_kind,
        period_months.period,
        'penalty_yuan' as kpi_code,
        'contractor' as grain,
        month_penalties.contractor,
        '' as prefecture,
        sum(month_penalties.penalty_yuan) as numerator,
        cast(1 as decimal(38, 6)) as denominator,
        sum(month_penalties.penalty_yuan) as value,
        cast(null as boolean) as meets_target,
        true as meets_min_count
    from month_penalties
    inner join period_months
        on month_penalties.month = period_months.month
    group by period_months.period_kind, period_months.period, month_penalties.contractor

),

fractions as (

    {{ composite_fractions('pooled', keys=['period_kind', 'period']) }}

),

composites as (

    select
        penalties.period_kind,
        penalties.period,
        'composite_score' as kpi_code,
        'contractor' as grain,
        penalties.contractor,
        '' as prefecture,
        {{ ratio_half_up('fractions.composite_numerator', 'fractions.composite_denominator') }} as numerator,
        cast(case when coalesce(fractions.composite_denominator, 0) > 0 then 1 else 0 end as decimal(38, 6))
            as denominator,
        {{ ratio_half_up('fractions.composite_numerator', 'fractions.composite_denominator') }} as value,
        {{ composite_meets_target('fractions.composite_numerator', 'fractions.composite_denominator') }}
            as meets_target,
        true as meets_min_count
    from penalties
    inner join catalogue
        on catalogue.kpi_code = 'composite_score'
    left join fractions
        on
            penalties.period_kind = fractions.period_kind
            and penalties.period = fractions.period
            and penalties.contractor = fractions.contractor

),

all_kpis as (

    select * from rates
    union all
    select * from penalties
    union all
    select * from composites

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
