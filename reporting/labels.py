"""Every label of the app, (中文, English). Chinese is what the department reads; English is the switch."""

from __future__ import annotations

from core.seeds import ledger_fields

COMMON: dict[str, tuple[str, str]] = {
    "app_title": ("代维KPI数据仓库", "Contractor KPI warehouse"),
    "language": ("语言 / Language", "语言 / Language"),
    "month": ("月份", "Month"),
    "contractor": ("代维公司", "Contractor"),
    "all_contractors": ("全部代维公司", "All contractors"),
    "no_prev_data": ("上月无数据", "no data last month"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "all_prefectures": ("全部地市", "All prefectures"),
    "all_counties": ("全部区县", "All counties"),
    "province": ("全省", "Province"),
    "prefecture": ("地市", "Prefecture"),
    "county": ("区县", "County"),
    "kpi": ("指标", "KPI"),
    "value": ("数值", "Value"),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "population": ("样本量", "Population"),
    "target": ("目标", "Target"),
    "met": ("达标", "Met"),
    "met_yes": ("达标", "met"),
    "met_no": ("未达标", "missed"),
    "met_na": ("—", "—"),
    "last_month": ("上月", "Last month"),
    "change": ("环比", "Change"),
    "score": ("得分", "Score"),
    "count": ("数量", "Count"),
    "share": ("占比", "Share"),
    "cum_share": ("累计占比", "Cumulative share"),
    "amount_yuan": ("金额(元)", "Amount (yuan)"),
    "yuan": ("元", "yuan"),
    "hours": ("小时", "h"),
    "rows": ("行", "rows"),
    "download_csv": ("下载CSV", "CSV"),  # the button carries a download icon; longer English was cut to "Download …"
    "download_xlsx": ("下载Excel", "Excel"),
    "no_warehouse": (
        "还没有已发布的仓库：请先运行 `daiwei run --input 目录`。",
        "No published warehouse yet: run `daiwei run --input DIR` first.",
    ),
    "no_months": ("仓库中还没有任何月份的KPI。", "The warehouse holds no KPI month yet."),
    "warehouse_incomplete": (
        "已发布的仓库缺少 {n} 张报表（由旧版本构建，或尚未构建完整）：请重新运行 `daiwei run` 后再查看。",
        "The published warehouse lacks {n} report tables (built by an older version, or not fully built): "
        "run `daiwei run` again.",
    ),
    "not_built": (
        "{what} 尚未构建：这部分数据将在下一次运行 `daiwei run` 后出现。",
        "{what} is not built yet: it appears after the next `daiwei run`.",
    ),
    "no_rows": ("本月没有数据。", "Nothing for this month."),
    "data_as_of": ("数据版本", "Data as of"),
    "masked_note": ("姓名与电话已脱敏。", "Names and phone numbers are masked."),
    "rows_shown": (
        "显示前 {shown} 行，共 {total} 行；下载包含全部行。",
        "Showing the first {shown} of {total} rows; the download has them all.",
    ),
}

PAGES: dict[str, tuple[str, str]] = {
    "overview": ("总览", "Overview"),
    "comparison": ("承包商对比", "Comparison"),
    "areas": ("十个不统一", "Ten areas"),
    "timeliness": ("超时分析", "Timeliness"),
    "faults": ("故障分析", "Fault causes"),
    "ledgers": ("台帐核查", "Ledgers"),
    "loads": ("数据加载", "Data loads"),
}

OVERVIEW: dict[str, tuple[str, str]] = {
    "overview_title": ("{month} 全省代维考核总览", "{month}: the province at a glance"),
    "overview_caption": (
        "综合得分按合同权重加权；扣款为超时、未及时反馈、确认单与照片缺项扣款减去技术员奖励。"
        "绿色为达标，红色为未达标；环比为与上月之差（比率为百分点）。",
        "Composite score weighted as the contract says; penalties are timeouts, late acknowledgements, "
        "missing form items and photos, minus technician bonuses. Green = target met, red = missed; "
        "change = difference from last month (percentage points for rates).",
    ),
    "composite": ("综合得分", "Composite score"),
    "penalty": ("考核扣款", "Penalties"),
    "scores_chart": ("各代维公司综合得分", "Composite score per contractor"),
    "penalty_chart": ("扣款构成(元)", "Penalties by reason (yuan)"),
    "kpi_matrix": ("指标 × 代维公司", "KPI × contractor"),
    "kpi_detail": ("指标明细（分子/分母/目标/环比）", "KPI detail (numerator, denominator, target, change)"),
    "missed_count": ("未达标指标 {n} 项", "{n} KPIs missed"),
}

COMPARISON: dict[str, tuple[str, str]] = {
    "comparison_title": ("代维公司对比：漏斗图与趋势", "Contractor comparison: funnel plots and trends"),
    "comparison_caption": (
        "漏斗图：横轴为样本量，纵轴为比率；实线为全省比率，虚线为95%控制限，点线为99.8%控制限。"
        "样本量过小的点以空心标出，只提示不排名。",
        "Funnel plot: population on x, rate on y; the solid line is the provincial rate, dashed the 95 % "
        "limits, dotted the 99.8 % limits. Points on too small a population are hollow: flagged, not ranked.",
    ),
    "pick_kpi": ("选择比率指标", "Rate KPI"),
    "funnel": ("漏斗图", "Funnel plot"),
    "show_prefectures": ("显示 代维公司×地市 点", "Show contractor × prefecture points"),
    "province_rate": ("全省比率", "Provincial rate"),
    "limit95": ("95% 控制限", "95 % limits"),
    "limit998": ("99.8% 控制限", "99.8 % limits"),
    "flag": ("判定", "Flag"),
    "flag_above": ("高于控制限", "above the limits"),
    "flag_below": ("低于控制限", "below the limits"),
    "flag_within": ("控制限内", "within the limits"),
    "flag_too_small": ("样本过小", "population too small"),
    "flagged_points": ("超出控制限或样本过小的点", "Points outside the limits or on too small a population"),
    "trend": ("趋势", "Trend"),
    "trend_kpi": ("趋势指标", "KPI to trend"),
    "all_within": (
        "本月所有点都在控制限内，且样本量足够。",
        "Every point lies within the limits on a large enough population.",
    ),
    "trend_caption": (
        "各代维公司逐月数值，虚线为全省，点线为目标。",
        "Monthly value per contractor; dashed = province, dotted = target.",
    ),
}

AREAS: dict[str, tuple[str, str]] = {
    "areas_title": ("十个不统一：各领域得分与不统一度", "The ten inconsistency areas: scores and spread"),
    "areas_caption": (
        "每个领域以一个主指标打分(0–100)；不统一度 = 各代维公司得分的最大值 − 最小值，越大说明同一项工作做得越不一样。",
        "Each area is scored 0–100 on its headline KPI; the inconsistency index is max − min across contractors: "
        "the larger, the more differently the same work is done.",
    ),
    "heatmap": ("领域 × 代维公司 得分", "Area × contractor score"),
    "index": ("不统一度", "Inconsistency index"),
    "index_trend": ("不统一度趋势", "Inconsistency index over time"),
    "area": ("领域", "Area"),
    "headline_kpi": ("主指标", "Headline KPI"),
    "best": ("最好", "Best"),
    "worst": ("最差", "Worst"),
    "scored": ("参与评分", "Scored"),
    "open_area": ("打开领域的支撑视图", "Open an area's supporting views"),
    "faults_link": (
        "故障原因帕累托与工单时钟：见「故障分析」",
        "Fault-cause Pareto and ticket clocks: see Fault causes",
    ),
}

FAULTS: dict[str, tuple[str, str]] = {
    "faults_title": ("故障原因分析：帕累托逐层下钻", "Fault causes: Pareto drill-down"),
    "faults_caption": (
        "逐层选择：原因类别 → 原因细项 → 故障设备 → 地市 → 区县 → 工单。柱为工单数，折线为累计占比。",
        "Pick level by level: cause → detail → device → prefecture → county → tickets. Bars count tickets, "
        "the line is the cumulative share.",
    ),
    "level_cause_category": ("原因类别", "Cause category"),
    "level_cause_detail": ("原因细项", "Cause detail"),
    "level_faulty_device": ("故障设备", "Faulty device"),
    "level_prefecture": ("地市", "Prefecture"),
    "level_county": ("区县", "County"),
    "drill_all": ("（全部）", "(all)"),
    "tickets": ("工单", "Tickets"),
    "ticket_list": ("工单清单（含时钟）", "Ticket list with clocks"),
    "ticket_clock": ("工单时钟", "Ticket clock"),
    "pick_ticket": ("选择工单查看时钟", "Pick a ticket to see its clock"),
    "dispatched_at": ("派单", "Dispatched"),
    "acknowledged_at": ("接单", "Acknowledged"),
    "arrived_at": ("到场", "Arrived"),
    "completed_at": ("完成", "Completed"),
    "suspended_minutes": ("挂起(分钟)", "Suspended (min)"),
    "time_limit_minutes": ("时限(分钟)", "Limit (min)"),
    "effective_minutes": ("有效历时(分钟)", "Effective (min)"),
    "is_timely": ("是否及时", "On time"),
    "timely_yes": ("及时", "on time"),
    "timely_no": ("超时", "late"),
    "path": ("当前路径", "Path"),
    "deadline": ("时限内（含挂起）", "Within the limit (suspension added)"),
    "not_completed": ("未完成", "Not completed"),
    "no_limit": ("无时限（区域类型未知）", "No limit (area type unknown)"),
}

TIMELINESS: dict[str, tuple[str, str]] = {
    "timeliness_title": ("故障处理及时率：谁最差，为什么", "Fault timeliness: who is worst, and why"),
    "timeliness_caption": (
        "本月故障处理及时率从低到高；所选代维公司的超时工单按原因、地点和处理人分列，点击表头按超时数排序，"
        "点击工单行查看完整时钟。",
        "This month's fault timeliness from worst to best; the chosen contractor's breaches by cause, place and "
        "technician side by side (click a header to sort), and a click on a ticket row opens its full clock.",
    ),
    "worst_is": (
        "本月最差：{contractor}，故障处理及时率 {rate}，超时 {breaches} 单（共 {tickets} 单）。",
        "Worst this month: {contractor}, {rate} of faults on time, {breaches} breaches of {tickets} tickets.",
    ),
    "ranking": ("各代维公司故障处理及时率（最差在前）", "Fault timeliness by contractor (worst first)"),
    "look_at": ("查看代维公司", "Contractor to explain"),
    "by_cause": ("按原因类别", "By cause"),
    "by_place": ("按地点", "By place"),
    "by_technician": ("按处理人", "By technician"),
    "breach_share": ("超时占比", "Breach share"),
    "timely_rate": ("故障处理及时率", "On-time rate"),
    "timely_tickets": ("及时工单", "On-time tickets"),
    "only_breaches": ("只看超时", "Breaches only"),
    "breach_list": ("工单清单（点击一行查看时钟）", "Tickets (click a row for its clock)"),
    "place_filter": ("地点筛选：{place}", "Place: {place}"),
    "no_breaches": ("所选范围内没有超时工单。", "No breach in this selection."),
    "technician": ("处理人工号", "Technician"),
    "blank": ("（未填写）", "(blank)"),
}

LEDGERS: dict[str, tuple[str, str]] = {
    "ledgers_title": ("用户台帐核查与数据质量", "Ledger reconciliation and data quality"),
    "ledgers_caption": (
        "台帐与EOMS逐条比对：缺失（EOMS有、台帐无）、多余（台帐有、EOMS无）、重复、字段不一致（两边的值并排显示）。",
        "Each ledger against EOMS: missing (in EOMS, not in the ledger), extra (in the ledger only), duplicate, "
        "and field mismatches with both values side by side.",
    ),
    "findings_summary": ("各代维公司核查结果", "Findings per contractor"),
    "finding_kind": ("问题类型", "Finding"),
    "field": ("字段", "Field"),
    "eoms_value": ("EOMS值", "EOMS value"),
    "ledger_value": ("台帐值", "Ledger value"),
    "mismatch_by_field": ("按字段统计不一致", "Mismatches by field"),
    "dq_title": ("数据质量（Great Expectations）", "Data quality (Great Expectations)"),
    "dq_score": ("数据质量得分", "Data-quality score"),
    "dq_suite": ("检查集", "Suite"),
    "dq_expectation": ("检查项", "Expectation"),
    "ledger_rate": ("台帐一致率", "Ledger consistency"),
    "dq_results": ("检查结果", "Check results"),
    "dq_failed_only": ("只看未通过", "Failed checks only"),
    "dq_not_built": ("数据质量结果", "The data-quality results"),
    "field_filter": ("不一致字段", "Field that differs"),
    "whole_province": ("全省", "Province"),
    "dq_check": ("检查项", "Check"),
    "dq_result": ("结果", "Result"),
    "dq_passed": ("通过", "passed"),
    "dq_failed": ("未通过", "failed"),
    "dq_checked": ("检查行数", "Rows checked"),
    "dq_unexpected": ("不符行数", "Rows failing"),
    "dq_unexpected_share": ("不符占比", "Share failing"),
    "dq_unexpected_percent": ("不符占比(%)", "Share failing (%)"),
    "dq_sample": ("不符样例", "Failing sample"),
}

LOADS: dict[str, tuple[str, str]] = {
    "loads_title": ("数据加载报告", "Load report"),
    "loads_caption": (
        "每个文件的去向：已加载、跳过（内容与已加载文件相同）或整文件拒绝；读取行数 = 加载 + 拒绝。",
        "Where every file went: loaded, skipped (same content as a loaded file) or rejected whole; "
        "rows read = loaded + rejected.",
    ),
    "files_offered": ("提交文件", "Files offered"),
    "files_loaded": ("已加载", "Loaded"),
    "files_skipped": ("已跳过", "Skipped"),
    "files_rejected": ("整文件拒绝", "Rejected whole"),
    "rows_read": ("读取行", "Rows read"),
    "rows_loaded": ("加载行", "Rows loaded"),
    "rows_rejected": ("拒绝行", "Rows rejected"),
    "per_dataset": ("按数据集", "Per dataset"),
    "files": ("文件清单", "Files"),
    "latest_run_only": ("只看最近一次运行", "Latest run only"),
    "rejects": ("拒绝行明细", "Rejected rows"),
    "filter_file": ("按文件筛选", "Filter by file"),
    "filter_reason": ("按原因筛选", "Filter by reason"),
    "filter_dataset": ("按数据集筛选", "Filter by dataset"),
    "reconciled": ("对账", "Reconciled"),
    "col_file": ("文件", "File"),
    "col_dataset": ("数据集", "Dataset"),
    "col_status": ("状态", "Status"),
    "col_message": ("说明", "Message"),
    "col_row": ("行", "Row"),
    "col_column": ("列", "Column"),
    "col_reason": ("原因", "Reason"),
    "col_raw": ("原始值", "Raw values"),
    "col_sha": ("SHA-256", "SHA-256"),
    "col_run": ("运行", "Run"),
    "status_loaded": ("已加载", "loaded"),
    "status_skipped": ("已跳过", "skipped"),
    "status_rejected": ("拒绝", "rejected"),
}

LABELS: dict[str, tuple[str, str]] = {
    **COMMON,
    **PAGES,
    **OVERVIEW,
    **COMPARISON,
    **AREAS,
    **FAULTS,
    **TIMELINESS,
    **LEDGERS,
    **LOADS,
}

DATASET_NAMES: dict[str, tuple[str, str]] = {
    "tickets": ("工单", "Work orders"),
    "inspections": ("巡检记录", "Inspections"),
    "device_metrics": ("设备性能", "Device metrics"),
    "hr_roster": ("人员花名册", "HR roster"),
    "eoms_circuits": ("EOMS专线资源", "EOMS circuits"),
    "ledger": ("用户台帐", "Customer ledgers"),
    "spare_parts": ("备品备件", "Spare parts"),
    "instruments": ("仪器仪表", "Instruments"),
    "acceptance": ("交维验收", "Acceptance"),
}

REASON_NAMES: dict[str, tuple[str, str]] = {
    "timeout": ("超时", "Timeouts"),
    "late_ack": ("未及时反馈", "Late acknowledgements"),
    "missing_form_item": ("确认单缺项", "Missing form items"),
    "missing_photo": ("照片缺项", "Missing photos"),
    "technician_bonus": ("技术员奖励", "Technician bonuses"),
}

AREA_SUPPORT_NAMES: dict[str, tuple[str, str]] = {
    "mart_ticket_steps": ("工单各环节时长", "Ticket step durations"),
    "mart_activation_lead_times": ("开通时延分布", "Activation lead times"),
    "mart_channel_mix": ("受理渠道构成", "Channel mix"),
    "mart_ledger_findings": ("台帐核查问题", "Ledger findings"),
    "mart_overdue_sites": ("超期未巡检站点", "Overdue sites"),
    "mart_inspection_quality": ("巡检质量", "Inspection quality"),
    "mart_spare_waits": ("备件等待时长", "Spare-part waits"),
    "mart_staffing": ("人员结构", "Staffing"),
    "mart_fault_cause_quality": ("故障原因判明", "Fault-cause quality"),
    "mart_acceptance_quality": ("工程验收质量", "Acceptance quality"),
    "mart_breaches": ("超时工单清单", "Breach list"),
    "mart_technician_penalties": ("技术员扣款", "Technician penalties"),
}

# The fields a ledger line is compared on (mart_ledger_findings.field_name): seed ledger_fields.
LEDGER_FIELDS: dict[str, tuple[str, str]] = {f.name: (f.label_zh, f.label_en) for f in ledger_fields()}

# Codes the marts store as values, and how a person reads them (column → code → (中文, English)).
VALUE_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "breach_reason": {
        "not_completed": ("未完成", "not completed"),
        "no_limit": ("无时限（区域类型未知）", "no limit (area type unknown)"),
        "over_limit": ("超过时限", "over the limit"),
    },
    "finding": {
        "missing": ("缺失", "missing"),
        "extra": ("多余", "extra"),
        "duplicate": ("重复", "duplicate"),
        "mismatch": ("字段不一致", "field mismatch"),
    },
    "field_name": LEDGER_FIELDS,
    "grain": {
        "province": ("全省", "province"),
        "contractor": ("代维公司", "contractor"),
        "contractor_prefecture": ("代维公司×地市", "contractor × prefecture"),
    },
}

COLUMN_NAMES: dict[str, tuple[str, str]] = {
    # attribution and ids
    "month": ("月份", "Month"),
    "grain": ("粒度", "Grain"),
    "contractor": ("代维公司", "Contractor"),
    "prefecture": ("地市", "Prefecture"),
    "county": ("区县", "County"),
    "area_type": ("区域类型", "Area type"),
    "ticket_type": ("工单类型", "Ticket type"),
    "ticket_status": ("工单状态", "Status"),
    "channel": ("受理渠道", "Channel"),
    "ticket_id": ("工单编号", "Ticket"),
    "circuit_id": ("专线编号", "Circuit"),
    "technician_id": ("处理人工号", "Technician"),
    "site_type": ("站点类型", "Site type"),
    # clocks
    "dispatched_at": ("派单时间", "Dispatched"),
    "acknowledged_at": ("接单时间", "Acknowledged"),
    "arrived_at": ("到场时间", "Arrived"),
    "splice_done_at": ("熔接完成", "Splice done"),
    "completed_at": ("完成时间", "Completed"),
    "closed_at": ("归档时间", "Closed"),
    "suspended_minutes": ("挂起(分钟)", "Suspended (min)"),
    "spare_wait_minutes": ("备件等待(分钟)", "Spare wait (min)"),
    "effective_minutes": ("有效历时(分钟)", "Effective (min)"),
    "limit_minutes": ("时限(分钟)", "Limit (min)"),
    "minutes_over_limit": ("超时(分钟)", "Over the limit (min)"),
    "breach_reason": ("超时原因", "Breach reason"),
    "is_timely": ("是否及时", "On time"),
    "is_ack_timely": ("接单及时", "Ack on time"),
    "dispatch_to_ack_minutes": ("派单→接单(分钟)", "Dispatch→ack (min)"),
    "ack_to_arrival_minutes": ("接单→到场(分钟)", "Ack→arrival (min)"),
    "arrival_to_completion_minutes": ("到场→完成(分钟)", "Arrival→completion (min)"),
    "dispatch_to_completion_minutes": ("派单→完成(分钟)", "Dispatch→completion (min)"),
    "completion_to_close_minutes": ("完成→归档(分钟)", "Completion→close (min)"),
    # causes
    "cause_category": ("原因类别", "Cause category"),
    "cause_detail": ("原因细项", "Cause detail"),
    "faulty_device": ("故障设备", "Faulty device"),
    # counts and shares
    "tickets": ("工单数", "Tickets"),
    "share_of_tickets": ("工单占比", "Share of tickets"),
    "cumulative_share": ("累计占比", "Cumulative share"),
    "bucket_label": ("时延区间", "Lead-time bucket"),
    "timely_tickets": ("及时工单", "On-time tickets"),
    "activation_tickets": ("开通工单", "Activation tickets"),
    "contractor_tickets": ("公司工单数", "Contractor's tickets"),
    "ack_timely_tickets": ("接单及时数", "Acked on time"),
    "ack_timely_rate": ("接单及时率", "Ack on-time rate"),
    "mean_ack_minutes": ("平均接单(分钟)", "Mean ack (min)"),
    "median_ack_minutes": ("接单中位数(分钟)", "Median ack (min)"),
    "fault_tickets": ("故障工单", "Fault tickets"),
    "fault_timely_tickets": ("故障及时数", "Faults on time"),
    "fault_timely_rate": ("故障处理及时率", "Fault on-time rate"),
    "feedback_tickets": ("有归档工单", "Tickets closed"),
    "mean_feedback_minutes": ("平均反馈(分钟)", "Mean feedback (min)"),
    "median_feedback_minutes": ("反馈中位数(分钟)", "Median feedback (min)"),
    "finding": ("问题类型", "Finding"),
    "field_name": ("字段", "Field"),
    "eoms_value": ("EOMS值", "EOMS value"),
    "ledger_value": ("台帐值", "Ledger value"),
    "detail": ("说明", "Detail"),
    "source_file": ("来源文件", "File"),
    "source_row": ("行号", "Row"),
    "cycle_months": ("巡检周期(月)", "Cycle (months)"),
    "window_start_on": ("窗口开始", "Window start"),
    "window_end_on": ("窗口结束", "Window end"),
    "last_inspected_at": ("最近巡检", "Last inspected"),
    "last_inspected_on": ("最近巡检日", "Last inspected on"),
    "due_on": ("应巡检日", "Due on"),
    "days_overdue": ("超期天数", "Days overdue"),
    "has_known_inspection": ("有巡检记录", "Ever inspected"),
    "inspections": ("巡检次数", "Inspections"),
    "with_photos": ("有照片", "With photos"),
    "photo_share": ("照片占比", "Photo share"),
    "signed_off": ("客户签字", "Signed off"),
    "sign_off_share": ("签字占比", "Sign-off share"),
    "config_backed_up": ("配置备份", "Config backed up"),
    "config_backup_share": ("备份占比", "Backup share"),
    "issues_found": ("发现问题", "Issues found"),
    "issues_fixed_onsite": ("现场处理", "Fixed on site"),
    "overdue_sites": ("超期站点", "Overdue sites"),
    "spare_used_tickets": ("使用备件工单", "Used a spare"),
    "spare_wait_tickets": ("等待备件工单", "Waited for a spare"),
    "mean_wait_minutes": ("平均等待(分钟)", "Mean wait (min)"),
    "spare_wait_share_of_effective": ("等待占历时比", "Wait share of duration"),
    "breaches": ("超时工单", "Breaches"),
    "breaches_with_spare_wait": ("超时且等备件", "Breaches with a wait"),
    "breaches_caused_by_spare_wait": ("因等备件超时", "Breaches caused by the wait"),
    "in_service_circuits": ("在用专线", "Circuits in service"),
    "employees_at_month_end": ("月末在职", "Employees"),
    "training_hours": ("培训时长(小时)", "Training hours"),
    "training_hours_per_employee": ("人均培训(小时)", "Training h per employee"),
    "closed_faults": ("已归档故障", "Closed faults"),
    "unknown_cause_faults": ("不明原因", "Unknown cause"),
    "unknown_cause_share": ("不明原因占比", "Unknown-cause share"),
    "blank_cause_faults": ("未填原因", "Blank cause"),
    "blank_cause_share": ("未填原因占比", "Blank-cause share"),
    "open_issues": ("遗留问题", "Open issues"),
    "post_acceptance_fault_tickets": ("验收后故障工单", "Post-acceptance fault tickets"),
    "timeouts": ("超时", "Timeouts"),
    "late_acks": ("接单超时", "Late acks"),
    "missing_form_items": ("确认单缺项", "Missing form items"),
    "missing_photos": ("照片缺项", "Missing photos"),
    "deductions_yuan": ("扣款(元)", "Deductions (yuan)"),
    "bonus_yuan": ("奖励(元)", "Bonus (yuan)"),
    "net_yuan": ("净扣款(元)", "Net (yuan)"),
}

# ---- Workbook headers (the pack's KPI长表 and supporting views; reporting/pack/xlsx.py) ----
# Appended as one block so that the pack's columns read in Chinese; edit the entries above as usual.
COLUMN_NAMES.update(
    {
        "kpi_code": ("指标代码", "KPI code"),
        "numerator": ("分子", "Numerator"),
        "denominator": ("分母", "Denominator"),
        "value": ("数值", "Value"),
        "bucket_no": ("区间序号", "Bucket no."),
        "from_hours": ("起(小时)", "From (h)"),
        "to_hours": ("止(小时)", "To (h)"),
    }
)
# ---- end of workbook headers ----
