"""What the pack says, read once from the published warehouse and shared by the xlsx and the PDF.

A pack is for a month (2026-10), a quarter (2026-Q3) or a year (2026): the label decides, as on
the dashboard (`reporting.queries`). A quarter's or a year's figures are fct_kpi_periods' (pooled
exactly by dbt); its lists (breaches, technicians) hold every month of the period with the month
beside each row; the ten areas are scored per month only, so a period's pack leaves them to the
month packs. Every pack carries the settlement (结算) of its month or period.

The pack is what contractors receive, so it shows the same numbers as the
dashboard and `daiwei export` by running the same queries (`reporting.queries`,
`reporting.support`) through a plain read-only connection: nothing here
computes a KPI. Frames arrive masked (`DirectDB`), so no name or phone number
leaves in the pack either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from reporting import queries, support
from reporting.exports import check_period
from reporting.fmt import is_missing, records
from reporting.i18n import ALL, period_name
from reporting.reader import DB, DirectDB
from reporting.scope import Scope, scoped

REPORT_NAMES = {queries.MONTH: "月报", queries.QUARTER: "季报", queries.YEAR: "年报"}
PREVIOUS_NAMES = {queries.MONTH: "上月", queries.QUARTER: "上季度", queries.YEAR: "上年度"}
EXPORT_COLUMNS = ["month", "kpi_code", "contractor", "prefecture", "numerator", "denominator", "value"]


@dataclass
class AreaSection:
    area_no: int
    name_zh: str
    wording: str
    headline_kpi: str
    headline_name: str
    scores: pd.DataFrame  # contractor, numerator, denominator, value, score
    index: float | None
    best: str | None
    worst: str | None
    views: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # (mart name, rows)


@dataclass
class PackContent:
    month: str
    generated_at: datetime
    warehouse: str
    scores: pd.DataFrame  # queries.scores + rank
    kpis: pd.DataFrame  # queries.kpi_month (province + contractor rows)
    kpi_long: pd.DataFrame  # exactly the rows of `daiwei export --month`
    penalty_reasons: pd.DataFrame
    technicians: pd.DataFrame
    breaches: pd.DataFrame
    areas: list[AreaSection]
    inputs: pd.DataFrame  # audit.load_log, status loaded
    kpi_names: dict[str, tuple[str, str]]
    settlement: pd.DataFrame = field(default_factory=pd.DataFrame)  # queries.settlement (own row for a contractor)
    months: list[str] = field(default_factory=list)  # the data months of the period (a month: itself)

    @property
    def contractors(self) -> list[str]:
        return sorted(self.scores["contractor"].tolist())

    @property
    def kind(self) -> str:
        """month | quarter | year"""
        return queries.period_kind(self.month)

    @property
    def period(self) -> str:
        """The month as it is, 2026年第3季度, 2026年度."""
        return period_name(self.month)

    @property
    def title(self) -> str:
        """代维KPI月报 · 2026-10, 代维KPI季报 · 2026年第3季度, 代维KPI年报 · 2026年度."""
        return f"代维KPI{REPORT_NAMES[self.kind]} · {self.period}"

    @property
    def previous(self) -> str:
        """What "change" compares with: 上月, 上季度, 上年度."""
        return PREVIOUS_NAMES[self.kind]


def check_month(con_path: Path, month: str) -> None:
    """NoData (exit 2 at the command line) when the warehouse holds nothing for the month, quarter or year."""
    from core.warehouse import open_published

    con = open_published(con_path)
    try:
        check_period(con, month)
    finally:
        con.close()


def kpi_long(db: DB, month: str) -> pd.DataFrame:
    """The export's rows and order (month, kpi_code, contractor, prefecture), plus name, unit, target, met."""
    sql = f"""
        SELECT month, kpi_code, contractor, prefecture, numerator, denominator, value,
               kpi_name_zh, unit, target, met
        FROM {queries.kpi_relation(month)} WHERE month = ?
    """
    df = db.df(sql, month)
    return df.sort_values(["month", "kpi_code", "contractor", "prefecture"], kind="stable").reset_index(drop=True)


def _months_where(db: DB, month: str) -> tuple[str, str, list[str]]:
    """(columns, condition, parameters) of a list read for the month or every month of the period.

    A month's list drops its month column (the whole pack is that month); a period's keeps it first."""
    within = queries.months_of(db, month)
    cols = "*" if queries.is_period(month) else "* EXCLUDE (month)"
    cond = f"month IN ({', '.join('?' for _ in within)})" if within else "false"
    return cols, cond, within


def technicians(db: DB, month: str) -> pd.DataFrame:
    """Penalties per technician, as the supporting mart sums the traced penalty items (per month of a period)."""
    cols, cond, params = _months_where(db, month)
    return db.df(
        f"SELECT {cols} FROM marts.mart_technician_penalties WHERE {cond} "
        "ORDER BY month, contractor, net_yuan DESC, technician_id",
        *params,
    )


def breaches(db: DB, month: str) -> pd.DataFrame:
    cols, cond, params = _months_where(db, month)
    return db.df(
        f"SELECT {cols} FROM marts.mart_breaches WHERE {cond} "
        "ORDER BY month, contractor, minutes_over_limit DESC NULLS FIRST, ticket_id",
        *params,
    )


def inputs(db: DB) -> pd.DataFrame:
    """Every file the warehouse was built from, with its sha256: the pack's audit trail."""
    return db.df(
        "SELECT file, dataset, rows_loaded, sha256, run_id, offered_at FROM audit.load_log "
        "WHERE status = 'loaded' ORDER BY load_seq"
    )


def _text(v: object) -> str | None:
    return None if is_missing(v) else str(v)


def _area_sections(db: DB, month: str, kpi_names: dict[str, tuple[str, str]]) -> list[AreaSection]:
    scores = queries.area_scores(db, month)
    index = queries.area_index(db)
    index = index[index["month"] == month].set_index("area_no")
    cat = db.df(f"SELECT area_no, seed_wording FROM {support.AREAS}")
    wording = {int(r.area_no): str(r.seed_wording or "") for r in records(cat)}
    out = []
    for area_no, part in scores.groupby("area_no", sort=True):
        a = int(str(area_no))
        code = str(part["headline_kpi"].iloc[0])
        idx = index.loc[a] if a in index.index else None
        section = AreaSection(
            area_no=a,
            name_zh=str(part["area_name_zh"].iloc[0]),
            wording=wording.get(a, ""),
            headline_kpi=code,
            headline_name=kpi_names.get(code, (code, code))[0],
            scores=part[["contractor", "numerator", "denominator", "value", "score"]].reset_index(drop=True),
            index=None if idx is None or pd.isna(idx["inconsistency_index"]) else float(idx["inconsistency_index"]),
            best=None if idx is None else _text(idx["best_contractor"]),
            worst=None if idx is None else _text(idx["worst_contractor"]),
        )
        built, _ = support.views_for(db, a)
        for view in built:
            if view.name == "mart_ticket_steps":  # a province month is ~80 k tickets: the pack gets the means
                section.views.append((view.name, support.steps_summary(db, month, ALL)))
            else:
                section.views.append((view.name, support.fetch(db, view, month, ALL, limit=None)))
        out.append(section)
    return out


def collect(db: DB, month: str, warehouse: str) -> PackContent:
    """Everything both files print, for one month, quarter or year."""
    kpi_names = queries.kpi_names(db)
    scores = queries.scores(db, month)
    scores["rank"] = scores["composite"].astype(float).rank(ascending=False, method="min")
    return PackContent(
        month=month,
        generated_at=datetime.now().replace(microsecond=0),
        warehouse=warehouse,
        scores=scores,
        kpis=queries.kpi_month(db, month),
        kpi_long=kpi_long(db, month),
        penalty_reasons=queries.penalty_reasons(db, month),
        technicians=technicians(db, month),
        breaches=breaches(db, month),
        areas=[] if queries.is_period(month) else _area_sections(db, month, kpi_names),
        inputs=inputs(db),
        kpi_names=kpi_names,
        settlement=queries.settlement(db, month) if db.has(queries.SETTLEMENT) else pd.DataFrame(),
        months=queries.months_of(db, month),
    )


def collect_from(path: Path, month: str, scope: Scope | None = None) -> PackContent:
    """The pack's content through the one reader of the reporting layer (scoped for a contractor's pack)."""
    db = DirectDB.open(path)
    try:
        return collect(db if scope is None else scoped(db, scope), month, path.name)
    finally:
        db.close()
