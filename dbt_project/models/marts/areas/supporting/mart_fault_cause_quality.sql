-- Area 7 (仪器仪表配置): how well faults are diagnosed. One row per month × contractor
-- ('' = all) with the closed 故障 tickets (status 已归档, seed area_value_sets) and how
-- many were closed as 不明原因 or with no 故障原因大类 at all, their shares, and, exactly
-- as fct_kpi has them, the repeat faults (repeat_fault_rate) and the instrument coverage
-- (instrument_coverage_rate: prefectures with the full instrument kit).
{% set kpis = ['repeat_fault_rate', 'instrument_coverage_rate'] %}
with

value_sets as (

    select * from {{ ref('area_value_sets') }}

),

side_by_side as (

    {{ kpis_side_by_side(ref('fct_kpi'), kpis) }}

),

pivoted as (

    select * from side_by_side
    where grain in ('province', 'contractor')

),

closed_faults as (

    select
        {{ format_month('month') }} as month,
        contractor,
        coalesce(cause_category in (
            select vs.value from value_sets as vs
            where vs.set_code = 'unknown_cause'
        ), false) as is_unknown_cause,
        cause_category is null as is_blank_cause
    from {{ ref('int_tickets_described') }}
    where
        is_fault
        and ticket_status in (
            select vs.value from value_sets as vs
            where vs.set_code = 'closed_ticket_status'
        )

),

counted as (

    {{ rollup('closed_faults', [
        'count(*) as closed_faults',
        'sum(case when is_unknown_cause then 1 else 0 end) as unknown_cause_faults',
        'sum(case when is_blank_cause then 1 else 0 end) as blank_cause_faults',
    ], grains=['province', 'contractor']) }}

),

final as (

    select
        {% for kpi in kpis %}
        cast(pivoted.{{ kpi }}_numerator as decimal(38, 6)) as {{ kpi }}_numerator,
        cast(pivoted.{{ kpi }}_denominator as decimal(38, 6)) as {{ kpi }}_denominator,
        cast(pivoted.{{ kpi }} as decimal(38, 6)) as {{ kpi }},
        {% endfor %}
        pivoted.month,
        pivoted.contractor,
        cast(coalesce(counted.closed_faults, 0) as bigint) as closed_faults,
        cast(coalesce(counted.unknown_cause_faults, 0) as bigint) as unknown_cause_faults,
        {{ ratio_half_up(to_big_int('counted.unknown_cause_faults'), to_big_int('counted.closed_faults')) }}
            as unknown_cause_share,
        cast(coalesce(counted.blank_cause_faults, 0) as bigint) as blank_cause_faults,
        {{ ratio_half_up(to_big_int('counted.blank_cause_faults'), to_big_int('counted.closed_faults')) }}
            as blank_cause_share
    from pivoted
    left join counted
        on
            pivoted.month = counted.month
            and pivoted.contractor = counted.contractor

)

select * from final
order by month, contractor
