-- Settlement (结算, kpis.md § Settlement): one row per period × contractor, for months,
-- quarters and years. Payable = base fee − penalty_yuan, where the base fee is the
-- contractor's monthly fee (seed contractor_base_fees) times the data months of the
-- period, and penalty_yuan is the sum of the published monthly penalties of fct_kpi
-- (frozen for a closed month; a net bonus is negative and raises the payable amount).
-- A contractor without a base-fee row has base_fee_yuan and payable_yuan NULL. The fees
-- are those of the run's province (var daiwei_province: a contractor working in several
-- provinces holds one contract in each).
with

published as (

    select
        month,
        contractor,
        value as penalty_yuan
    from {{ ref('fct_kpi') }}
    where kpi_code = 'penalty_yuan'

),

data_months as (

    select distinct month from {{ ref('fct_kpi') }}

),

period_months as (

    {{ period_months('data_months', kinds=['month', 'quarter', 'year']) }}

),

periods as (

    select
        period_kind,
        period,
        {{ string_agg_sorted('month', ',') }} as months_in_period,
        count(*) as month_count
    from period_months
    group by period_kind, period

),

penalties as (

    select
        period_months.period_kind,
        period_months.period,
        published.contractor,
        sum(published.penalty_yuan) as penalty_yuan
    from published
    inner join period_months
        on published.month = period_months.month
    group by period_months.period_kind, period_months.period, published.contractor

),

fees as (

    select
        contractor,
        monthly_base_fee_yuan
    from {{ ref('contractor_base_fees') }}
    where province = '{{ var("daiwei_province", "贵州") | replace("'", "''") }}'

),

final as (

    select
        periods.period_kind,
        periods.period as month,
        periods.months_in_period,
        penalties.contractor,
        cast(periods.month_count as integer) as month_count,
        cast(fees.monthly_base_fee_yuan * periods.month_count as decimal(38, 2)) as base_fee_yuan,
        cast(penalties.penalty_yuan as decimal(38, 2)) as penalty_yuan,
        cast(fees.monthly_base_fee_yuan * periods.month_count - penalties.penalty_yuan as decimal(38, 2))
            as payable_yuan
    from penalties
    inner join periods
        on
            penalties.period_kind = periods.period_kind
            and penalties.period = periods.period
    left join fees
        on penalties.contractor = fees.contractor

)

select * from final
order by period_kind, month, contractor
