"""One suite per raw dataset: what a network department wants to know about a delivery.

The loader already set aside rows outside a column's domain (bad dates,
unknown enum values, negative counts, counties outside their prefecture), so
those expectations mostly confirm the contract held. The findings worth a
warning are the ones a row-by-row loader cannot see:

* **references**: a ticket's circuit missing from EOMS, a technician not in
  that month's roster of the ticket's contractor, a ticket's contractor other
  than the circuit's contractor in EOMS, a prefecture its contractor does not
  maintain (assignment seed);
* **plausibility**: timestamps out of order or in the future, durations of
  more than a week, calibration dates more than 5 years past or 3 years ahead;
* **required fields** for the KPIs (区域类型 decides a time limit, 站点类型 the
  inspection cycle, 岗位 the staffing ratio) and for the ledger comparison;
* **deliveries**: every contractor with circuits in service at month end
  owes a roster, a ledger, a stock report and inspections for that month.

Frames are computed in DuckDB (joins, reference lookups) and ordered by their
natural key so samples are deterministic. Monthly data is reported per
(contractor, month) (the month is the KPI month: 派单时间, 巡检时间, 统计月份,
验收日期); registers without a month (EOMS, instruments) per contractor.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ingestion import datasets as d
from quality import spec as s
from quality.reference import (
    RunContext,
    contractor_covers_prefecture,
    county_in_prefecture,
    month_label,
    month_start,
)
from quality.spec import GRAIN_CONTRACTOR, GRAIN_CONTRACTOR_MONTH, Batch, Check, SuiteDef

TRACE = ("_file", "_row")
EPOCH = datetime(2000, 1, 1)  # nothing in these systems predates it
MAX_MINUTES = 7 * 24 * 60  # a suspension or spare-part wait of more than a week is a typo
# Patterns (named in expectation names by their constant's name; kpis.md edge rule 5 for IP/VLAN/MAC).
IPV4 = r"^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$"
VLAN = r"^(?:[1-9]\d{0,2}|[1-3]\d{3}|40[0-8]\d|409[0-4])$"
MAC = r"^(?:[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4})$"
PHONE = r"^(?:1\d{10}|0\d{2,3}-?\d{7,8})$"
CERTS = "CCNA|HCNE|HCIA|代维资格证|电工证|登高证"
CERT_LIST = rf"^(?:{CERTS})(?:\s*;\s*(?:{CERTS}))*$"
SATISFACTION = ("满意", "基本满意", "不满意")


def not_in_future(column: str, ctx: RunContext, lower: datetime = EPOCH) -> Check:
    return s.between(column, lower, ctx.now + timedelta(days=1), display={"max_value": "now+1d"})


def _assignment(ctx: RunContext, show: tuple[str, ...] = ("contractor", "prefecture")) -> list[Check]:
    return [s.is_true("contractor_covers_prefecture", show=show)] if ctx.has_contractor_assignment else []


def delivery(name: str, column: str, counts_sql: str) -> Batch:
    """One row per (contractor, month) owed a delivery, with how many rows arrived (0 = missing)."""
    return Batch(
        name=name,
        sql=f"""
            SELECT cm.contractor, cm.month, coalesce(n.rows, 0) AS {column}
            FROM dq_contractor_months cm
            LEFT JOIN ({counts_sql}) n ON n.contractor = cm.contractor AND n.month = cm.month
            ORDER BY cm.contractor, cm.month
        """,
        key=("contractor", "month"),
        checks=(s.between(column, 1, None),),
        grain=GRAIN_CONTRACTOR_MONTH,
    )


def in_roster(t: str, id_col: str, ts_col: str) -> str:
    """The person is in that month's roster of the record's contractor (any contractor's when blank)."""
    return (
        f"CASE WHEN {t}.{id_col} IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM raw.hr_roster r "
        f"WHERE r.employee_id = {t}.{id_col} AND r.roster_month = {month_start(f'{t}.{ts_col}')} "
        f"AND ({t}.contractor IS NULL OR r.contractor = {t}.contractor)) END"
    )


def matches_eoms_contractor(t: str) -> str:
    return f"CASE WHEN e.contractor IS NULL OR {t}.contractor IS NULL THEN NULL ELSE e.contractor = {t}.contractor END"


# --- 工单 -----------------------------------------------------------------------------------------


def tickets(ctx: RunContext) -> list[Batch]:
    sql = f"""
        SELECT t.ticket_id, t.contractor, {month_label("t.dispatched_at")} AS month,
            t.ticket_type, t.status, t.channel, t.circuit_id, t.service_type, t.prefecture, t.county,
            t.area_type, t.service_level, t.technician_id, t.dispatched_at, t.acknowledged_at, t.arrived_at,
            t.splice_done_at, t.completed_at, t.closed_at, t.suspended_minutes, t.spare_wait_minutes,
            t.satisfaction, t.contact_phone, t.ip_address, t.vlan, t.mac_address,
            {county_in_prefecture("t")} AS county_in_prefecture,
            e.circuit_id IS NOT NULL AS circuit_in_eoms,
            e.contractor AS eoms_contractor,
            {matches_eoms_contractor("t")} AS contractor_matches_eoms,
            {in_roster("t", "technician_id", "dispatched_at")} AS technician_in_roster,
            CASE WHEN t.status = '已归档' THEN t.completed_at IS NOT NULL END AS archived_has_completed_at,
            CASE WHEN t.splice_done_at IS NOT NULL THEN t.ticket_type = '开通' END AS splice_only_on_activation,
            t._file, t._row
        FROM {ctx.rows_of_months("raw.tickets", "dispatched_at")} t
            LEFT JOIN raw.eoms_circuits e ON e.circuit_id = t.circuit_id
        ORDER BY t.ticket_id, t._file, t._row
    """
    checks = [
        s.not_null("ticket_id"),
        s.unique("ticket_id"),
        s.not_null("circuit_id"),
        s.not_null("dispatched_at"),
        not_in_future("dispatched_at", ctx),
        s.not_null("ticket_type"),
        s.in_set("ticket_type", d.TICKET_TYPES),
        s.not_null("status"),
        s.in_set("status", d.TICKET_STATUSES),
        s.not_null("channel"),  # 10086 complaints have their own time limits
        s.in_set("channel", d.CHANNELS),
        s.in_set("service_type", d.SERVICE_TYPES),
        s.not_null("area_type"),  # 城区 / 乡镇 decides the time limit
        s.in_set("area_type", d.AREA_TYPES),
        s.in_set("service_level", d.SERVICE_LEVELS),
        s.not_null("contractor"),
        s.not_null("prefecture"),
        s.in_set("prefecture", ctx.prefectures),
        s.is_true("county_in_prefecture", show=("prefecture", "county")),
        s.is_true("circuit_in_eoms", show=("circuit_id",)),
        s.is_true("contractor_matches_eoms", show=("circuit_id", "contractor", "eoms_contractor")),
        s.not_null("technician_id"),
        s.is_true("technician_in_roster", show=("technician_id", "contractor", "month")),
        s.a_not_before_b("acknowledged_at", "dispatched_at", show=("ticket_type",)),
        s.a_not_before_b("arrived_at", "dispatched_at"),
        s.a_not_before_b("completed_at", "dispatched_at"),
        s.a_not_before_b("closed_at", "completed_at"),
        s.is_true("archived_has_completed_at", show=("status", "completed_at")),
        s.is_true("splice_only_on_activation", show=("ticket_type", "splice_done_at")),
        s.between("suspended_minutes", 0, MAX_MINUTES),
        s.between("spare_wait_minutes", 0, MAX_MINUTES),
        s.in_set("satisfaction", SATISFACTION),
        s.matches("contact_phone", PHONE, label="PHONE"),
        s.matches("ip_address", IPV4, label="IPV4"),
        s.matches("vlan", VLAN, label="VLAN"),
        s.matches("mac_address", MAC, label="MAC"),
    ]
    return [Batch("rows", sql, ("ticket_id",), tuple(checks), GRAIN_CONTRACTOR_MONTH, TRACE, month_of="dispatched_at")]


# --- 巡检记录 -------------------------------------------------------------------------------------


def inspections(ctx: RunContext) -> list[Batch]:
    sql = f"""
        SELECT t.inspection_id, t.contractor, {month_label("t.inspected_at")} AS month,
            t.site_id, t.prefecture, t.county, t.technician_id, t.inspected_at, t.result, t.issues_found,
            t.issues_fixed_onsite, t.photo_count, t.ground_resistance_ohm,
            {county_in_prefecture("t")} AS county_in_prefecture,
            e.circuit_id IS NOT NULL AS site_in_eoms,
            e.contractor AS eoms_contractor,
            {matches_eoms_contractor("t")} AS contractor_matches_eoms,
            {in_roster("t", "technician_id", "inspected_at")} AS technician_in_roster,
            CASE WHEN t.result IS NULL OR t.issues_found IS NULL THEN NULL
                 ELSE (t.result = '发现问题') = (t.issues_found > 0) END AS result_agrees_with_issues,
            t._file, t._row
        FROM {ctx.rows_of_months("raw.inspections", "inspected_at")} t
            LEFT JOIN raw.eoms_circuits e ON e.circuit_id = t.site_id
        ORDER BY t.inspection_id, t._file, t._row
    """
    checks = [
        s.not_null("inspection_id"),
        s.unique("inspection_id"),
        s.not_null("site_id"),
        s.not_null("inspected_at"),
        not_in_future("inspected_at", ctx),
        s.unique_together("site_id", "inspected_at"),  # the same visit filed twice
        s.not_null("contractor"),
        s.in_set("prefecture", ctx.prefectures),
        s.is_true("county_in_prefecture", show=("prefecture", "county")),
        s.is_true("site_in_eoms", show=("site_id",)),
        s.is_true("contractor_matches_eoms", show=("site_id", "contractor", "eoms_contractor")),
        s.not_null("technician_id"),
        s.is_true("technician_in_roster", show=("technician_id", "contractor", "month")),
        s.not_null("result"),
        s.in_set("result", ("正常", "发现问题")),
        s.is_true("result_agrees_with_issues", show=("result", "issues_found")),
        s.between("issues_found", 0, 100),
        s.a_not_before_b("issues_found", "issues_fixed_onsite"),
        s.between("photo_count", 0, 100),
        s.between("ground_resistance_ohm", 0, 100),
    ]
    counts = (
        f"SELECT contractor, {month_label('inspected_at')} AS month, count(*) AS rows FROM raw.inspections GROUP BY ALL"
    )
    return [
        Batch("rows", sql, ("inspection_id",), tuple(checks), GRAIN_CONTRACTOR_MONTH, TRACE, month_of="inspected_at"),
        delivery("delivery", "inspections_in_month", counts),
    ]


# --- 人员花名册 -----------------------------------------------------------------------------------


def hr_roster(ctx: RunContext) -> list[Batch]:
    sql = f"""
        SELECT t.roster_month, t.employee_id, t.contractor, {month_label("t.roster_month")} AS month,
            t.name, t.prefecture, t.role, t.education, t.certifications, t.core_network_years, t.work_years,
            t.hired_on, t.left_on, t.training_hours,
            {contractor_covers_prefecture("t")} AS contractor_covers_prefecture,
            CASE WHEN t.hired_on IS NULL THEN NULL
                 ELSE t.hired_on <= last_day(t.roster_month) AND (t.left_on IS NULL OR t.left_on >= t.roster_month)
            END AS employed_during_month,
            t._file, t._row
        FROM raw.hr_roster t
        ORDER BY t.roster_month, t.contractor, t.employee_id, t._file, t._row
    """
    checks = [
        s.not_null("roster_month"),
        s.not_null("employee_id"),
        s.not_null("contractor"),
        s.unique_together("roster_month", "employee_id"),
        s.not_null("name"),
        s.not_null("role"),  # the staffing ratio counts 技术人员 and 班组长
        s.in_set("role", d.ROLES),
        s.not_null("education"),
        s.in_set("education", d.EDUCATION),
        s.matches("certifications", CERT_LIST, label="CERT_LIST"),
        s.in_set("prefecture", ctx.prefectures),
        *_assignment(ctx),
        s.between("core_network_years", 0, 45),
        s.between("work_years", 0, 50),
        s.a_not_before_b("work_years", "core_network_years"),
        s.between("training_hours", 0, 200),
        s.not_null("hired_on"),
        not_in_future("hired_on", ctx, lower=datetime(1960, 1, 1)),
        s.a_not_before_b("left_on", "hired_on"),
        s.is_true("employed_during_month", show=("hired_on", "left_on")),
    ]
    counts = (
        f"SELECT contractor, {month_label('roster_month')} AS month, count(*) AS rows FROM raw.hr_roster GROUP BY ALL"
    )
    return [
        Batch("rows", sql, ("roster_month", "employee_id"), tuple(checks), GRAIN_CONTRACTOR_MONTH, TRACE),
        delivery("delivery", "roster_rows", counts),
    ]


# --- EOMS 专线资源 --------------------------------------------------------------------------------


def eoms_circuits(ctx: RunContext) -> list[Batch]:
    today = ctx.now.date().isoformat()
    sql = f"""
        SELECT t.circuit_id, t.contractor, t.customer_name, t.service_type, t.prefecture, t.county,
            t.area_type, t.service_level, t.bandwidth_mbps, t.access_type, t.a_address, t.z_address,
            t.site_type, t.activated_on, t.removed_on, t.status,
            {county_in_prefecture("t")} AS county_in_prefecture,
            {contractor_covers_prefecture("t")} AS contractor_covers_prefecture,
            CASE WHEN t.status IS NULL THEN NULL
                 ELSE (t.status = '拆机') = coalesce(t.removed_on <= DATE '{today}', false)
            END AS status_agrees_with_removed_on,
            t._file, t._row
        FROM raw.eoms_circuits t
        ORDER BY t.circuit_id, t._file, t._row
    """
    checks = [
        s.not_null("circuit_id"),
        s.unique("circuit_id"),
        s.not_null("contractor"),
        *_assignment(ctx),
        s.not_null("prefecture"),
        s.in_set("prefecture", ctx.prefectures),
        s.not_null("county"),
        s.is_true("county_in_prefecture", show=("prefecture", "county")),
        s.not_null("customer_name"),
        s.not_null("service_type"),
        s.in_set("service_type", d.SERVICE_TYPES),
        s.not_null("area_type"),
        s.in_set("area_type", d.AREA_TYPES),
        s.not_null("service_level"),
        s.in_set("service_level", d.SERVICE_LEVELS),
        s.not_null("site_type"),  # decides the inspection cycle
        s.in_set("site_type", d.SITE_TYPES),
        s.not_null("access_type"),
        s.in_set("access_type", d.ACCESS_TYPES),
        s.not_null("bandwidth_mbps"),
        s.between("bandwidth_mbps", 1, 100_000),
        s.not_null("a_address"),
        s.not_null("z_address"),
        s.not_null("activated_on"),  # without it a circuit is never in service
        not_in_future("activated_on", ctx, lower=datetime(1990, 1, 1)),
        s.a_not_before_b("removed_on", "activated_on"),
        s.not_null("status"),
        s.in_set("status", ("在用", "拆机")),
        s.is_true("status_agrees_with_removed_on", show=("status", "removed_on")),
    ]
    return [Batch("rows", sql, ("circuit_id",), tuple(checks), GRAIN_CONTRACTOR, TRACE)]


# --- 用户台帐 (as delivered; the comparison with EOMS is ledger_suite.py) -------------------------


def ledger(ctx: RunContext) -> list[Batch]:
    sql = f"""
        SELECT t.ledger_month, t.contractor, {month_label("t.ledger_month")} AS month, t.circuit_id,
            t.customer_name, t.service_type, t.prefecture, t.county, t.bandwidth_mbps, t.access_type,
            t.status,
            {county_in_prefecture("t")} AS county_in_prefecture,
            {contractor_covers_prefecture("t")} AS contractor_covers_prefecture,
            t._file, t._row
        FROM raw.ledger t
        ORDER BY t.ledger_month, t.contractor, t.circuit_id, t._file, t._row
    """
    checks = [
        s.not_null("ledger_month"),
        s.not_null("contractor"),
        s.not_null("circuit_id"),
        s.unique_together("ledger_month", "contractor", "circuit_id"),
        s.not_null("customer_name"),
        s.in_set("service_type", d.SERVICE_TYPES),
        s.in_set("access_type", d.ACCESS_TYPES),
        s.in_set("status", ("在用", "拆机")),
        s.in_set("prefecture", ctx.prefectures),
        s.is_true("county_in_prefecture", show=("prefecture", "county")),
        *_assignment(ctx),
        s.between("bandwidth_mbps", 1, 100_000),
    ]
    counts = f"SELECT contractor, {month_label('ledger_month')} AS month, count(*) AS rows FROM raw.ledger GROUP BY ALL"
    return [
        Batch("rows", sql, ("ledger_month", "contractor", "circuit_id"), tuple(checks), GRAIN_CONTRACTOR_MONTH, TRACE),
        delivery("delivery", "ledger_lines", counts),
    ]


# --- 备品备件 -------------------------------------------------------------------------------------


def spare_parts(ctx: RunContext) -> list[Batch]:
    sql = f"""
        SELECT t.stock_month, t.contractor, {month_label("t.stock_month")} AS month, t.prefecture, t.part_type,
            t.on_hand, t.safety_stock, t.consumed,
            {contractor_covers_prefecture("t")} AS contractor_covers_prefecture,
            t._file, t._row
        FROM raw.spare_parts t
        ORDER BY t.stock_month, t.contractor, t.prefecture, t.part_type, t._file, t._row
    """
    checks = [
        s.not_null("stock_month"),
        s.not_null("contractor"),
        s.not_null("prefecture"),
        s.not_null("part_type"),
        s.unique_together("stock_month", "contractor", "prefecture", "part_type"),
        s.in_set("prefecture", ctx.prefectures),
        *_assignment(ctx),
        s.in_set("part_type", d.PART_TYPES),
        s.not_null("on_hand"),
        s.not_null("safety_stock"),
        s.between("on_hand", 0, 10_000),
        s.between("safety_stock", 0, 10_000),
        s.between("consumed", 0, 10_000),
    ]
    # Every prefecture where the contractor has circuits in service must be in its stock report.
    coverage = f"""
        WITH served AS (
            SELECT DISTINCT contractor, month, prefecture
            FROM dq_circuit_months
            WHERE contractor IS NOT NULL AND prefecture IS NOT NULL
        ),
        reported AS (
            SELECT DISTINCT contractor, {month_label("stock_month")} AS month, prefecture FROM raw.spare_parts
        ),
        unreported AS (
            SELECT contractor, month, count(*) AS n, string_agg(prefecture, ',' ORDER BY prefecture) AS prefectures
            FROM served ANTI JOIN reported USING (contractor, month, prefecture)
            GROUP BY contractor, month
        ),
        reports AS (SELECT contractor, month, count(*) AS n FROM reported GROUP BY contractor, month)
        SELECT cm.contractor, cm.month,
            coalesce(reports.n, 0) AS stock_report_prefectures,
            coalesce(unreported.n, 0) AS served_prefectures_unreported,
            unreported.prefectures AS unreported_prefectures
        FROM dq_contractor_months cm
        LEFT JOIN reports USING (contractor, month)
        LEFT JOIN unreported USING (contractor, month)
        ORDER BY cm.contractor, cm.month
    """
    return [
        Batch(
            "rows",
            sql,
            ("stock_month", "contractor", "prefecture", "part_type"),
            tuple(checks),
            GRAIN_CONTRACTOR_MONTH,
            TRACE,
        ),
        Batch(
            "delivery",
            coverage,
            ("contractor", "month"),
            (
                s.between("stock_report_prefectures", 1, None),
                s.between("served_prefectures_unreported", 0, 0, show=("unreported_prefectures",)),
            ),
            GRAIN_CONTRACTOR_MONTH,
        ),
    ]


# --- 仪器仪表 -------------------------------------------------------------------------------------


def instruments(ctx: RunContext) -> list[Batch]:
    sql = f"""
        SELECT t.instrument_id, t.contractor, t.prefecture, t.instrument_type, t.status, t.calibration_due,
            {contractor_covers_prefecture("t")} AS contractor_covers_prefecture,
            t._file, t._row
        FROM raw.instruments t
        ORDER BY t.instrument_id, t._file, t._row
    """
    now = ctx.now.replace(hour=0, minute=0, second=0, microsecond=0)
    checks = [
        s.not_null("instrument_id"),
        s.unique("instrument_id"),
        s.not_null("contractor"),
        s.not_null("prefecture"),
        s.in_set("prefecture", ctx.prefectures),
        *_assignment(ctx),
        s.not_null("instrument_type"),
        s.in_set("instrument_type", d.INSTRUMENT_TYPES),
        s.not_null("status"),
        s.in_set("status", ("正常", "故障", "送修")),
        s.not_null("calibration_due"),
        # Calibration is valid for about a year: a due date far outside that window is a typo.
        s.between(
            "calibration_due",
            now.replace(year=now.year - 5, day=min(now.day, 28)),
            now.replace(year=now.year + 3, day=min(now.day, 28)),
            display={"min_value": "now-5y", "max_value": "now+3y"},
        ),
    ]
    return [Batch("rows", sql, ("instrument_id",), tuple(checks), GRAIN_CONTRACTOR, TRACE)]


# --- 交维验收 -------------------------------------------------------------------------------------


def acceptance(ctx: RunContext) -> list[Batch]:
    sql = f"""
        SELECT t.acceptance_id, t.contractor, {month_label("t.accepted_on")} AS month, t.circuit_id,
            t.prefecture, t.builder, t.accepted_on, t.result, t.open_issues, t.docs_handed_on,
            e.circuit_id IS NOT NULL AS circuit_in_eoms,
            e.contractor AS eoms_contractor,
            {matches_eoms_contractor("t")} AS contractor_matches_eoms,
            t._file, t._row
        FROM raw.acceptance t LEFT JOIN raw.eoms_circuits e ON e.circuit_id = t.circuit_id
        ORDER BY t.acceptance_id, t._file, t._row
    """
    checks = [
        s.not_null("acceptance_id"),
        s.unique("acceptance_id"),
        s.not_null("circuit_id"),
        s.is_true("circuit_in_eoms", show=("circuit_id",)),
        s.is_true("contractor_matches_eoms", show=("circuit_id", "contractor", "eoms_contractor")),
        s.not_null("contractor"),
        s.in_set("prefecture", ctx.prefectures),
        s.not_null("builder"),
        s.not_null("accepted_on"),
        not_in_future("accepted_on", ctx),
        s.not_null("result"),
        s.in_set("result", ("一次通过", "整改后通过", "不通过")),
        s.between("open_issues", 0, 100),
        s.a_not_before_b("docs_handed_on", "accepted_on"),
    ]
    return [Batch("rows", sql, ("acceptance_id",), tuple(checks), GRAIN_CONTRACTOR_MONTH, TRACE)]


SUITES: tuple[SuiteDef, ...] = (
    SuiteDef("tickets", "raw_tickets", tickets, doc="工单: references, time order, form items"),
    SuiteDef("inspections", "raw_inspections", inspections, doc="巡检记录 and the monthly inspection delivery"),
    SuiteDef("hr_roster", "raw_hr_roster", hr_roster, doc="人员花名册 and its monthly delivery"),
    SuiteDef("eoms_circuits", "raw_eoms_circuits", eoms_circuits, doc="EOMS 专线资源: the fields the KPIs rely on"),
    SuiteDef("ledger", "raw_ledger", ledger, doc="用户台帐 as delivered and its monthly delivery"),
    SuiteDef("spare_parts", "raw_spare_parts", spare_parts, doc="备品备件 and its coverage of served prefectures"),
    SuiteDef("instruments", "raw_instruments", instruments, doc="仪器仪表: types, status, calibration dates"),
    SuiteDef("acceptance", "raw_acceptance", acceptance, doc="交维验收: circuit in EOMS, dates in order"),
)
