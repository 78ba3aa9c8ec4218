-- One row per month × contractor: the two KPIs that exist only at that grain.
-- penalty_yuan is the sum of the traced penalty items (0 when there are none).
-- composite_score averages the component scores (rate × 100, or (1 − rate) × 100 for
-- lower-is-better rates) with the weights of seed composite_weights, leaving out
-- components whose population is empty and renormalising the rest (kpis.md). It is
-- kept as an exact fraction composite_numerator / composite_denominator, computed in
-- integers from each component's exact numerator and denominator (edge rule 13) by the
-- macro composite_fractions (macros/composite.sql), which fct_kpi_periods uses for
-- pooled quarters and years too; fct_kpi rounds it once. The *_before columns are the
-- same figures before accepted appeals (access.md), for mart_kpi_adjustments; the
-- weights and components are the same, since an appeal never changes a population.
with

months as (

    select month from {{ ref('int_months') }}

),

contractors as (

    select contractor
    from {{ ref('int_kpi_grains') }}
    where grain = 'contractor'

),

penalties as (

    select
        month,
        contractor,
        sum(amount_yuan) as penalty_yuan
    from {{ ref('int_penalty_items_traced') }}
    group by month, contractor

),

penalties_before as (

    select
        month,
        contractor,
        sum(amount_yuan) as penalty_yuan
    from {{ ref('int_penalty_items_before') }}
    group by month, contractor

),

composites as (

    {{ composite_fractions(
        ref('int_kpi_measures'),
        keys=['month'],
        numerators={
            'composite_numerator': 'numerator_units',
            'composite_numerator_before': 'numerator_units_before',
        },
    ) }}

),

final as (

    select
        months.month,
        contractors.contractor,
        cast(coalesce(penalties.penalty_yuan, 0) as decimal(18, 2)) as penalty_yuan,
        coalesce(composites.component_count, 0) as composite_component_count,
        composites.composite_numerator,
        composites.composite_denominator,
        {{ ratio_half_up('composites.composite_numerator', 'composites.composite_denominator') }} as composite_score,
        cast(coalesce(penalties_before.penalty_yuan, 0) as decimal(18, 2)) as penalty_yuan_before,
        composites.composite_numerator_before,
        {{ ratio_half_up('composites.composite_numerator_before', 'composites.composite_denominator') }}
            as composite_score_before
    from months
    cross join contractors
    left join penalties
        on
            months.month = penalties.month
            and contractors.contractor = penalties.contractor
    left join penalties_before
        on
            months.month = penalties_before.month
            and contractors.contractor = penalties_before.contractor
    left join composites
        on
            months.month = composites.month
            and contractors.contractor = composites.contractor

)

select * from final
