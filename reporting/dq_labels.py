"""The data-quality checks in words: a Chinese (or English) sentence for each row of `audit.dq_results`.

The suites (quality/*.py) name a check by its Great Expectations expectation,
`expect_column_values_to_be_between(listed_count, 1, None)`, and its columns
(`acknowledged_at,dispatched_at`): stable keys for the audit table, unreadable
on the 台帐核查 page. `check_text` turns one into "台帐列出次数 ≥ 1".

reporting may not import quality (the layers contract in pyproject.toml), so
the columns the suites check are listed here as data, named as the delivered
files head them (ingestion/datasets.py) where they are source columns.
tests/test_dq_labels.py renders every check of every suite and fails when a
column has no label here, so a new check cannot reach the page as code. A check
this module does not know still reads as text ("数据检查：…"), never as code.
(Past the ~400-line guide because about half of it is that label table.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reporting.i18n import lang
from reporting.labels import COLUMN_NAMES, DATASET_NAMES

_Pair = tuple[str, str]  # (中文, English)

SUITE_NAMES: dict[str, _Pair] = {
    "tickets": ("工单", "Work orders"),
    "inspections": ("巡检记录", "Inspections"),
    "device_metrics": ("设备性能", "Device metrics"),
    "device_metrics_sample": ("设备性能抽样", "Device metrics (sample)"),
    "hr_roster": ("人员花名册", "HR roster"),
    "eoms_circuits": ("EOMS专线资源", "EOMS circuits"),
    "ledger": ("用户台帐", "Customer ledgers"),
    "ledger_vs_eoms": ("台帐与EOMS核对", "Ledger vs EOMS"),
    "spare_parts": ("备品备件", "Spare parts"),
    "instruments": ("仪器仪表", "Instruments"),
    "acceptance": ("交维验收", "Acceptance"),
}

# The fields a ledger line is compared on with EOMS (seed ledger_fields; ledger_suite.py checks `<field>_agrees`).
LEDGER_FIELDS = (
    "customer_name",
    "service_type",
    "prefecture",
    "county",
    "bandwidth_mbps",
    "access_type",
    "a_address",
    "z_address",
)

# Every column a suite checks, plus the few its samples show. Source columns as the files head them.
COLUMNS: dict[str, _Pair] = {
    # shared
    "contractor": ("代维公司", "Contractor"),
    "prefecture": ("地市", "Prefecture"),
    "county": ("区县", "County"),
    "circuit_id": ("专线编号", "Circuit ID"),
    "customer_name": ("客户名称", "Customer name"),
    "service_type": ("业务类型", "Service type"),
    "area_type": ("区域类型", "Area type"),
    "service_level": ("服务等级", "Service level"),
    "status": ("状态", "Status"),
    "result": ("结果", "Result"),
    "technician_id": ("处理人工号", "Technician ID"),
    "month": ("月份", "Month"),
    # 工单
    "ticket_id": ("工单编号", "Ticket ID"),
    "ticket_type": ("工单类型", "Ticket type"),
    "channel": ("受理渠道", "Channel"),
    "dispatched_at": ("派单时间", "Dispatch time"),
    "acknowledged_at": ("接单时间", "Acknowledgement time"),
    "arrived_at": ("到达现场时间", "Arrival time"),
    "splice_done_at": ("光缆熔接完成时间", "Splice time"),
    "completed_at": ("完成时间", "Completion time"),
    "closed_at": ("归档时间", "Closing time"),
    "suspended_minutes": ("挂起时长(分钟)", "Suspended (min)"),
    "spare_wait_minutes": ("备件等待时长(分钟)", "Spare-part wait (min)"),
    "satisfaction": ("客户满意度", "Customer satisfaction"),
    "contact_phone": ("用户联系方式", "Contact phone"),
    "ip_address": ("IP地址", "IP address"),
    "vlan": ("VLAN号", "VLAN ID"),
    "mac_address": ("MAC地址", "MAC address"),
    # 巡检记录
    "inspection_id": ("巡检单号", "Inspection ID"),
    "site_id": ("站点编号", "Site ID"),
    "inspected_at": ("巡检时间", "Inspection time"),
    "issues_found": ("发现问题数", "Issues found"),
    "issues_fixed_onsite": ("现场整改数", "Issues fixed on site"),
    "photo_count": ("照片数", "Photos"),
    "ground_resistance_ohm": ("接地电阻(Ω)", "Ground resistance (Ω)"),
    "inspections_in_month": ("当月巡检记录数", "Inspections in the month"),
    # 设备性能 (per device and month, and the sample)
    "device_id": ("设备编号", "Device ID"),
    "device_type": ("设备类型", "Device type"),
    "samples_without_circuit": ("未填专线的采样数", "Samples without a circuit"),
    "cpu_min": ("最低CPU利用率(%)", "Lowest CPU (%)"),
    "cpu_max": ("最高CPU利用率(%)", "Highest CPU (%)"),
    "mem_min": ("最低内存利用率(%)", "Lowest memory (%)"),
    "mem_max": ("最高内存利用率(%)", "Highest memory (%)"),
    "latency_min": ("最低时延(ms)", "Lowest latency (ms)"),
    "latency_max": ("最高时延(ms)", "Highest latency (ms)"),
    "lost_gt_sent_samples": ("丢包数大于发送数的采样数", "Samples with more pings lost than sent"),
    "samples_1472": ("1472字节Ping采样数", "1472-byte ping samples"),
    "incomplete_share": ("不完整采样占比", "Share of incomplete samples"),
    "hourly_coverage": ("逐小时采样覆盖率", "Hourly sample coverage"),
    "ping_size_bytes": ("Ping包长(字节)", "Ping size (bytes)"),
    "ping_sent": ("Ping发送数", "Pings sent"),
    "latency_ms": ("平均时延(ms)", "Latency (ms)"),
    # 人员花名册
    "roster_month": ("花名册月份", "Roster month"),
    "employee_id": ("工号", "Employee ID"),
    "name": ("姓名", "Name"),
    "role": ("岗位", "Role"),
    "education": ("学历", "Education"),
    "certifications": ("证书", "Certificates"),
    "core_network_years": ("核心网维护年限", "Core-network years"),
    "work_years": ("相关工作年限", "Years of related work"),
    "training_hours": ("当月培训时长(小时)", "Training hours in the month"),
    "hired_on": ("入职日期", "Hire date"),
    "left_on": ("离职日期", "Leaving date"),
    "roster_rows": ("当月花名册人数", "Roster rows in the month"),
    # EOMS专线资源
    "bandwidth_mbps": ("带宽(M)", "Bandwidth (M)"),
    "access_type": ("接入方式", "Access type"),
    "a_address": ("A端地址", "A-end address"),
    "z_address": ("Z端地址", "Z-end address"),
    "site_type": ("站点类型", "Site type"),
    "activated_on": ("开通日期", "Activation date"),
    "removed_on": ("拆机日期", "Removal date"),
    # 用户台帐 and 台帐与EOMS核对
    "ledger_month": ("台帐月份", "Ledger month"),
    "ledger_lines": ("当月台帐行数", "Ledger lines in the month"),
    "listed_count": ("台帐列出次数", "Times listed in the ledger"),
    # 备品备件
    "stock_month": ("库存月份", "Stock month"),
    "part_type": ("备件类型", "Part type"),
    "on_hand": ("期末库存", "Stock on hand"),
    "safety_stock": ("安全库存", "Safety stock"),
    "consumed": ("当月消耗", "Consumed in the month"),
    "stock_report_prefectures": ("库存报表地市数", "Prefectures in the stock report"),
    "served_prefectures_unreported": (
        "有在用专线但未报库存的地市数",
        "Served prefectures missing from the stock report",
    ),
    # 仪器仪表
    "instrument_id": ("仪表编号", "Instrument ID"),
    "instrument_type": ("仪表类型", "Instrument type"),
    "calibration_due": ("校准有效期", "Calibration due date"),
    # 交维验收
    "acceptance_id": ("验收单号", "Acceptance ID"),
    "builder": ("施工单位", "Builder"),
    "accepted_on": ("验收日期", "Acceptance date"),
    "open_issues": ("遗留问题数", "Open issues"),
    "docs_handed_on": ("资料移交日期", "Handover date"),
    # shown in samples only
    "eoms_contractor": ("EOMS代维公司", "EOMS contractor"),
    "circuit_id_max": ("当月另一专线编号", "Other circuit in the month"),
    "device_type_max": ("当月另一设备类型", "Other device type in the month"),
    "samples": ("采样数", "Samples"),
    "first_at": ("首次采样时间", "First sample"),
    "last_at": ("末次采样时间", "Last sample"),
    "collected_at": ("采集时间", "Collected at"),
    "unreported_prefectures": ("未报库存的地市", "Prefectures not reported"),
    "eoms_state": ("EOMS状态", "EOMS state"),
    "_file": ("来源文件", "File"),
    "_row": ("行号", "Row"),
}

# Boolean columns computed in DuckDB and expected true: the label is the statement the check makes.
STATEMENTS: dict[str, _Pair] = {
    "county_in_prefecture": ("区县属于所填地市", "County lies in the prefecture"),
    "contractor_covers_prefecture": ("地市在代维公司维护范围内", "Prefecture is one the contractor maintains"),
    "circuit_in_eoms": ("专线在EOMS中存在", "Circuit exists in EOMS"),
    "site_in_eoms": ("站点在EOMS中存在", "Site exists in EOMS"),
    "contractor_matches_eoms": ("代维公司与EOMS一致", "Contractor matches EOMS"),
    "technician_in_roster": ("处理人在本公司当月花名册中", "Technician is in the contractor's roster for the month"),
    "archived_has_completed_at": ("已归档工单填有完成时间", "Archived ticket has a completion time"),
    "splice_only_on_activation": ("只有开通工单填光缆熔接完成时间", "Only activation tickets have a splice time"),
    "result_agrees_with_issues": ("巡检结果与发现问题数相符", "Result agrees with the issues found"),
    "employed_during_month": ("当月在职（按入职、离职日期）", "Employed during the month (hire and leaving dates)"),
    "status_agrees_with_removed_on": ("状态与拆机日期相符", "Status agrees with the removal date"),
    "one_circuit_in_month": ("设备当月只对应一条专线", "Device on one circuit in the month"),
    "one_device_type": ("设备当月类型不变", "Device type unchanged in the month"),
    "in_service_for_contractor": (
        "台帐专线为本公司当月在用的EOMS专线",
        "Ledger line is an EOMS circuit in service for the contractor",
    ),
    **{f"{f}_agrees": (f"{COLUMNS[f][0]}与EOMS一致", f"{COLUMNS[f][1]} agrees with EOMS") for f in LEDGER_FIELDS},
}

# Where a suite means something narrower by a shared column name.
SUITE_COLUMNS: dict[str, dict[str, _Pair]] = {
    "tickets": {"status": ("工单状态", "Ticket status")},
    "inspections": {
        "result": ("巡检结果", "Inspection result"),
        "technician_id": ("巡检人工号", "Inspector ID"),
        "technician_in_roster": ("巡检人在本公司当月花名册中", "Inspector is in the contractor's roster for the month"),
    },
    "device_metrics": {"circuit_in_eoms": ("设备所接专线在EOMS中存在", "Device's circuit exists in EOMS")},
    "eoms_circuits": {"status": ("专线状态", "Circuit status")},
    "ledger": {"status": ("专线状态", "Circuit status")},
    "instruments": {"status": ("仪表状态", "Instrument status")},
    "acceptance": {"result": ("验收结果", "Acceptance result")},
}

# Shares (0..1) shown as percentages.
PERCENT_COLUMNS = frozenset({"incomplete_share", "hourly_coverage"})
# Dates and times without the _at / _on suffix.
_TEMPORAL = frozenset({"calibration_due", "roster_month", "ledger_month", "stock_month", "month"})

# Named patterns of expect_column_values_to_match_regex (raw_suites.py names them by their constant).
PATTERNS: dict[str, _Pair] = {
    "IPV4": ("IPv4", "IPv4"),
    "MAC": ("xx:xx:xx:xx:xx:xx 或 xxxx-xxxx-xxxx", "xx:xx:xx:xx:xx:xx or xxxx-xxxx-xxxx"),
    "VLAN": ("1–4094 的整数", "a whole number 1–4094"),
    "PHONE": ("手机号或座机号", "a mobile or landline number"),
    "CERT_LIST": ("规定的证书名称（多个以分号分隔）", "known certificate names separated by semicolons"),
}

_GENERIC: _Pair = ("数据检查", "Data check")
_UNLABELLED: _Pair = ("未登记字段", "Unlabelled field")
_SUITE_GENERIC: _Pair = ("数据质量检查", "Data-quality checks")
_MAX_VALUES = 6  # a value set longer than this is shown as its first values and a count


def _pick(pair: _Pair) -> str:
    return pair[1] if lang() == "en" else pair[0]


def _zh() -> bool:
    return lang() != "en"


def suite_name(suite: str) -> str:
    """The suite's name for the page; a suite this module does not know reads as its dataset or generically."""
    pair = SUITE_NAMES.get(suite) or DATASET_NAMES.get(suite) or _SUITE_GENERIC
    return _pick(pair)


def _label_pair(column: str, suite: str | None) -> _Pair | None:
    col = column.strip()
    by_suite = SUITE_COLUMNS.get(suite or "", {})
    for table in (by_suite, STATEMENTS, COLUMNS):
        if col in table:
            return table[col]
    for prefix, zh, en in (("eoms_", "EOMS", "EOMS "), ("ledger_", "台帐", "Ledger ")):
        base = COLUMNS.get(col.removeprefix(prefix)) if col.startswith(prefix) else None
        if base:
            return zh + base[0], en + base[1][:1].lower() + base[1][1:]
    if col.endswith("_agrees") and col.removesuffix("_agrees") in COLUMNS:
        base = COLUMNS[col.removesuffix("_agrees")]
        return f"{base[0]}与EOMS一致", f"{base[1]} agrees with EOMS"
    return COLUMN_NAMES.get(col)


def column_label(column: str | None, *, suite: str | None = None) -> str:
    """A column (or the comma-joined columns of a pair or compound check) in words; '' for table-level checks."""
    if not column:
        return ""
    parts = [_pick(_label_pair(c, suite) or _UNLABELLED) for c in column.split(",")]
    return ("、" if _zh() else ", ").join(parts)


def is_labelled(column: str, *, suite: str | None = None) -> bool:
    """True when the column has a label of its own (not the unlabelled fallback)."""
    return _label_pair(column, suite) is not None


# --- parsing the expectation name (quality/spec.py Check.name) ------------------------------------------


@dataclass
class _Parsed:
    type: str
    domain: list[str]
    positional: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)


def _split_args(text: str) -> list[str]:
    """Top-level comma split: a value set `[a, b]` stays one argument."""
    out: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    last = text[start:].strip()
    if last or out:
        out.append(last)
    return out


_CALL = re.compile(r"^\s*(?P<type>[A-Za-z_][A-Za-z0-9_]*)\((?P<args>.*)\)\s*$", re.S)
_OPTION = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)$", re.S)


def _parse(expectation: str, column: str | None) -> _Parsed | None:
    m = _CALL.match(expectation or "")
    if not m:
        return None
    kind, args = m["type"], _split_args(m["args"])
    options = {o["key"]: o["value"] for a in args if (o := _OPTION.match(a))}
    plain = [a for a in args if not _OPTION.match(a)]
    if column:
        n = len(column.split(","))
    elif kind.startswith("expect_compound_columns_") or kind.startswith("expect_multicolumn_"):
        n = len(plain)
    elif kind.startswith("expect_column_pair_"):
        n = 2
    elif kind.startswith("expect_column_"):
        n = 1
    else:
        n = 0
    domain = [c.strip() for c in column.split(",")] if column else plain[:n]
    return _Parsed(kind, domain, plain[n:], options)


# --- values --------------------------------------------------------------------------------------------

_NOW = re.compile(r"^now(?:(?P<sign>[+-])(?P<n>\d+)(?P<unit>[hdmy]))?$")
_UNITS: dict[str, _Pair] = {"h": ("小时", "hour"), "d": ("天", "day"), "m": ("个月", "month"), "y": ("年", "year")}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _inner(label: str) -> str:
    """An English label inside a sentence: 'Dispatch time' -> 'dispatch time'; 'IP address', 'A-end' kept."""
    if _zh() or len(label) < 2 or not label[1].islower():
        return label
    return label[0].lower() + label[1:]


def _is_temporal_column(column: str) -> bool:
    return column.endswith(("_at", "_on")) or column in _TEMPORAL


def _is_temporal_value(value: str) -> bool:
    return bool(_NOW.match(value) or _DATE.match(value))


def _now_text(m: re.Match[str]) -> str:
    if not m["sign"]:
        return _pick(("现在", "now"))
    n, unit, later = int(m["n"]), m["unit"], m["sign"] == "+"
    if n == 1 and unit == "d":
        return _pick(("明天", "tomorrow") if later else ("昨天", "yesterday"))
    zh_unit, en_unit = _UNITS[unit]
    if _zh():
        return f"{n}{zh_unit}{'后' if later else '前'}"
    return f"{n} {en_unit}{'' if n == 1 else 's'} {'from now' if later else 'ago'}"


def _percent(x: float) -> str:
    return f"{x * 100:.10g}%"


def _value(value: str, column: str | None = None) -> str:
    """A bound or set member as the reader should see it."""
    v = value.strip()
    if (m := _NOW.match(v)) is not None:
        return _now_text(m)
    if v in ("True", "False"):
        return _pick(("是", "yes") if v == "True" else ("否", "no"))
    if v == "None":
        return _pick(("空", "blank"))
    if column in PERCENT_COLUMNS:
        try:
            return _percent(float(v))
        except ValueError:
            return v
    return v


def _value_set(text: str) -> list[str] | None:
    t = text.strip()
    if not (t.startswith("[") and t.endswith("]")):
        return None
    inner = t[1:-1].strip()
    return [v.strip() for v in _split_args(inner)] if inner else []


def _mostly(options: dict[str, str]) -> str:
    raw = options.get("mostly")
    if raw is None:
        return ""
    try:
        share = _percent(float(raw))
    except ValueError:
        return ""
    return f"（至少 {share} 的行）" if _zh() else f" (at least {share} of rows)"


# --- sentences -----------------------------------------------------------------------------------------


def _join_values(values: list[str], column: str) -> str:
    shown = [_value(v, column) for v in values[:_MAX_VALUES]]
    extra = len(values) - len(shown)
    if _zh():
        text = "、".join(shown)
        return f"{text} 等{len(values)}项" if extra else text
    text = ", ".join(shown)
    return f"{text} … ({len(values)} values)" if extra else text


def _in_set(p: _Parsed, label: str, suite: str | None, negate: bool) -> str | None:
    values = _value_set(p.positional[0]) if p.positional else None
    if values is None:
        return None
    column = p.domain[0]
    if values == ["True"] and not negate:
        statement = SUITE_COLUMNS.get(suite or "", {}).get(column) or STATEMENTS.get(column)
        if statement:
            return _pick(statement)
    if len(values) == 1:
        v = _value(values[0], column)
        if negate:
            return f"{label}不为 {v}" if _zh() else f"{label} is not {v}"
        return f"{label}为 {v}" if _zh() else f"{label} is {v}"
    joined = _join_values(values, column)
    if negate:
        return f"{label}不为 {joined} 中任一项" if _zh() else f"{label} is none of {joined}"
    return f"{label}为 {joined} 之一" if _zh() else f"{label} is one of {joined}"


def _between(p: _Parsed, label: str) -> str | None:
    column = p.domain[0] if p.domain else ""
    lo_raw, hi_raw = (p.positional + ["None", "None"])[:2]
    lo = None if lo_raw == "None" else lo_raw
    hi = None if hi_raw == "None" else hi_raw
    if lo is None and hi is None:
        return None
    temporal = _is_temporal_column(column) or any(_is_temporal_value(v) for v in (lo, hi) if v)
    strict_lo = p.options.get("strict_min") == "True"
    strict_hi = p.options.get("strict_max") == "True"
    lo_t = _value(lo, column) if lo is not None else ""
    hi_t = _value(hi, column) if hi is not None else ""
    zh = _zh()
    if lo is not None and hi is not None and lo == hi and not (strict_lo or strict_hi):
        return f"{label} = {lo_t}"
    if strict_lo or strict_hi:
        parts = [label]
        if lo is not None:
            parts.insert(0, f"{lo_t} {'<' if strict_lo else '≤'}")
        if hi is not None:
            parts.append(f"{'<' if strict_hi else '≤'} {hi_t}")
        return " ".join(parts)
    if hi is None:
        if temporal:
            return f"{label}不早于 {lo_t}" if zh else f"{label} on or after {lo_t}"
        return f"{label} ≥ {lo_t}"
    if lo is None:
        if temporal:
            return f"{label}不晚于 {hi_t}" if zh else f"{label} on or before {hi_t}"
        return f"{label} ≤ {hi_t}"
    return f"{label}在 {lo_t} 至 {hi_t} 之间" if zh else f"{label} between {lo_t} and {hi_t}"


def _pair_order(p: _Parsed, suite: str | None) -> str | None:
    if len(p.domain) != 2:
        return None
    a, b = p.domain
    la, lb = column_label(a, suite=suite), _inner(column_label(b, suite=suite))
    or_equal = p.options.get("or_equal") == "True"
    if _is_temporal_column(a) or _is_temporal_column(b):
        if _zh():
            return f"{la}{'不早于' if or_equal else '晚于'}{lb}"
        return f"{la} {'not before' if or_equal else 'after'} {lb}"
    return f"{la} {'≥' if or_equal else '>'} {lb}"


def _sentence(p: _Parsed, suite: str | None) -> str | None:
    kind = p.type
    label = column_label(",".join(p.domain), suite=suite) if p.domain else ""
    zh = _zh()
    if kind == "expect_column_values_to_not_be_null":
        return f"{label}不为空" if zh else f"{label} is not blank"
    if kind == "expect_column_values_to_be_null":
        return f"{label}为空" if zh else f"{label} is blank"
    if kind == "expect_column_values_to_be_unique":
        return f"{label}唯一" if zh else f"{label} is unique"
    if kind in ("expect_compound_columns_to_be_unique", "expect_select_column_values_to_be_unique_within_record"):
        labels = [column_label(c, suite=suite) for c in p.domain]
        names = " + ".join([labels[0], *(_inner(x) for x in labels[1:])])
        if kind == "expect_select_column_values_to_be_unique_within_record":
            return f"{names} 互不相同" if zh else f"{names} differ from each other"
        return f"{names} 组合唯一" if zh else f"{names} unique together"
    if kind == "expect_column_values_to_be_in_set":
        return _in_set(p, label, suite, negate=False)
    if kind == "expect_column_values_to_not_be_in_set":
        return _in_set(p, label, suite, negate=True)
    if kind == "expect_column_values_to_be_between":
        return _between(p, label)
    if kind == "expect_column_values_to_match_regex":
        pattern = PATTERNS.get(p.positional[0].strip()) if p.positional else None
        if pattern:
            return f"{label}格式为 {_pick(pattern)}" if zh else f"{label} format: {_pick(pattern)}"
        return f"{label}格式正确" if zh else f"{label} is well formed"
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        return _pair_order(p, suite)
    if kind == "expect_column_pair_values_to_be_equal" and len(p.domain) == 2:
        la, lb = (column_label(c, suite=suite) for c in p.domain)
        return f"{la}与{lb}一致" if zh else f"{la} equals {_inner(lb)}"
    return None


def check_text(expectation: str, column: str | None = None, *, suite: str | None = None) -> str:
    """One check of `audit.dq_results` as a sentence in the reader's language.

    `expectation` and `column` are the row's own columns; `suite`, when given,
    picks the suite's wording of a shared column (工单状态, 验收结果). A check or
    column this module does not know still reads as text, never as code.
    """
    parsed = _parse(expectation, column)
    text = _sentence(parsed, suite) if parsed else None
    if text is None:
        text = _pick(_GENERIC)
        label = column_label(",".join(parsed.domain) if parsed and parsed.domain else column, suite=suite)
        if label:
            text += f"：{label}" if _zh() else f": {label}"
        return text
    return text + (_mostly(parsed.options) if parsed else "")
