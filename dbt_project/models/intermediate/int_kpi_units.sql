-- Every unit that enters a KPI, one row per (KPI, subject): the month and the
-- contractor / prefecture it is attributed to, and what it adds to the numerator and
-- the denominator, in the KPI's own units (counts; seconds for fault_mttr_hours;
-- circuits for the staffing denominator). A NULL contractor counts at the province
-- grain only. Rules live in the upstream models; this one only maps them to KPIs.
-- numerator_units_before is the unit as measured, before accepted appeals (access.md):
-- it differs only for the ticket outcomes an appeal can change. suspension_rescue_rate
-- keeps one basis: an appeal can add a ticket to its population (timely by ruling) but
-- never makes one rescued, so its numerator is the same before and after.
-- A view (docs/decisions.md 106): read by int_kpi_measures alone (and two tests); as a
-- table it cost every run the rewrite of every unit of the year.
{{ config(materialized='view') }}
with

tickets as (

    select * from {{ ref('int_tickets_clocked') }}

),

units as (

    -- 故障处理及时率: 故障 and 投诉 tickets (the types of seed ticket_time_limits)
    select
        month,
        'fault_timely_rate' as kpi_code,
        contractor,
        prefecture,
        ticket_id as subject_id,
        case when is_timely then 1 else 0 end as numerator_units,
        case when is_timely_before then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from tickets
    where is_fault_timed

    union all

    -- 平均故障历时: 故障 tickets with 完成时间; numerator in seconds
    select
        month,
        'fault_mttr_hours' as kpi_code,
        contractor,
        prefecture,
        ticket_id as subject_id,
        effective_seconds as numerator_units,
        effective_seconds as numerator_units_before,
        1 as denominator_units
    from tickets
    where is_mttr_counted

    union all

    -- 接单及时率: all tickets
    select
        month,
        'ack_timely_rate' as kpi_code,
        contractor,
        prefecture,
        ticket_id as subject_id,
        case when is_ack_timely then 1 else 0 end as numerator_units,
        case when is_ack_timely_before then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from tickets

    union all

    -- 开通及时率: 开通 tickets
    select
        month,
        'activation_timely_rate' as kpi_code,
        contractor,
        prefecture,
        ticket_id as subject_id,
        case when is_timely then 1 else 0 end as numerator_units,
        case when is_timely_before then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from tickets
    where is_activation_timed

    union all

    -- 客户满意率: tickets with a 客户满意度
    select
        month,
        'satisfaction_rate' as kpi_code,
        contractor,
        prefecture,
        ticket_id as subject_id,
        case when is_satisfied then 1 else 0 end as numerator_units,
        case when is_satisfied then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from tickets
    where has_satisfaction

    union all

    -- 重复故障率: 故障 tickets
    select
        month,
        'repeat_fault_rate' as kpi_code,
        contractor,
        prefecture,
        ticket_id as subject_id,
        case when is_repeat then 1 else 0 end as numerator_units,
        case when is_repeat then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_tickets_repeat_flagged') }}

    union all

    -- 回单(确认单)合格率: archived 故障 / 开通 tickets
    select
        month,
        'form_complete_rate' as kpi_code,
        contractor,
        prefecture,
        ticket_id as subject_id,
        case when is_form_complete then 1 else 0 end as numerator_units,
        case when is_form_complete_before then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_tickets_form_checked') }}

    union all

    -- 现场照片合规率: the same population
    select
        month,
        'photo_complete_rate' as kpi_code,
        contractor,
        prefecture,
        ticket_id as subject_id,
        case when is_photo_complete then 1 else 0 end as numerator_units,
        case when is_photo_complete_before then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_tickets_photo_checked') }}

    union all

    -- 巡检完成率: circuits in service for the whole inspection window
    select
        month,
        'inspection_completion_rate' as kpi_code,
        contractor,
        prefecture,
        circuit_id as subject_id,
        case when has_inspection then 1 else 0 end as numerator_units,
        case when has_inspection then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_circuit_months_inspected') }}

    union all

    -- 设备健康率: device-months with at least one sample
    select
        month,
        'device_health_rate' as kpi_code,
        contractor,
        prefecture,
        device_id as subject_id,
        case when is_healthy then 1 else 0 end as numerator_units,
        case when is_healthy then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_device_months_assessed') }}

    union all

    -- 挂起救回率: timely tickets of the fault_timely_rate population (after rulings),
    -- rescued = timely only because 挂起时长 was taken off (edge rule 15)
    select
        month,
        'suspension_rescue_rate' as kpi_code,
        contractor,
        prefecture,
        ticket_id as subject_id,
        case when is_suspension_rescued then 1 else 0 end as numerator_units,
        case when is_suspension_rescued then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from tickets
    where is_fault_timed and is_timely

    union all

    -- 每百站点人员配置, numerator: staff (技术人员, 班组长) employed at month end
    select
        month,
        'staffing_per_100' as kpi_code,
        contractor,
        prefecture,
        employee_id as subject_id,
        1 as numerator_units,
        1 as numerator_units_before,
        0 as denominator_units
    from {{ ref('int_roster_entries_dated') }}
    where is_staffing_role and is_employed_at_month_end

    union all

    -- 每百站点人员配置, denominator: circuits in service at month end (÷ 100 in fct_kpi)
    select
        month,
        'staffing_per_100' as kpi_code,
        contractor,
        prefecture,
        circuit_id as subject_id,
        0 as numerator_units,
        0 as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_circuit_months_in_service') }}

    union all

    -- 认证人员占比: staff employed at month end
    select
        month,
        'cert_share' as kpi_code,
        contractor,
        prefecture,
        employee_id as subject_id,
        case when has_qualifying_cert then 1 else 0 end as numerator_units,
        case when has_qualifying_cert then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_roster_entries_dated') }}
    where is_staffing_role and is_employed_at_month_end

    union all

    -- 本科及以上占比: all employees employed at month end
    select
        month,
        'bachelor_share' as kpi_code,
        contractor,
        prefecture,
        employee_id as subject_id,
        case when is_bachelor_or_above then 1 else 0 end as numerator_units,
        case when is_bachelor_or_above then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_roster_entries_dated') }}
    where is_employed_at_month_end

    union all

    -- 核心网经验人员占比: all employees employed at month end
    select
        month,
        'core_exp_share' as kpi_code,
        contractor,
        prefecture,
        employee_id as subject_id,
        case when has_core_experience then 1 else 0 end as numerator_units,
        case when has_core_experience then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_roster_entries_dated') }}
    where is_employed_at_month_end

    union all

    -- 技术人员资质达标率: staff employed at month end; 大专 or above and 相关工作年限 >= 1
    select
        month,
        'tech_qualified_share' as kpi_code,
        contractor,
        prefecture,
        employee_id as subject_id,
        case when is_tech_qualified then 1 else 0 end as numerator_units,
        case when is_tech_qualified then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_roster_entries_dated') }}
    where is_staffing_role and is_employed_at_month_end

    union all

    -- 区域人员配置达标率: (contractor, prefecture) pairs with circuits in service at month
    -- end; staffed = >= 2 staff there at month end, >= 1 holding 代维资格证 (edge rule 16)
    select
        month,
        'region_staffing_rate' as kpi_code,
        contractor,
        prefecture,
        prefecture as subject_id,
        case when is_staffed then 1 else 0 end as numerator_units,
        case when is_staffed then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_region_staffing_checked') }}

    union all

    -- 人员流失率: employees employed on the month's first day
    select
        month,
        'turnover_rate' as kpi_code,
        contractor,
        prefecture,
        employee_id as subject_id,
        case when has_left_in_month then 1 else 0 end as numerator_units,
        case when has_left_in_month then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_roster_entries_dated') }}
    where is_employed_at_month_start

    union all

    -- 台帐一致率: circuits in service at month end
    select
        month,
        'ledger_consistency_rate' as kpi_code,
        contractor,
        prefecture,
        circuit_id as subject_id,
        case when is_consistent then 1 else 0 end as numerator_units,
        case when is_consistent then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_ledger_circuits_matched') }}

    union all

    -- 备件缺货率: (prefecture, part type) rows of the month's stock reports
    select
        month,
        'spare_stockout_rate' as kpi_code,
        contractor,
        prefecture,
        part_type as subject_id,
        case when is_stockout then 1 else 0 end as numerator_units,
        case when is_stockout then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_spare_stocks_flagged') }}

    union all

    -- 仪表配置达标率: prefectures where the contractor has circuits in service
    select
        month,
        'instrument_coverage_rate' as kpi_code,
        contractor,
        prefecture,
        prefecture as subject_id,
        case when is_covered then 1 else 0 end as numerator_units,
        case when is_covered then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_instrument_kits_checked') }}

    union all

    -- 一次验收通过率: acceptances dated in the month
    select
        month,
        'acceptance_first_pass_rate' as kpi_code,
        contractor,
        prefecture,
        acceptance_id as subject_id,
        case when is_first_pass then 1 else 0 end as numerator_units,
        case when is_first_pass then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_acceptances_assessed') }}

    union all

    -- 资料移交及时率: acceptances dated in the month
    select
        month,
        'acceptance_docs_timely_rate' as kpi_code,
        contractor,
        prefecture,
        acceptance_id as subject_id,
        case when is_docs_timely then 1 else 0 end as numerator_units,
        case when is_docs_timely then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_acceptances_assessed') }}

    union all

    -- 验收后90天故障率: acceptances dated in the month
    select
        month,
        'post_acceptance_fault_rate' as kpi_code,
        contractor,
        prefecture,
        acceptance_id as subject_id,
        case when has_post_acceptance_fault then 1 else 0 end as numerator_units,
        case when has_post_acceptance_fault then 1 else 0 end as numerator_units_before,
        1 as denominator_units
    from {{ ref('int_acceptances_assessed') }}

),

final as (

    select
        month,
        kpi_code,
        contractor,
        prefecture,
        subject_id,
        cast(numerator_units as decimal(38, 6)) as numerator_units,
        cast(numerator_units_before as decimal(38, 6)) as numerator_units_before,
        cast(denominator_units as decimal(38, 6)) as denominator_units
    from units

)

select * from final
