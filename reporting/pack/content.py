"""What the monthly pack says, read once from the published warehouse and shared by the xlsx and the PDF.

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
from reporting.exports import NoData, months_in
from reporting.fmt import is_missing, records
from reporting.i18n import ALL
from reporting.reader import DB, DirectDB
from reporting.scope import Scope, scoped

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

    @property
    def contractors(self) -> list[str]:
        return sorted(self.scores["contractor"].tolist())


def check_month(con_path: Path, month: str) -> None:
    """NoData (exit 2 at the command line) when the warehouse holds nothing for the month."""
    from core.warehouse import open_published

    con = open_published(con_path)
    try:
        if month not in months_in(con):
            raise NoData(f"仓库中没有 {month} 的数据 / no data for month {month}")
    finally:
        con.close()


def kpi_long(db: DB, month: str) -> pd.DataFrame:
    """The export's rows and order (month, kpi_code, contractor, prefecture), plus name, unit, target, met."""
    sql = """
        SELECT month, kpi_code, contractor, prefecture, numerator, denominator, value,
               kpi_name_zh, unit, target, met
        FROM marts.fct_kpi WHERE month = ?
    """
    df = db.df(sql, month)
    return df.sort_values(["month", "kpi_code", "contractor", "prefecture"], kind="stable").reset_index(drop=True)


def technicians(db: DB, month: str) -> pd.DataFrame:
    """Penalties per technician, as the supporting mart sums the traced penalty items."""
    return db.df(
        "SELECT * EXCLUDE (month) FROM marts.mart_technician_penalties WHERE month = ? "
        "ORDER BY contractor, net_yuan DESC, technician_id",
        month,
    )


def breaches(db: DB, month: str) -> pd.DataFrame:
    return db.df(
        "SELECT * EXCLUDE (month) FROM marts.mart_breaches WHERE month = ? "
        "ORDER BY contractor, minutes_over_limit DESC NULLS FIRST, ticket_id",
        month,
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
    """Everything both files print, for one month."""
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
        areas=_area_sections(db, month, kpi_names),
        inputs=inputs(db),
        kpi_names=kpi_names,
    )


def collect_from(path: Path, month: str, scope: Scope | None = None) -> PackContent:
    """The pack's content through the one reader of the reporting layer (scoped for a contractor's pack)."""
    db = DirectDB.open(path)
    try:
        return collect(db if scope is None else scoped(db, scope), month, path.name)
    finally:
        db.close()
