"""The figures appeals changed and the restatements of closed months, as the reader may see them.

Both come from dbt marts (mart_kpi_adjustments, mart_restatements): the rule that
an accepted appeal counts a ticket as compliant on one rule lives in the models;
this module only reads, through whatever (scoped) reader it is given.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from reporting.exports import Table, fmt_number
from reporting.reader import DB

ADJUSTMENTS = "marts.mart_kpi_adjustments"
RESTATEMENTS = "marts.mart_restatements"


def adjustments(db: DB, month: str | None = None) -> pd.DataFrame:
    """Every KPI figure accepted appeals changed: before, after and the appeal ids behind it."""
    where, params = ("WHERE month = ?", [month]) if month else ("", [])
    sql = f"""
        SELECT month, kpi_code, kpi_name_zh, grain, contractor, prefecture, numerator_before, numerator_after,
               denominator, value_before, value_after, appeal_ids
        FROM {ADJUSTMENTS} {where}
        ORDER BY month, kpi_code, grain, contractor, prefecture
    """
    return db.df(sql, *params)


def restatements(db: DB, month: str | None = None) -> pd.DataFrame:
    """Closed months' KPI rows a re-run would have changed: frozen vs computed, and the files since closing."""
    where, params = ("WHERE month = ?", [month]) if month else ("", [])
    sql = f"""
        SELECT month, kpi_code, kpi_name_zh, grain, contractor, prefecture, frozen_numerator, computed_numerator,
               frozen_denominator, computed_denominator, frozen_value, computed_value, change_kind AS change, files
        FROM {RESTATEMENTS} {where}
        ORDER BY month, kpi_code, contractor, prefecture
    """
    return db.df(sql, *params)


def figures_by_appeal(db: DB) -> dict[int, str]:
    """For each accepted appeal id, the contractor-grain figures it changed: 'kpi before → after; …'."""
    frame = adjustments(db)
    frame = frame[frame["grain"] == "contractor"]
    out: dict[int, list[str]] = {}
    for row in frame.itertuples(index=False):
        text = f"{row.kpi_code} {_num(row.value_before)} → {_num(row.value_after)}"
        for part in str(row.appeal_ids or "").split(","):
            if part.strip().isdigit():
                out.setdefault(int(part), []).append(text)
    return {k: "; ".join(v) for k, v in out.items()}


def _num(value: object) -> str:
    if value is None or value != value:  # NULL / NaN
        return ""
    return f"{float(value):.6f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]


RESTATEMENT_HEADER = [
    "month",
    "kpi_code",
    "kpi_name_zh",
    "grain",
    "contractor",
    "prefecture",
    "frozen_numerator",
    "computed_numerator",
    "frozen_denominator",
    "computed_denominator",
    "frozen_value",
    "computed_value",
    "change_kind",
    "files",
]
_NUMERIC = tuple(c for c in RESTATEMENT_HEADER if c.startswith(("frozen_", "computed_")))


def restatement_table(con: duckdb.DuckDBPyConnection) -> Table:
    """The restatement report of a run (access.md): every closed month's KPI row a re-run would change.

    Exact numbers (the export's text), read from a raw connection of the department, unscoped."""
    rows = con.execute(
        f"SELECT {', '.join(RESTATEMENT_HEADER)} FROM {RESTATEMENTS} ORDER BY month, kpi_code, contractor, prefecture"
    ).fetchall()
    body = [
        [
            fmt_number(v) if c in _NUMERIC else ("" if v is None else str(v))
            for c, v in zip(RESTATEMENT_HEADER, r, strict=True)
        ]
        for r in rows
    ]
    return Table("restatements", RESTATEMENT_HEADER, body, _NUMERIC)
