-- Every figure an accepted appeal changed (access.md): one row per month × KPI ×
-- grain × contractor × prefecture whose numerator differs before and after the
-- rulings, with both values and the ids of the accepted appeals behind the
-- difference. Rates are computed from the same exact units and rounded the same way
-- as int_kpi_computed; penalty_yuan and composite_score come from
-- int_contractor_months_scored, which keeps both bases. Populations never change.
with

catalogue as (

    select * from {{ ref('kpi_catalogue') }}

),

months as (

    select * from {{ ref('int_months') }}

),

measures as (

    select
        measures.*,
        {{ micros('measures.numerator_units') }} as numerator_micros,
        {{ micros('measures.numerator_units_before') }} as numerator_before_micros,
        {{ micros('measures.denominator_units') }} as denominator_micros
    from {{ ref('int_kpi_measures') }} as measures
    where measures.numerator_units <> measures.numerator_units_before

),

rates as (

    select
        measures.month,
        measures.kpi_code,
        measures.grain,
        measures.contractor,
        measures.prefecture,
        {{ kpi_numerator('measures.numerator_before_micros') }} as numerator_before,
        {{ kpi_numerator('measures.numerator_micros') }} as numerator_after,
        {{ kpi_denominator('measures.denominator_micros') }} as denominator,
        {{ kpi_value('measures.numerator_before_micros', 'measures.denominator_micros') }} as value_before,
        {{ kpi_value('measures.numerator_micros', 'measures.denominator_micros') }} as value_after
    from measures
    inner join catalogue
        on measures.kpi_code = catalogue.kpi_code

),

scored as (

    select * from {{ ref('int_contractor_months_scored') }}

),

money as (

    select
        month,
        'penalty_yuan' as kpi_code,
        'contractor' as grain,
        contractor,
        '' as prefecture,
        cast(penalty_yuan_before as decimal(38, 6)) as numerator_before,
        cast(penalty_yuan as decimal(38, 6)) as numerator_after,
        cast(1 as decimal(38, 6)) as denominator,
        cast(penalty_yuan_before as decimal(38, 6)) as value_before,
        cast(penalty_yuan as decimal(38, 6)) as value_after
    from scored
    where penalty_yuan <> penalty_yuan_before

    union all

    select
        month,
        'composite_score' as kpi_code,
        'contractor' as grain,
        contractor,
        '' as prefecture,
        composite_score_before as numerator_before,
        composite_score as numerator_after,
        cast(1 as decimal(38, 6)) as denominator,
        composite_score_before as value_before,
        composite_score as value_after
    from scored
    where composite_numerator <> composite_numerator_before

),

adjusted as (

    select * from rates
    union all
    select * from money

),

tickets as (

    select
        ticket_id,
        contractor,
        prefecture,
        month,
        is_fault_timed
    from {{ ref('int_tickets_clocked') }}

),

ruled as (

    -- each accepted appeal, placed on its ticket's month, contractor and prefecture
    select
        rulings.appeal_id,
        tickets.month,
        tickets.contractor,
        tickets.prefecture,
        case rulings.rule
            when 'timeliness'
                then case when tickets.is_fault_timed then 'fault_timely_rate' else 'activation_timely_rate' end
            when 'ack' then 'ack_timely_rate'
            when 'form_item' then 'form_complete_rate'
            when 'photo' then 'photo_complete_rate'
        end as kpi_code
    from {{ ref('stg_appdb__rulings') }} as rulings
    inner join tickets
        on
            rulings.ticket_id = tickets.ticket_id
            and rulings.contractor = tickets.contractor

),

ruled_kpis as (

    select * from ruled
    union all
    select
        appeal_id,
        month,
        contractor,
        prefecture,
        'penalty_yuan' as kpi_code
    from ruled
    union all
    select
        appeal_id,
        month,
        contractor,
        prefecture,
        'composite_score' as kpi_code
    from ruled

),

-- the accepted appeals of each KPI row, at the three grains of fct_kpi
appeal_ids as (

    {{ rollup(
        'ruled_kpis',
        [string_agg_sorted('cast(appeal_id as ' ~ string_type() ~ ')', ', ') ~ ' as appeal_ids'],
        keys=['month', 'kpi_code']
    ) }}

),

final as (

    select
        months.month_label as month,
        adjusted.kpi_code,
        catalogue.kpi_name_zh,
        adjusted.grain,
        adjusted.contractor,
        adjusted.prefecture,
        cast(adjusted.numerator_before as decimal(38, 6)) as numerator_before,
        cast(adjusted.numerator_after as decimal(38, 6)) as numerator_after,
        cast(adjusted.denominator as decimal(38, 6)) as denominator,
        cast(adjusted.value_before as decimal(38, 6)) as value_before,
        cast(adjusted.value_after as decimal(38, 6)) as value_after,
        coalesce(appeal_ids.appeal_ids, '') as appeal_ids
    from adjusted
    inner join months
        on adjusted.month = months.month
    inner join catalogue
        on adjusted.kpi_code = catalogue.kpi_code
    left join appeal_ids
        on
            adjusted.month = appeal_ids.month
            and adjusted.kpi_code = appeal_ids.kpi_code
            and adjusted.grain = appeal_ids.grain
            and adjusted.contractor = appeal_ids.contractor
            and adjusted.prefecture = appeal_ids.prefecture

)

select * from final
order by month, kpi_code, grain, contractor, prefecture
