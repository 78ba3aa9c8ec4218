"""The supporting views of the ten areas: which mart explains which area, and how to read each one.

The marts come in three shapes, recognised from their columns so a view a
province adds later still shows: KPI-grain views (a `grain` column: show the
province and contractor rows, or one contractor with its prefectures),
summary views (a '' contractor row = all contractors), and row lists (tickets,
circuits, technicians: filtered, worst first, the first rows on screen and
every row in the download).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reporting.i18n import ALL, lang
from reporting.labels import COLUMN_NAMES
from reporting.reader import DB

ROW_LIMIT = 2000
ID_COLUMNS = ("ticket_id", "circuit_id", "technician_id")

AREAS = "marts.dim_areas"  # the area → supporting-view map (seed area_catalogue, column supporting_marts)
DRILL_MARTS = frozenset({"mart_fault_tickets", "mart_fault_pareto"})  # shown on the 故障分析 page

ORDER: dict[str, str] = {  # worst first, where a list is long
    "mart_breaches": "minutes_over_limit DESC NULLS FIRST, ticket_id",
    "mart_suspension_rescues": "minutes_over_limit_without_suspension DESC, ticket_id",
    "mart_region_staffing": "is_staffed, contractor, prefecture",
    "mart_overdue_sites": "days_overdue DESC, circuit_id",
    "mart_ticket_steps": "is_timely NULLS FIRST, effective_minutes DESC NULLS FIRST, ticket_id",
    "mart_technician_penalties": "net_yuan DESC, technician_id",
    "mart_ledger_findings": "finding, circuit_id, field_name",
    "mart_activation_lead_times": "contractor, bucket_no",
    "mart_channel_mix": "contractor, tickets DESC",
}

# A per-contractor chart for the views whose point is a comparison: (category column, value column, is a share)
CHARTS: dict[str, tuple[str, str, bool]] = {
    "mart_activation_lead_times": ("bucket_label", "share_of_tickets", True),
    "mart_channel_mix": ("channel", "share_of_tickets", True),
    "mart_inspection_quality": ("", "photo_share,sign_off_share,config_backup_share", True),
    "mart_spare_waits": ("", "mean_wait_minutes", False),
    "mart_staffing": (
        "",
        "cert_share,bachelor_share,core_exp_share,turnover_rate,region_staffing_rate,tech_qualified_share",
        True,
    ),
    "mart_suspension_minutes": ("", "suspension_rescue_rate", True),
    "mart_fault_cause_quality": ("", "unknown_cause_share,blank_cause_share,repeat_fault_rate", True),
    "mart_acceptance_quality": (
        "",
        "acceptance_first_pass_rate,acceptance_docs_timely_rate,post_acceptance_fault_rate",
        True,
    ),
}


@dataclass(frozen=True)
class SupportView:
    relation: str  # marts.<name>
    columns: list[str]

    @property
    def name(self) -> str:
        return self.relation.split(".", 1)[1]

    @property
    def shape(self) -> str:
        if "grain" in self.columns:
            return "grain"
        if any(c in self.columns for c in ID_COLUMNS):
            return "rows"
        return "summary"


def area_marts(db: DB, area_no: int) -> tuple[str, ...]:
    """The area's supporting marts as dim_areas lists them (a province may add its own)."""
    got = db.df(f"SELECT supporting_marts FROM {AREAS} WHERE area_no = ?", area_no)
    if got.empty or not isinstance(got["supporting_marts"].iloc[0], str):
        return ()
    return tuple(m.strip() for m in got["supporting_marts"].iloc[0].split(";") if m.strip())


def views_for(db: DB, area_no: int) -> tuple[list[SupportView], list[str]]:
    """The area's built supporting views, and the names of those not built yet (drill-down marts aside)."""
    built, missing = [], []
    for name in area_marts(db, area_no):
        if name in DRILL_MARTS:
            continue
        rel = f"marts.{name}"
        if db.has(rel):
            built.append(SupportView(rel, db.columns(rel)))
        else:
            missing.append(name)
    return built, missing


def _where(view: SupportView, contractor: str) -> tuple[str, list[object]]:
    if view.shape == "grain":
        if contractor == ALL:
            return "grain IN ('province', 'contractor')", []
        return "contractor = ?", [contractor]
    if view.shape == "summary":
        return ("TRUE", []) if contractor == ALL else ("contractor IN ('', ?)", [contractor])
    return ("TRUE", []) if contractor == ALL else ("contractor = ?", [contractor])


def _order(view: SupportView) -> str:
    if view.name in ORDER:
        return ORDER[view.name]
    keys = [c for c in ("grain", "contractor", "prefecture") if c in view.columns]
    return ", ".join(keys) or "1"


def fetch(db: DB, view: SupportView, month: str, contractor: str, limit: int | None = ROW_LIMIT) -> pd.DataFrame:
    """The view's rows for the month (and contractor); row lists are cut to `limit` (None = every row)."""
    where, params = _where(view, contractor)
    cap = f" LIMIT {int(limit)}" if limit and view.shape == "rows" else ""
    return db.df(
        f"SELECT * FROM {view.relation} WHERE month = ? AND {where} ORDER BY {_order(view)}{cap}", month, *params
    )


def count(db: DB, view: SupportView, month: str, contractor: str) -> int:
    where, params = _where(view, contractor)
    got = db.df(f"SELECT count(*) AS n FROM {view.relation} WHERE month = ? AND {where}", month, *params)
    return int(got["n"].iloc[0])


def steps_summary(db: DB, month: str, contractor: str) -> pd.DataFrame:
    """Mean minutes of each step per contractor and ticket type (an activation's clock is not a fault's):
    the 83 k tickets of a province month read as a few numbers per type."""
    steps = [
        "dispatch_to_ack_minutes",
        "ack_to_arrival_minutes",
        "arrival_to_completion_minutes",
        "completion_to_close_minutes",
    ]
    cols = ", ".join(f"avg({s}) AS {s}" for s in steps)
    where, params = ("TRUE", []) if contractor == ALL else ("contractor = ?", [contractor])
    sql = (
        f"SELECT coalesce(contractor, '') AS contractor, ticket_type, count(*) AS tickets, {cols} "
        f"FROM marts.mart_ticket_steps WHERE month = ? AND {where} GROUP BY ALL ORDER BY ticket_type, contractor"
    )
    return db.df(sql, month, *params)


def column_label(column: str, kpi_names: dict[str, tuple[str, str]]) -> str:
    """Chinese (or English) header: known columns, and `<kpi>[_numerator|_denominator]` by the KPI's name."""
    i = 1 if lang() == "en" else 0
    if column in COLUMN_NAMES:
        return COLUMN_NAMES[column][i]
    for suffix, words in (("_numerator", ("分子", "numerator")), ("_denominator", ("分母", "denominator"))):
        if column.endswith(suffix) and column[: -len(suffix)] in kpi_names:
            return f"{kpi_names[column[: -len(suffix)]][i]} {words[i]}"
    if column in kpi_names:
        return kpi_names[column][i]
    return column
