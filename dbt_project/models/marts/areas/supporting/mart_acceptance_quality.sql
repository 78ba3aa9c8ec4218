-- Area 8 (工程验收): one row per month × grain × contractor × prefecture of fct_kpi
-- with the three acceptance KPIs side by side exactly as fct_kpi has them (first pass,
-- documents within the working-day deadline, a fault within 90 days), and from the
-- acceptances themselves the open issues (遗留问题数) and the post-acceptance fault
-- tickets counted (an acceptance can have several; the KPI counts it once).
{% set kpis = ['acceptance_first_pass_rate', 'acceptance_docs_timely_rate', 'post_acceptance_fault_rate'] %}
with

pivoted as (

    {{ kpis_side_by_side(ref('fct_kpi'), kpis) }}

),

acceptances as (

    select
        {{ format_month('month') }} as month,
        contractor,
        prefecture,
        coalesce(open_issues, 0) as open_issues,
        post_acceptance_fault_count
    from {{ ref('int_acceptances_assessed') }}

),

counted as (

    {{ rollup('acceptances', [
        'sum(open_issues) as open_issues',
        'sum(post_acceptance_fault_count) as post_acceptance_fault_tickets',
    ]) }}

),

final as (

    select
        pivoted.month,
        pivoted.grain,
        pivoted.contractor,
        pivoted.prefecture,
        {% for kpi in kpis %}
        cast(pivoted.{{ kpi }}_numerator as decimal(38, 6)) as {{ kpi }}_numerator,
        cast(pivoted.{{ kpi }}_denominator as decimal(38, 6)) as {{ kpi }}_denominator,
        cast(pivoted.{{ kpi }} as decimal(38, 6)) as {{ kpi }},
        {% endfor %}
        cast(coalesce(counted.open_issues, 0) as bigint) as open_issues,
        cast(coalesce(counted.post_acceptance_fault_tickets, 0) as bigint) as post_acceptance_fault_tickets
    from pivoted
    left join counted
        on
            pivoted.month = counted.month
            and pivoted.grain = counted.grain
            and pivoted.contractor = counted.contractor
            and pivoted.prefecture = counted.prefecture

)

select * from final
order by month, grain, contractor, prefecture
