"""One SQL parser per column kind: the value, and the reason when the cell is bad.

Parsing is SQL so that DuckDB runs it vectorised on any file size (device
metrics included). Each parser returns two expressions over a source cell:
the typed value (NULL when blank or bad) and the reject reason (NULL when
fine). The reason is one line, Chinese then English, with the cell quoted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ingestion.model import Column, Kind

TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
YES = ("是", "Y", "YES", "1", "TRUE")
NO = ("否", "N", "NO", "0", "FALSE")
# Plausible dates: an Excel serial or a typed date outside this is a typo, not a date.
EARLIEST, LATEST = "1990-01-01", "2100-01-01"
SERIAL_MIN, SERIAL_MAX = 32874, 73051  # Excel serials of EARLIEST and LATEST
DATE_RANGE = f"{EARLIEST[:4]}–{int(LATEST[:4]) - 1}"
NUMBER_RE = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
NONFINITE_RE = r"[+-]?(nan|inf|infinity)"  # what a tool writes for a non-finite double (any case)
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
TYPED_TIME = ("TIMESTAMP", "DATE", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE")
TYPED_NUMBER = (
    "BIGINT",
    "INTEGER",
    "SMALLINT",
    "TINYINT",
    "HUGEINT",
    "DOUBLE",
    "FLOAT",
    "UBIGINT",
    "UINTEGER",
)


@dataclass
class ColumnSQL:
    """A column's parsing in stages, so that no expression is evaluated twice per row.

    Every SQL string may use the placeholders {S} (the source column), {C} (the cell as text),
    {N} (the cell after NFKC, as text), {T} (the `text` stage), {Q} (the `parse` stage) and
    {V} (the `value` stage); `validate.py` materialises each stage as a column of the next query
    layer and fills them in.
    """

    text: str = "NULL"  # the trimmed, NFKC'd cell (or the typed source value)
    parse: str = "NULL"  # the parsed value before range/plausibility checks
    value: str = "NULL"  # the stored value
    # (condition, reason) pairs in order: the row is bad when a condition is true. Kept apart so
    # the good-row query evaluates plain booleans and only the rejects query builds reason text.
    checks: list[tuple[str, str]] = field(default_factory=list)
    extras: dict[str, str] = field(default_factory=dict)  # other stored columns: name -> SQL

    @property
    def error(self) -> str:
        """SQL yielding the first failing check's reason, or NULL."""
        if not self.checks:
            return "NULL::VARCHAR"
        return "CASE " + " ".join(f"WHEN {c} THEN {r}" for c, r in self.checks) + " END"

    @property
    def bad(self) -> str:
        """SQL that is true when any check fails (never NULL)."""
        if not self.checks:
            return "FALSE"
        return " OR ".join(f"coalesce({c}, FALSE)" for c, _ in self.checks)


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(lit(v) for v in values) + "]"


def _reason(zh: str, en: str, cell: str) -> str:
    return f"{lit(f'{zh} / {en}: 「')} || {cell} || '」'"


def _when(cond: str, zh: str, en: str, cell: str) -> tuple[str, str]:
    return (cond, _reason(zh, en, cell))


def excel_serial(t: str) -> str:
    """An Excel serial (days since 1899-12-30, fraction = time of day), rounded to the second."""
    return (
        f"CASE WHEN regexp_full_match({t}, '\\d+(\\.\\d+)?') "
        f"AND TRY_CAST({t} AS DOUBLE) BETWEEN {SERIAL_MIN} AND {SERIAL_MAX} "
        f"THEN TIMESTAMP '1899-12-30' + to_seconds(round(TRY_CAST({t} AS DOUBLE) * 86400)::BIGINT) END"
    )


def timestamp_parse(t: str, excel: bool) -> str:
    parsed = f"try_strptime({t}, {_list(TIMESTAMP_FORMATS)})"
    return f"coalesce({parsed}, {excel_serial(t)})" if excel else parsed


def date_parse(t: str, excel: bool) -> str:
    parsed = f"try_strptime({t}, {_list(DATE_FORMATS)})"
    if excel:  # a date cell comes out of the workbook as '2026-10-03 00:00:00'
        parsed = f"coalesce({parsed}, try_strptime({t}, '%Y-%m-%d %H:%M:%S'), {excel_serial(t)})"
    return parsed


def plausible(q: str, cast: str = "") -> str:
    """The parsed time when it lies in the plausible range, else NULL."""
    return f"CASE WHEN {q} >= TIMESTAMP '{EARLIEST}' AND {q} < TIMESTAMP '{LATEST}' THEN {q}{cast} END"


def timestamp_sql(t: str, excel: bool) -> str:
    return plausible(timestamp_parse(t, excel))


def date_sql(t: str, excel: bool) -> str:
    return plausible(date_parse(t, excel), "::DATE")


def month_sql(t: str, excel: bool) -> str:
    ym = f"regexp_extract({t}, '^(\\d{{4}})(?:[-/.年]?)(\\d{{1,2}})月?$', ['y', 'm'])"
    good = (
        f"regexp_full_match({t}, '\\d{{4}}([-/.年]\\d{{1,2}}月?|\\d{{2}})') "
        f"AND TRY_CAST({ym}.m AS INTEGER) BETWEEN 1 AND 12"
    )
    parsed = f"CASE WHEN {good} THEN make_date(TRY_CAST({ym}.y AS INTEGER), TRY_CAST({ym}.m AS INTEGER), 1) END"
    if excel:
        parsed = f"coalesce({parsed}, date_trunc('month', {date_sql(t, excel)})::DATE)"
    return parsed


def yesno_sql(t: str) -> str:
    u = f"upper({t})"
    yes, no = ", ".join(map(lit, YES)), ", ".join(map(lit, NO))
    return f"CASE WHEN {u} IN ({yes}) THEN TRUE WHEN {u} IN ({no}) THEN FALSE END"


def enum_sql(t: str, allowed: tuple[str, ...]) -> str:
    cases = " ".join(f"WHEN {lit(a.upper())} THEN {lit(a)}" for a in allowed)
    return f"CASE upper({t}) {cases} END"


def number_sql(t: str) -> str:
    """A number (a trailing % allowed); NaN/Infinity spelled out parse too, so they are named as such."""
    s = f"regexp_replace({t}, '%$', '')"
    return (
        f"CASE WHEN regexp_full_match({s}, '{NUMBER_RE}') OR regexp_full_match({s}, '{NONFINITE_RE}', 'i') "
        f"THEN TRY_CAST({s} AS DOUBLE) END"
    )


def int_sql(t: str) -> str:
    return f"CASE WHEN regexp_full_match({t}, '[+-]?\\d+(\\.0*)?') THEN TRY_CAST(TRY_CAST({t} AS DOUBLE) AS BIGINT) END"


def _range_errors(col: Column, v: str, cell: str) -> list[tuple[str, str]]:
    errs = []
    if col.minimum is not None:
        if col.minimum == 0:
            errs.append(_when(f"{v} < 0", "负数", "negative value", cell))
        else:
            m = f"{col.minimum:g}"
            errs.append(_when(f"{v} < {col.minimum}", f"小于下限{m}", f"below the minimum {m}", cell))
    if col.maximum is not None:
        m = f"{col.maximum:g}"
        errs.append(_when(f"{v} > {col.maximum}", f"超过上限{m}", f"above the maximum {m}", cell))
    return errs


def column_sql(col: Column, src: str | None, src_type: str, excel: bool) -> ColumnSQL:
    """The stages and checks of `col` read from source column `src` (None: the file lacks it)."""
    if src is None:
        extras = {}
        if col.keeps_raw:
            extras[f"{col.name}_raw"] = "NULL::VARCHAR"
        if col.keeps_text:
            extras[f"{col.name}_text"] = "NULL::VARCHAR"
        if col.twin is not None:
            extras[col.twin] = "NULL::VARCHAR"
        return ColumnSQL(value=f"NULL::{col.sql_type}", extras=extras)

    typed = src_type.upper()
    kind = col.kind
    out = ColumnSQL(text="dw_trim({N})", parse="{T}", value="{Q}")
    parse_error: tuple[str, str] | None = None
    in_range = False  # a time kind: a parsed value outside EARLIEST..LATEST is out of range, not garbage
    finite: list[str] = []  # conditions that the number is not finite (NaN, ±Infinity)

    if kind is Kind.TIMESTAMP and typed.startswith(TYPED_TIME):
        out.text, out.parse, out.value = "{S}", "CAST({S} AS TIMESTAMP)", plausible("{Q}")
        in_range = True
    elif kind in (Kind.INT, Kind.DECIMAL) and typed.startswith(TYPED_NUMBER):
        out.text = "{S}"
        out.parse = "CAST({S} AS DOUBLE)" if kind is Kind.DECIMAL else "TRY_CAST({S} AS BIGINT)"
        if typed.startswith(FLOAT_TYPES):
            finite.append("NOT isfinite({S})")
        if kind is Kind.INT:
            out.checks.append(_when("{S} <> round({S})", "不是整数", "not an integer", "{C}"))
    elif kind is Kind.TEXT:
        out.text = "dw_trim({C})"
        out.value = "CASE WHEN {T} IS NOT NULL THEN {C} END"
    elif kind is Kind.ID:
        out.text, out.value = "upper(dw_trim({N}))", "{T}"
        # The delivered spelling, kept only where normalising changed it (NULL: it was already
        # normal): on 100 M device rows a second copy of every ID costs more than the rest.
        out.extras[f"{col.name}_raw"] = "CASE WHEN {C} IS DISTINCT FROM {T} THEN {C} END"
    elif kind is Kind.NAME:
        out.text, out.value = "regexp_replace(dw_trim({N}), '\\s+', ' ', 'g')", "{T}"
    elif kind is Kind.ENUM:
        out.parse = enum_sql("{T}", col.allowed)
        parse_error = ("不在允许值内", "not an allowed value")
    elif kind is Kind.TIMESTAMP:
        out.parse, out.value = timestamp_parse("{T}", excel), plausible("{Q}")
        parse_error = ("无法解析的时间", "unparseable timestamp")
        in_range = True
    elif kind is Kind.DATE:
        out.parse, out.value = date_parse("{T}", excel), plausible("{Q}", "::DATE")
        parse_error = ("无法解析的日期", "unparseable date")
        in_range = True
    elif kind is Kind.MONTH:
        out.parse, out.value = month_sql("{T}", excel), plausible("{Q}", "::DATE")
        parse_error = ("无法解析的月份", "unparseable month")
        in_range = True
    elif kind is Kind.YESNO:
        out.parse = yesno_sql("{T}")
        parse_error = ("不是是/否值", "not a yes/no value")
    elif kind is Kind.INT:
        out.parse = int_sql("{T}")
        parse_error = ("不是整数", "not an integer")
        finite.append(f"regexp_full_match({{T}}, '{NONFINITE_RE}', 'i')")
    elif kind is Kind.DECIMAL:
        out.parse = number_sql("{T}")
        parse_error = ("不是数字", "not a number")
        finite.append("NOT isfinite({Q})")
    else:  # pragma: no cover - every Kind is handled above
        raise ValueError(kind)

    if col.keeps_text:
        out.extras[f"{col.name}_text"] = "dw_trim({C})"
    if col.twin is not None:
        out.extras[col.twin] = nfkc_twin_sql(kind)
    if col.form_item:  # judged as an item by the KPI models, never a bad row
        return out

    checks: list[tuple[str, str]] = []
    if col.required:
        checks.append(("{T} IS NULL", lit("必填项为空 / required value is blank")))
    # Non-finite numbers first: NaN compares above every number and would read as "above the maximum".
    checks.extend(_when(f"{{T}} IS NOT NULL AND {c}", "不是有限数字", "not a finite number", "{C}") for c in finite)
    if parse_error is not None:
        checks.append(_when("{T} IS NOT NULL AND {Q} IS NULL", *parse_error, "{C}"))
    if in_range:
        checks.append(
            _when("{Q} IS NOT NULL AND {V} IS NULL", f"日期超出合理范围({DATE_RANGE})", "date out of range", "{C}")
        )
    checks.extend(out.checks)
    if kind in (Kind.INT, Kind.DECIMAL):
        checks.extend(_range_errors(col, "{V}", "{C}"))
    for ref, table, zh, en in REFERENCES:
        if col.reference == ref:
            checks.append(_when(f"{{V}} IS NOT NULL AND {{V}} NOT IN (SELECT {ref} FROM {table})", zh, en, "{C}"))
    out.checks = checks
    return out


def nfkc_twin_sql(kind: Kind) -> str:
    """NFKC of the stored value, for `<name>_nfkc` (docs/decisions.md 95): no second NFKC pass.

    TEXT stores the cell as delivered, so its twin is the reader's NFKC'd cell {N} (computed once
    per file) wherever a value is stored. NAME stores trim+collapse of {N} and ENUM one of its
    allowed spellings: both are NFKC already, so the twin is the value itself.
    """
    if kind is Kind.TEXT:
        return "CASE WHEN {T} IS NOT NULL THEN {N} END"
    if kind in (Kind.NAME, Kind.ENUM):
        return "{V}"
    raise ValueError(f"no NFKC twin for kind {kind}")


# Reference lists a NAME column may be checked against (Column.reference): the temp tables that
# `loader.prepare_connection` loads from dbt_project/seeds/reference (the rows of the run's province).
REFERENCES = (
    ("prefecture", "ref_prefectures", "未知地市", "unknown prefecture"),
    ("contractor", "ref_contractors", "未知代维公司", "unknown contractor"),
)
