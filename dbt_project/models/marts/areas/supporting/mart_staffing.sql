-- Area 6 (人员管理): one row per month × grain × contractor × prefecture of fct_kpi
-- (province, contractor, contractor_prefecture) with the HR KPIs side by side, exactly
-- as fct_kpi has them (staffing per 100 circuits, certified, bachelor and core-network
-- shares, turnover, region staffing, technician qualification), and the training hours
-- of the month's roster: employees employed at month end, their 当月培训时长 in total
-- and per employee.
{% set kpis = [
    'staffing_per_100', 'cert_share', 'bachelor_share', 'core_exp_share', 'turnover_rate',
    'region_staffing_rate', 'tech_qualified_share',
] %}
with

pivoted as (

    {{ kpis_side_by_side(ref('fct_kpi'), kpis) }}

),

employees as (

    select
        {{ format_month('month') }} as month,
        contractor,
        prefecture,
        coalesce(training_hours, 0) as training_hours
    from {{ ref('int_roster_entries_dated') }}
    where is_employed_at_month_end

),

trained as (

    {{ rollup('employees', [
        'count(*) as employees',
        'sum(training_hours) as training_hours',
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
        cast(pivoted.staffing_per_100_denominator * 100 as bigint) as in_service_circuits,
        cast(coalesce(trained.employees, 0) as bigint) as employees_at_month_end,
        cast(coalesce(trained.training_hours, 0) as double) as training_hours,
        cast(trained.training_hours / nullif(trained.employees, 0) as double) as training_hours_per_employee
    from pivoted
    left join trained
        on
            pivoted.month = trained.month
            and pivoted.grain = trained.grain
            and pivoted.contractor = trained.contractor
            and pivoted.prefecture = trained.prefecture

)

select * from final
order by month, grain, contractor, prefecture
