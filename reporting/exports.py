"""The files the CLI writes (cli.md): the KPI table (months, quarters, years), the ten areas, rejects,
the load log, and the settlement table the pack and the overview read.

They read the published warehouse read-only and only format: every number
was computed by the Dagster/dbt build. CSVs are UTF-8 without BOM, "\\n" line
ends, so a re-run on the same inputs gives byte-identical files. Every file is
written by `core.inert.write_csv`: data text that a spreadsheet would evaluate
gets a leading apostrophe (edge rule 11); the numbers formatted here are named
as `numeric` columns and written as they are. Rejected rows and load messages
hold personal data: they are masked (`core.masking`) unless the caller asks
for them in clear.

The file's extension chooses the format (`FORMATS`): `.csv`, or `.xlsx` for one
sheet with the CSV's header and rows, numbers as number cells and every other
value as a string cell (never a formula or a link: `core.inert.XLSX_OPTIONS`,
and Excel's quote prefix where the CSV has its apostrophe). Any other extension
is refused (`UnsupportedFormat`, a usage error) before anything is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import xlsxwriter

from core.inert import XLSX_OPTIONS, needs_quote, write_csv
from core.masking import mask_json_text, mask_reason, mask_text
from core.months import MONTH_RE as MONTH_RE  # re-exported: cli/pack.py and others import it from here
from core.months import BadPeriod, parse_period
from reporting.scope import Scope, scoped_sql

KPI_HEADER = ["month", "kpi_code", "contractor", "prefecture", "numerator", "denominator", "value"]
AREAS_HEADER = ["month", "area_no", "headline_kpi", "contractor", "denominator", "score"]
REJECTS_HEADER = ["file", "dataset", "row", "column", "reason", "raw"]
SETTLEMENT_HEADER = [
    "period_kind",
    "month",
    "months_in_period",
    "contractor",
    "month_count",
    "base_fee_yuan",
    "penalty_yuan",
    "payable_yuan",
]
LOADS_HEADER = ["file", "dataset", "sha256", "rows_read", "rows_loaded", "rows_rejected", "status", "message"]
FORMATS = (".csv", ".xlsx")
EXCEL_MAX_ROWS = 1_048_576  # header included
EXCEL_MAX_CHARS = 32_767  # the most text one Excel cell holds
# A fixed creation time, so that the same rows give the same bytes (as the CSV does).
XLSX_CREATED = datetime(2000, 1, 1)


class NoData(ValueError):
    """The warehouse holds nothing for what was asked (a usage error, exit 2)."""


class UnsupportedFormat(ValueError):
    """An output file whose extension names no format daiwei writes (a usage error, exit 2)."""


@dataclass(frozen=True)
class Table:
    """One export: the CSV's header, its rows as the CSV's text, and the columns that hold numbers."""

    name: str
    header: list[str]
    rows: list[list[str]]
    numeric: tuple[str, ...] = ()


@dataclass(frozen=True)
class Written:
    rows: int
    cut_cells: int = 0  # .xlsx only: text cells cut to Excel's 32,767 characters


def output_format(out: Path) -> str:
    """`.csv` or `.xlsx` (any case); UnsupportedFormat, in one line naming the file, for anything else."""
    suffix = Path(out).suffix
    if suffix.lower() in FORMATS:
        return suffix.lower()
    if not suffix:
        raise UnsupportedFormat(f"{out}: 缺少扩展名，只能写 .csv 或 .xlsx / no extension: daiwei writes .csv or .xlsx")
    raise UnsupportedFormat(
        f"{out}: 不能写 {suffix} 文件，只能写 .csv 或 .xlsx / cannot write {suffix} files: daiwei writes .csv or .xlsx"
    )


def write_table(table: Table, out: Path) -> Written:
    """Write the table as the extension of `out` says (`output_format`)."""
    if output_format(out) == ".xlsx":
        return _write_xlsx(table, Path(out))
    return Written(write_csv(out, table.header, table.rows, numeric=table.numeric))


def _number(text: str) -> int | float | None:
    """A number cell's value from the CSV's exact text: an integer stays an integer; empty is a blank cell."""
    if text == "":
        return None
    d = Decimal(text)
    return int(d) if d == d.to_integral_value() else float(d)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _write_xlsx(table: Table, out: Path) -> Written:
    """One sheet: the CSV's header, then its rows, numbers typed, text as inert string cells."""
    if len(table.rows) + 1 > EXCEL_MAX_ROWS:
        raise UnsupportedFormat(
            f"{out}: {len(table.rows):,} 行超过 Excel 的行数上限，请写 .csv / "
            f"{len(table.rows):,} rows are more than a worksheet holds: write a .csv"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    numeric = [h in table.numeric for h in table.header]
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True, **XLSX_OPTIONS})
    wb.set_properties({"created": XLSX_CREATED})
    ws = wb.add_worksheet(table.name)
    bold, quoted = wb.add_format({"bold": True}), wb.add_format({"quote_prefix": True})
    for c, h in enumerate(table.header):  # widths first: constant_memory writes rows as they come
        longest = max((_width(r[c][:60]) for r in table.rows), default=0)
        ws.set_column(c, c, min(60, max(_width(h), longest) + 2))
    for c, h in enumerate(table.header):
        ws.write_string(0, c, h, bold)
    cut = 0
    for r, row in enumerate(table.rows, start=1):
        for c, (text, is_number) in enumerate(zip(row, numeric, strict=True)):
            if is_number:
                value = _number(text)
                if value is not None:
                    ws.write_number(r, c, value)
                continue
            if text == "":
                continue
            if len(text) > EXCEL_MAX_CHARS:
                text, cut = text[: EXCEL_MAX_CHARS - 1] + "…", cut + 1
            ws.write_string(r, c, text, quoted if needs_quote(text) else None)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(table.rows), len(table.header) - 1)
    wb.close()
    return Written(len(table.rows), cut)


def fmt_number(v: object) -> str:
    """Exact decimal text: integers without a point, no trailing zeros, empty for NULL."""
    if v is None:
        return ""
    d = v if isinstance(v, Decimal) else Decimal(str(v))
    if d == d.to_integral_value():
        return str(int(d))
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def months_in(con: duckdb.DuckDBPyConnection, scope: Scope | None = None) -> list[str]:
    sql = scoped_sql(con, scope, "SELECT DISTINCT month FROM marts.fct_kpi ORDER BY 1")
    return [r[0] for r in con.execute(sql).fetchall()]


def _check_month(con: duckdb.DuckDBPyConnection, month: str | None, scope: Scope | None = None) -> None:
    if month is not None and month not in months_in(con, scope):
        raise NoData(f"仓库中没有 {month} 的数据 / no data for month {month}")


def periods_in(con: duckdb.DuckDBPyConnection, kind: str, scope: Scope | None = None) -> list[str]:
    """The quarter or year labels of the warehouse (a contractor: those whose every month is published to it)."""
    if kind == "month":
        return months_in(con, scope)
    sql = scoped_sql(con, scope, "SELECT DISTINCT month FROM marts.fct_kpi_periods WHERE period_kind = ? ORDER BY 1")
    return [r[0] for r in con.execute(sql, [kind]).fetchall()]


def check_period(
    con: duckdb.DuckDBPyConnection, label: str, kind: str | None = None, scope: Scope | None = None
) -> str:
    """The kind of a period label that the warehouse holds (for the scope); NoData, one line, otherwise.

    `kind`, when given, is the kind the label must have (`--period quarter` with `--month 2026-Q3`)."""
    try:
        found = parse_period(label).kind
    except BadPeriod as exc:
        raise NoData(str(exc)) from exc
    if kind is not None and found != kind:
        names = {"month": "YYYY-MM", "quarter": "YYYY-Qn", "year": "YYYY"}
        raise NoData(
            f"--period {kind} 需要 {names[kind]} 形式的期间 / --period {kind} takes a {names[kind]} label: {label}"
        )
    if label not in periods_in(con, found, scope):
        raise NoData(f"仓库中没有 {label} 的数据 / no data for period {label}")
    return found


def kpi_table(
    con: duckdb.DuckDBPyConnection,
    month: str | None = None,
    scope: Scope | None = None,
    period: str = "month",
) -> Table:
    """The long KPI table of kpis.md (§ Export format), sorted by month, kpi_code, contractor, prefecture.

    `period` 'quarter' or 'year' gives the exact roll-up of § Quarters and years (marts.fct_kpi_periods):
    the same columns, `month` holding '2026-Q3' or '2026'; `month` then filters on such a label.
    With a contractor's scope, only its own rows (access.md: exports hold its rows only), and only the
    periods whose every month is published to it."""
    if period == "month":
        _check_month(con, month, scope)
        sql = (
            "SELECT month, kpi_code, contractor, prefecture, numerator, denominator, value FROM marts.fct_kpi "
            "WHERE (? IS NULL OR month = ?)"
        )
        params: list[object] = [month, month]
    else:
        if month is not None:
            check_period(con, month, period, scope)
        sql = (
            "SELECT month, kpi_code, contractor, prefecture, numerator, denominator, value FROM marts.fct_kpi_periods "
            "WHERE period_kind = ? AND (? IS NULL OR month = ?)"
        )
        params = [period, month, month]
    rows = con.execute(scoped_sql(con, scope, sql), params).fetchall()
    body = [[r[0], r[1], r[2], r[3], fmt_number(r[4]), fmt_number(r[5]), fmt_number(r[6])] for r in rows]
    body.sort(key=lambda r: (r[0], r[1], r[2], r[3]))
    return Table("kpi", KPI_HEADER, body, ("numerator", "denominator", "value"))


def settlement_table(
    con: duckdb.DuckDBPyConnection,
    month: str | None = None,
    scope: Scope | None = None,
    period: str | None = None,
) -> Table:
    """Settlement (kpis.md § Settlement) from marts.mart_settlement: one row per period × contractor.

    `month` is a period label ('2026-07', '2026-Q3', '2026'): only that period; `period` a kind: only
    the months, quarters or years. Sorted months first, then quarters, then years, each by label and
    contractor. base_fee_yuan and payable_yuan are empty for a contractor without a base fee (the page
    and the pack say 未配置基础费). A contractor's scope: its own rows of the periods published to it."""
    if month is not None:
        check_period(con, month, period, scope)
    sql = (
        "SELECT period_kind, month, months_in_period, contractor, month_count, base_fee_yuan, penalty_yuan, "
        "payable_yuan FROM marts.mart_settlement WHERE (? IS NULL OR period_kind = ?) AND (? IS NULL OR month = ?)"
    )
    rows = con.execute(scoped_sql(con, scope, sql), [period, period, month, month]).fetchall()
    order = {"month": 0, "quarter": 1, "year": 2}
    body = [[r[0], r[1], r[2], r[3], str(r[4]), *(fmt_number(v) for v in r[5:8])] for r in rows]
    body.sort(key=lambda r: (order.get(r[0], 3), r[1], r[3]))
    return Table(
        "settlement", SETTLEMENT_HEADER, body, ("month_count", "base_fee_yuan", "penalty_yuan", "payable_yuan")
    )


def areas_table(con: duckdb.DuckDBPyConnection, month: str | None = None, scope: Scope | None = None) -> Table:
    """The ten-areas table of ten-areas.md, sorted by month, area_no, contractor (a contractor: its rows only)."""
    _check_month(con, month, scope)
    sql = (
        "SELECT month, area_no, headline_kpi, contractor, denominator, score FROM marts.mart_area_export "
        "WHERE (? IS NULL OR month = ?)"
    )
    rows = con.execute(scoped_sql(con, scope, sql), [month, month]).fetchall()
    body = [[r[0], str(r[1]), r[2], r[3], fmt_number(r[4]), fmt_number(r[5])] for r in rows]
    body.sort(key=lambda r: (r[0], int(r[1]), r[3]))
    return Table("areas", AREAS_HEADER, body, ("area_no", "denominator", "score"))


def rejects_table(con: duckdb.DuckDBPyConnection, unmasked: bool = False, scope: Scope | None = None) -> Table:
    """Every set-aside row; `raw` (the row as delivered) and `reason` (which quotes the bad cell) hold
    names and phone numbers, masked unless `unmasked`."""
    sql = 'SELECT file, dataset, row, "column", reason, raw FROM audit.rejects ORDER BY load_seq, row'
    rows = con.execute(scoped_sql(con, scope, sql)).fetchall()
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
    return Table("rejects", REJECTS_HEADER, body, ("row",))


def loads_table(con: duckdb.DuckDBPyConnection, unmasked: bool = False, scope: Scope | None = None) -> Table:
    """The load log; a message may quote a cell (mobile numbers in it are masked unless `unmasked`)."""
    sql = (
        "SELECT file, dataset, sha256, rows_read, rows_loaded, rows_rejected, status, message "
        "FROM audit.load_log ORDER BY load_seq"
    )
    rows = con.execute(scoped_sql(con, scope, sql)).fetchall()
    body = [[str("" if v is None else v) for v in r] for r in rows]
    if not unmasked:
        for r in body:
            r[7] = str(mask_text(r[7]))
    return Table("loads", LOADS_HEADER, body, ("rows_read", "rows_loaded", "rows_rejected"))


def write_kpis(con: duckdb.DuckDBPyConnection, out: Path, month: str | None = None) -> int:
    return write_table(kpi_table(con, month), out).rows


def write_areas(con: duckdb.DuckDBPyConnection, out: Path, month: str | None = None) -> int:
    return write_table(areas_table(con, month), out).rows


def write_rejects(con: duckdb.DuckDBPyConnection, out: Path, unmasked: bool = False) -> int:
    return write_table(rejects_table(con, unmasked), out).rows


def write_loads(con: duckdb.DuckDBPyConnection, out: Path, unmasked: bool = False) -> int:
    return write_table(loads_table(con, unmasked), out).rows
