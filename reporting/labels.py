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
    "appeals": ("申诉", "Appeals"),
    "months": ("月度", "Months"),
    "audit": ("审计", "Audit"),
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

ACCESS: dict[str, tuple[str, str]] = {
    # sign-in (app/auth.py)
    "sign_in_title": ("代维KPI看板 · 登录", "Contractor KPI dashboard · sign in"),
    "sign_in_caption": ("请使用网络部发放的账号登录。", "Sign in with the account the network department gave you."),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出登录", "Sign out"),
    "sign_in_bad": ("用户名或密码错误。", "Wrong username or password."),
    "sign_in_locked": (
        "连续登录失败次数过多，账号已锁定至 {time}，请届时再试。",
        "Too many failed sign-ins: the account is locked until {time}.",
    ),
    "sign_in_locked_plain": (
        "连续登录失败次数过多，账号暂时锁定，请稍后再试。",
        "Too many failed sign-ins: the account is locked for now.",
    ),
    "sign_in_disabled": ("该账号已停用，请联系网络部管理员。", "This account is disabled: ask the network department."),
    "sign_in_oidc_caption": ("或使用公司统一身份认证：", "Or use the company identity provider:"),
    "sign_in_oidc": ("使用企业账号登录", "Sign in with the company account"),
    "sign_in_oidc_refused": (
        "企业账号已登录，但未分配看板角色，请联系网络部管理员。",
        "Signed in at the identity provider, but no dashboard role is assigned: ask the network department.",
    ),
    "refused_page": ("你的角色无权查看此页。", "Your role may not open this page."),
    "acted_ok": ("已完成。", "Done."),
    # 申诉 (app/views/appeals.py)
    "appeals_title": ("申诉", "Appeals"),
    "appeals_caption": (
        "代维公司可在月份发布后的申诉期内，对本公司的一张工单就一项规则提出申诉；网络部管理员裁定。"
        "裁定在下一次运行（daiwei run）后才计入各项数值。",
        "During a month's appeal window a contractor may appeal one rule on one of its own tickets; "
        "the network department rules. Rulings take effect at the next run (daiwei run).",
    ),
    "appeal_file": ("提出申诉", "File an appeal"),
    "appeal_month": ("申诉月份", "Month"),
    "appeal_ticket": ("工单编号", "Ticket"),
    "appeal_rule": ("申诉规则", "Rule"),
    "appeal_item": (
        "项目（回单项或照片类别，按规则需要填写）",
        "Item (form item or photo kind, where the rule needs one)",
    ),
    "appeal_reason": ("申诉理由", "Reason"),
    "appeal_evidence": ("证据说明", "Evidence"),
    "appeal_submit": ("提交申诉", "Submit the appeal"),
    "appeal_no_open_month": (
        "目前没有处于申诉期的已发布月份。",
        "No published month is in its appeal window now.",
    ),
    "appeal_unknown_ticket": (
        "该月份没有这张工单，或它不属于你的公司。",
        "No such ticket in this month, or it is not your company's.",
    ),
    "appeal_need_ticket": ("请填写工单编号和申诉理由。", "Give the ticket and the reason."),
    "appeal_filed": ("申诉已提交，编号 {id}。", "Appeal {id} filed."),
    "appeal_rule_head": ("裁定申诉", "Rule on appeals"),
    "appeal_pending_none": ("没有待裁定的申诉。", "No appeal is waiting for a ruling."),
    "appeal_pick": ("待裁定的申诉", "Pending appeal"),
    "appeal_note": ("裁定说明", "Note"),
    "appeal_accept": ("采纳", "Accept"),
    "appeal_reject": ("驳回", "Reject"),
    "appeal_ruled": (
        "申诉 {id} 已裁定：{state}。下一次运行后生效。",
        "Appeal {id} ruled: {state}. It takes effect at the next run.",
    ),
    "appeal_list": ("申诉清单", "Appeals"),
    "appeal_none": ("还没有申诉。", "No appeals yet."),
    "appeal_adjusted": ("申诉调整后的数值", "Figures adjusted by appeals"),
    "appeal_adjusted_caption": (
        "采纳的申诉使相关工单在该规则上计为合格：下表为调整前、调整后的数值及其依据的申诉（以最近一次运行为准）。",
        "An accepted appeal counts the ticket as compliant on that rule: each figure before and after, "
        "and the appeals behind it (as of the last run).",
    ),
    "appeal_adjusted_none": ("本月没有因申诉而调整的数值。", "No figure of this month is adjusted by an appeal."),
    "col_appeal_id": ("申诉编号", "Appeal"),
    "col_rule": ("规则", "Rule"),
    "col_item": ("项目", "Item"),
    "col_evidence": ("证据", "Evidence"),
    "col_state": ("状态", "State"),
    "col_filed_by": ("提交人", "Filed by"),
    "col_filed_at": ("提交时间", "Filed at"),
    "col_ruled_by": ("裁定人", "Ruled by"),
    "col_ruled_at": ("裁定时间", "Ruled at"),
    "col_numerator_before": ("调整前分子", "Numerator before"),
    "col_numerator_after": ("调整后分子", "Numerator after"),
    "col_value_before": ("调整前数值", "Value before"),
    "col_value_after": ("调整后数值", "Value after"),
    "col_appeal_ids": ("依据申诉", "Appeals"),
    "col_grain": ("粒度", "Grain"),
    # 月度 (app/views/months.py)
    "months_title": ("月度发布与关账", "Months: publishing and closing"),
    "months_caption": (
        "草稿：仅网络部可见；已发布：代维公司可见，申诉期内可确认或申诉；已关账：数值冻结，以后的运行只列出重算差异。",
        "Draft: the department only; open: published to the contractors, who confirm or appeal during the "
        "window; closed: figures frozen, later runs only list what would change.",
    ),
    "months_states": ("各月状态", "State of each month"),
    "months_action": ("月份操作", "Month actions"),
    "months_pick": ("选择月份", "Month"),
    "month_open": ("发布（开始申诉期）", "Open (start the appeal window)"),
    "month_close": ("关账（冻结数值）", "Close (freeze the figures)"),
    "month_reopen": ("重新打开", "Reopen"),
    "month_reopen_reason": ("重新打开的原因（必填）", "Reason for reopening (required)"),
    "month_reason_needed": ("重新打开月份必须填写原因。", "Reopening a month needs a reason."),
    "month_confirm": ("确认本月数值", "Confirm this month's figures"),
    "month_confirm_none": ("没有可确认的已发布月份。", "No open month to confirm."),
    "month_confirmed_self": ("本公司已确认", "Confirmed by us"),
    "month_not_confirmed": ("本公司未确认", "Not confirmed by us"),
    "months_none": ("仓库中还没有任何月份。", "The warehouse holds no month yet."),
    "restatements": ("关账后的重算差异", "Restatements after closing"),
    "restatements_caption": (
        "已关账月份的数值保持冻结；以下为之后的运行若重算将改变的KPI行，以及导致变化的输入文件。",
        "A closed month keeps its frozen figures; these are the KPI rows a later run would change, "
        "and the input files that caused it.",
    ),
    "restatements_none": ("没有重算差异。", "No restatement."),
    "col_state_since": ("发布时间", "Opened"),
    "col_window_ends": ("申诉截止", "Appeal window ends"),
    "col_closed_at": ("关账时间", "Closed"),
    "col_reopened_reason": ("重新打开原因", "Reopened because"),
    "col_confirmed_by": ("已确认的代维公司", "Confirmed by"),
    "col_frozen_value": ("冻结数值", "Frozen value"),
    "col_computed_value": ("重算数值", "Recomputed value"),
    "col_frozen_numerator": ("冻结分子", "Frozen numerator"),
    "col_computed_numerator": ("重算分子", "Recomputed numerator"),
    "col_frozen_denominator": ("冻结分母", "Frozen denominator"),
    "col_computed_denominator": ("重算分母", "Recomputed denominator"),
    "col_files": ("相关输入文件", "Input files"),
    # 审计 (app/views/audit.py)
    "audit_title": ("审计日志", "Audit trail"),
    "audit_caption": (
        "只增不改的操作记录，最新在前；每条记录带有上一条和本条的SHA-256，校验可证明没有记录被修改或删除。",
        "The append-only record, newest first; each entry carries the SHA-256 of the previous entry and its "
        "own, so the check proves that nothing was edited or removed.",
    ),
    "audit_action": ("操作", "Action"),
    "audit_all_actions": ("全部操作", "All actions"),
    "audit_user": ("用户", "User"),
    "audit_all_users": ("全部用户", "All users"),
    "audit_verify": ("校验", "Verify"),
    "audit_intact": ("审计日志完整：已校验 {n} 条记录。", "The trail is intact: {n} entries checked."),
    "audit_broken": (
        "审计日志被改动：第一条不符的记录是 {id}。",
        "The trail was altered: the first broken entry is {id}.",
    ),
    "audit_shown": ("显示最近 {n} 条记录。", "The latest {n} entries."),
    "col_entry": ("编号", "Entry"),
    "col_at": ("时间", "Time"),
    "col_user": ("用户", "User"),
    "col_role": ("角色", "Role"),
    "col_action": ("操作", "Action"),
    "col_target": ("对象", "Target"),
    "col_outcome": ("结果", "Outcome"),
    "col_hash": ("本条哈希", "Entry hash"),
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
    **ACCESS,
}

# The 今日预警 panel's words (reporting/watch.py `label`), kept apart: its column keys are its own.
WATCH: dict[str, tuple[str, str]] = {
    "watch_title": ("今日预警", "Today's watch list"),
    "watch_caption": (
        "截至 {as_of}（数据中最新的派单或接单时间）：在途工单的处理时限、接单时限与本月巡检。"
        "状态与时间取各工单最新一行。",
        "As of {as_of} (the latest dispatch or acknowledgement in the data): open tickets against their "
        "limits, acknowledgements and this month's inspections. Status and times are each ticket's latest row.",
    ),
    "watch_empty": ("此刻没有需要关注的工单或巡检。", "Nothing to watch at this moment."),
    "watch_missing": (
        "仓库中还没有预警清单，请重新运行一次加载。",
        "The warehouse has no watch list yet: run a load again.",
    ),
    "watch_counts": ("按状态与类别计数", "Counts by status and kind"),
    "watch_kind": ("类别", "Kind"),
    "watch_total": ("合计", "Total"),
    "watch_tickets": ("超时与临近超时的在途工单", "Open tickets breached or at risk"),
    "watch_acks": ("接单超时", "Acknowledgements overdue"),
    "watch_inspections": ("本月待巡检", "Inspections due this month"),
    "watch_pick_hint": ("点选一行查看该工单的时钟。", "Pick a row to see the ticket's clock."),
    "watch_pick_circuit": ("点选一行查看该专线。", "Pick a row to see the circuit."),
    "watch_none": ("当前没有此类事项。", "Nothing to act on here."),
    "watch_rows_shown": ("显示前 {shown} 行，共 {total} 行。", "First {shown} of {total} rows."),
    "ticket_open": ("在途工单", "Open tickets"),
    "ack_overdue": ("接单超时", "Acknowledgement overdue"),
    "inspection_due": ("待巡检", "Inspection due"),
    "breached": ("已超时", "Breached"),
    "at_risk": ("临近超时", "At risk"),
    "on_track": ("正常", "On track"),
    "col_ticket": ("工单编号", "Ticket"),
    "col_circuit": ("专线编号", "Circuit"),
    "col_type": ("工单类型", "Ticket type"),
    "col_contractor": ("代维公司", "Contractor"),
    "col_prefecture": ("地市", "Prefecture"),
    "col_county": ("区县", "County"),
    "col_site_type": ("站点类型", "Site type"),
    "col_dispatched": ("派单时间", "Dispatched"),
    "col_limit": ("时限（时:分）", "Limit (h:mm)"),
    "col_elapsed": ("已用（时:分）", "Elapsed (h:mm)"),
    "col_countdown": ("剩余 / 超时", "Left / over"),
    "col_status": ("状态", "Status"),
    "col_window": ("巡检周期起", "Window starts"),
    "col_window_end": ("巡检周期止", "Window ends"),
    "left": ("剩余 {t}", "{t} left"),
    "over": ("超时 {t}", "{t} over"),
    "days_left": ("剩余 {d} 天 {h} 时", "{d} d {h} h left"),
    "no_limit": ("无时限", "no limit"),
    "circuit_card": ("专线 {circuit}", "Circuit {circuit}"),
    "circuit_detail": (
        "{site_type} · {place} · 巡检周期 {start} 至 {end}，截至 {as_of} 周期内尚无巡检记录。",
        "{site_type} · {place} · window {start} to {end}: no inspection recorded by {as_of}.",
    ),
    "watch_elapsed": ("已用时长", "Elapsed"),
    "watch_remaining": ("剩余 / 超时", "Left / over"),
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

# What an appeal is about (appstate.RULES), the state of an appeal and of a month, the trail's actions.
RULE_NAMES: dict[str, tuple[str, str]] = {
    "timeliness": ("处理及时", "Timeliness"),
    "ack": ("接单及时", "Acknowledgement"),
    "form_item": ("回单项", "Form item"),
    "photo": ("现场照片", "Site photo"),
}
APPEAL_STATES: dict[str, tuple[str, str]] = {
    "pending": ("待裁定", "pending"),
    "accepted": ("采纳", "accepted"),
    "rejected": ("驳回", "rejected"),
}
MONTH_STATES: dict[str, tuple[str, str]] = {
    "draft": ("草稿", "draft"),
    "open": ("已发布", "open"),
    "closed": ("已关账", "closed"),
}
AUDIT_ACTIONS: dict[str, tuple[str, str]] = {
    "sign_in": ("登录", "sign-in"),
    "sign_in_failed": ("登录失败", "failed sign-in"),
    "view": ("查看", "view"),
    "download": ("下载", "download"),
    "export": ("导出", "export"),
    "pack": ("月报", "pack"),
    "appeal": ("申诉", "appeal"),
    "ruling": ("裁定", "ruling"),
    "confirm": ("确认", "confirmation"),
    "open_month": ("发布月份", "month opened"),
    "close_month": ("关账", "month closed"),
    "reopen_month": ("重新打开月份", "month reopened"),
    "user_change": ("账号变更", "account change"),
}
AUDIT_OUTCOMES: dict[str, tuple[str, str]] = {
    "ok": ("成功", "ok"),
    "bad_password": ("密码错误", "wrong password"),
    "unknown_user": ("用户不存在", "unknown user"),
    "locked": ("已锁定", "locked"),
    "disabled": ("已停用", "disabled"),
    "denied": ("无权限", "denied"),
    "invalid": ("无效请求", "invalid"),
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

# ---- Quarters, years and settlement (the month picker's periods, the overview's 结算, the pack) ----
# Appended as one block (issue 13); LABELS takes them below.
PERIOD_LABELS: dict[str, tuple[str, str]] = {
    "period_quarter": ("{year}年第{q}季度", "Q{q} {year}"),
    "period_year": ("{year}年度", "Year {year}"),
    "months_only": (
        "本页按月显示：已选 {period}，这里显示其中最近的月份 {month}。季度、年度的考核汇总见「总览」。",
        "This page shows single months: {period} is chosen, so it shows its latest month, {month}. "
        "The quarter's or year's figures are on the Overview.",
    ),
    "period_overview_title": ("{period} 全省代维考核总览", "{period}: the province at a glance"),
    "period_caption": (
        "{period} 含数据月份：{months}。各指标按月份的分子、分母累加后重新计算；扣款为各月之和；"
        "环比为与上一{unit}之差。",
        "{period} holds the data months {months}. Each KPI is recomputed from the summed numerators and "
        "denominators of its months; penalties are summed; change = difference from the previous {unit}.",
    ),
    "unit_quarter": ("季度", "quarter"),
    "unit_year": ("年度", "year"),
    "prev_period": ("上期", "Previous period"),
    "no_prev_period_data": ("上期无数据", "no data the previous period"),
    "settlement": ("结算", "Settlement"),
    "settlement_caption": (
        "应付 = 基础费 − 考核扣款（净奖励为负，增加应付）；季度、年度为各月之和。",
        "Payable = base fee − penalties (a net bonus is negative and raises it); a quarter or year sums its months.",
    ),
    "settlement_months": ("结算月数", "Months"),
    "base_fee": ("基础费", "Base fee"),
    "net_penalty": ("考核扣款/奖励", "Penalty / bonus"),
    "payable": ("应付", "Payable"),
    "no_base_fee": ("未配置基础费", "no base fee set"),
    "penalty_deduction": ("扣款 {amount}", "deduction {amount}"),
    "penalty_bonus": ("奖励 {amount}", "bonus {amount}"),
    "no_settlement": ("该期间没有结算数据。", "No settlement for this period."),
}
LABELS.update(PERIOD_LABELS)
# ---- end of quarters, years and settlement ----

# ---- Suspension rescues and region staffing (areas 9 and 6, issue 13 part 2) ----
# Appended as one block: the supporting views mart_suspension_minutes, mart_suspension_rescues and
# mart_region_staffing, and their columns (the KPI columns take their names from the KPI catalogue).
AREA_SUPPORT_NAMES.update(
    {
        "mart_suspension_minutes": ("挂起时长与挂起救回", "Suspension and rescues"),
        "mart_suspension_rescues": ("挂起救回工单清单", "Tickets timely only thanks to suspension"),
        "mart_region_staffing": ("区域人员配置", "Region staffing"),
    }
)
COLUMN_NAMES.update(
    {
        "service_level": ("服务等级", "Service level"),
        "clock_started_at": ("计时起点", "Clock start"),
        "raw_minutes": ("未扣挂起历时(分钟)", "Before suspension (min)"),
        "minutes_over_limit_without_suspension": ("不扣挂起超时(分钟)", "Over the limit without suspension (min)"),
        "suspended_tickets": ("有挂起工单", "Tickets with suspension"),
        "mean_suspended_minutes": ("平均挂起(分钟)", "Mean suspension (min)"),
        "rescued_tickets": ("挂起救回工单", "Tickets rescued by suspension"),
        "staff_at_month_end": ("月末在职技术人员及班组长", "Technicians and team leads at month end"),
        "licensed_staff": ("持代维资格证", "Holding the maintenance licence"),
        "qualified_staff": ("学历及年限达标", "Education and experience met"),
        "is_staffed": ("配置达标", "Staffing met"),
    }
)
# ---- end of suspension rescues and region staffing ----
