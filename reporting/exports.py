"""The files the CLI writes (cli.md): the KPI table, the ten areas, rejects and the load log.

They read the published warehouse read-only and only format: every number
was computed by the Dagster/dbt build. CSVs are UTF-8 without BOM, "\\n" line
ends, so a re-run on the same inputs gives byte-identical files. Every file is
written by `core.inert.write_csv`: data text that a spreadsheet would evaluate
gets a leading apostrophe (edge rule 11); the numbers formatted here are named
as `numeric` columns and written as they are. Rejected rows and load messages
hold personal data: they are masked (`core.masking`) unless the caller asks
for them in clear.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import duckdb

from core.inert import write_csv
from core.masking import mask_json_text, mask_reason, mask_text

KPI_HEADER = ["month", "kpi_code", "contractor", "prefecture", "numerator", "denominator", "value"]
AREAS_HEADER = ["month", "area_no", "headline_kpi", "contractor", "denominator", "score"]
REJECTS_HEADER = ["file", "dataset", "row", "column", "reason", "raw"]
LOADS_HEADER = ["file", "dataset", "sha256", "rows_read", "rows_loaded", "rows_rejected", "status", "message"]
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class NoData(ValueError):
    """The warehouse holds nothing for what was asked (a usage error, exit 2)."""


def fmt_number(v: object) -> str:
    """Exact decimal text: integers without a point, no trailing zeros, empty for NULL."""
    if v is None:
        return ""
    d = v if isinstance(v, Decimal) else Decimal(str(v))
    if d == d.to_integral_value():
        return str(int(d))
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def months_in(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute("SELECT DISTINCT month FROM marts.fct_kpi ORDER BY 1").fetchall()]


def _check_month(con: duckdb.DuckDBPyConnection, month: str | None) -> None:
    if month is not None and month not in months_in(con):
        raise NoData(f"仓库中没有 {month} 的数据 / no data for month {month}")


def write_kpis(con: duckdb.DuckDBPyConnection, out: Path, month: str | None = None) -> int:
    _check_month(con, month)
    rows = con.execute(
        "SELECT month, kpi_code, contractor, prefecture, numerator, denominator, value FROM marts.fct_kpi "
        "WHERE (? IS NULL OR month = ?)",
        [month, month],
    ).fetchall()
    body = [[r[0], r[1], r[2], r[3], fmt_number(r[4]), fmt_number(r[5]), fmt_number(r[6])] for r in rows]
    body.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    return write_csv(out, KPI_HEADER, body, numeric=("numerator", "denominator", "value"))


def write_areas(con: duckdb.DuckDBPyConnection, out: Path, month: str | None = None) -> int:
    _check_month(con, month)
    rows = con.execute(
        "SELECT month, area_no, headline_kpi, contractor, denominator, score FROM marts.mart_area_export "
        "WHERE (? IS NULL OR month = ?)",
        [month, month],
    ).fetchall()
    body = [[r[0], str(r[1]), r[2], r[3], fmt_number(r[4]), fmt_number(r[5])] for r in rows]
    body.sort(key=lambda r: (r[0], int(r[1]), r[3]))
    return write_csv(out, AREAS_HEADER, body, numeric=("area_no", "denominator", "score"))


def write_rejects(con: duckdb.DuckDBPyConnection, out: Path, unmasked: bool = False) -> int:
    """Every set-aside row; `raw` (the row as delivered) and `reason` (which quotes the bad cell) hold
    names and phone numbers, masked unless `unmasked`."""
    rows = con.execute(
        'SELECT file, dataset, row, "column", reason, raw FROM audit.rejects ORDER BY load_seq, row'
    ).fetchall()
    body = [
        [
            file,
            dataset,
            str(row),
            column,
            reason if unmasked else mask_reason(column, reason),
            raw if unmasked else mask_json_text(raw),
        ]
        for file, dataset, row, column, reason, raw in rows
    ]
    return write_csv(out, REJECTS_HEADER, body, numeric=("row",))


def write_loads(con: duckdb.DuckDBPyConnection, out: Path, unmasked: bool = False) -> int:
    """The load log; a message may quote a cell (mobile numbers in it are masked unless `unmasked`)."""
    rows = con.execute(
        "SELECT file, dataset, sha256, rows_read, rows_loaded, rows_rejected, status, message "
        "FROM audit.load_log ORDER BY load_seq"
    ).fetchall()
    body = [[str("" if v is None else v) for v in r] for r in rows]
    if not unmasked:
        for r in body:
            r[7] = str(mask_text(r[7]))
    return write_csv(out, LOADS_HEADER, body, numeric=("rows_read", "rows_loaded", "rows_rejected"))
