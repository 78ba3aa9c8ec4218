"""The watch list (今日预警, operations.md): `daiwei watch`'s file and the overview panel's frames.

Every row was computed by the build: at the default moment in `marts.mart_watch_list`,
at any other moment by the table macro `marts.watch_list_at(as_of)` that the same model
writes (one dbt macro, `watch_rows`, holds the rules). This module only reads, through
the contractor scope (a contractor gets its own tickets and circuits), sorts and formats.

The file (CSV or .xlsx, exports.py's writers: inert text, exact numbers) has the header of
operations.md, minutes as exact decimals, rows sorted by status (breached, at_risk,
on_track), remaining_minutes (ascending; a ticket without a limit last among the
breached), kind, ticket_id, circuit_id.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

import duckdb
import pandas as pd

from reporting.exports import NoData, Table, fmt_number
from reporting.fmt import is_missing
from reporting.i18n import lang
from reporting.labels import WATCH
from reporting.reader import DB
from reporting.scope import Scope, scoped, scoped_sql

WATCH_HEADER = [
    "as_of",
    "kind",
    "ticket_id",
    "circuit_id",
    "contractor",
    "prefecture",
    "county",
    "limit_minutes",
    "elapsed_minutes",
    "remaining_minutes",
    "status",
]
NUMERIC = ("limit_minutes", "elapsed_minutes", "remaining_minutes")
# What the panel reads besides the export's columns (the ticket's clock, the circuit's window).
PANEL_COLUMNS = (
    "status_rank",
    "month",
    "ticket_type",
    "area_type",
    "site_type",
    "dispatched_at",
    "acknowledged_at",
    "completed_at",
    "clock_started_at",
    "suspended_minutes",
    "window_start_on",
)
LIST = "marts.mart_watch_list"
AT = "marts.watch_list_at"
ORDER = "status_rank, remaining_minutes NULLS LAST, kind, ticket_id NULLS FIRST, circuit_id NULLS FIRST"
AS_OF_FORMAT = "%Y-%m-%d %H:%M"
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
_AS_OF_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")

KINDS = ("ticket_open", "ack_overdue", "inspection_due")
STATUSES = ("breached", "at_risk", "on_track")


class BadAsOf(ValueError):
    """--as-of that is not "YYYY-MM-DD HH:MM" (a usage error, exit 2)."""


def label(key: str) -> str:
    zh, en = WATCH.get(key, (key, key))
    return en if lang() == "en" else zh


def parse_as_of(text: str | None) -> str | None:
    """The moment as the warehouse reads it ("YYYY-MM-DD HH:MM:00"), None for the default; BadAsOf otherwise."""
    if text is None:
        return None
    value = text.strip()
    try:
        if not _AS_OF_RE.match(value):
            raise ValueError(value)
        moment = datetime.strptime(value, AS_OF_FORMAT)
    except ValueError:
        raise BadAsOf(
            f'--as-of 应为 "YYYY-MM-DD HH:MM" 格式的时间：{text} / --as-of must be a time as "YYYY-MM-DD HH:MM": {text}'
        ) from None
    return moment.strftime(STAMP_FORMAT)


def _sql(columns: tuple[str, ...] | list[str], as_of: str | None) -> tuple[str, list[object]]:
    params: list[object]
    if as_of is None:
        source, params = LIST, []
    else:
        source, params = f"{AT}(CAST(? AS TIMESTAMP))", [as_of]
    return f"SELECT {', '.join(columns)} FROM {source} ORDER BY {ORDER}", params


def _check(con: duckdb.DuckDBPyConnection) -> None:
    """NoData, in one line, for a warehouse built before the watch list existed."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE schema_name = 'marts' AND function_name = 'watch_list_at'"
    ).fetchone()
    if not found or not found[0]:
        raise NoData(
            "仓库中没有预警清单，请用当前版本重新运行 daiwei run / the warehouse has no watch list: "
            "run `daiwei run` with this version"
        )


def _stamp(v: object) -> str:
    return "" if is_missing(v) else pd.Timestamp(v).strftime(STAMP_FORMAT)  # type: ignore[arg-type]


def _text(v: object) -> str:
    return "" if is_missing(v) else str(v)


def watch_table(source: duckdb.DuckDBPyConnection | DB, scope: Scope | None = None, as_of: str | None = None) -> Table:
    """The file of `daiwei watch`: operations.md's header and sort, minutes as exact decimals.

    `source` is a read-only connection (the CLI: DECIMALs come back exact) or a reader (the
    dashboard's download). `as_of` is "YYYY-MM-DD HH:MM" (BadAsOf otherwise), None for the
    default moment."""
    sql, params = _sql(WATCH_HEADER, parse_as_of(as_of))
    if isinstance(source, duckdb.DuckDBPyConnection):
        _check(source)
        rows: list[tuple[object, ...]] = [
            tuple(r) for r in source.execute(scoped_sql(source, scope, sql), params).fetchall()
        ]
    else:
        frame = (scoped(source, scope) if scope is not None else source).df(sql, *params)
        rows = list(frame.itertuples(index=False, name=None))
    numeric = {WATCH_HEADER.index(c) for c in NUMERIC}
    body = [
        [
            _stamp(v) if i == 0 else fmt_number(None if is_missing(v) else v) if i in numeric else _text(v)
            for i, v in enumerate(r)
        ]
        for r in rows
    ]
    return Table("watch", WATCH_HEADER, body, NUMERIC)


# ---------------------------------------------------------------------------------------- the panel


def watch_frame(db: DB, as_of: str | None = None) -> pd.DataFrame:
    """Every row at the moment (the reader is already scoped), sorted as the file is, with the panel's columns.

    `as_of` as watch_table takes it."""
    sql, params = _sql([*WATCH_HEADER, *PANEL_COLUMNS], parse_as_of(as_of))
    return db.df(sql, *params)


def counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows per kind × status (every kind and status, zeros included), with totals."""
    grid = (
        frame.groupby(["kind", "status"]).size().unstack(fill_value=0) if not frame.empty else pd.DataFrame(dtype=int)
    )
    grid = grid.reindex(index=list(KINDS), columns=list(STATUSES), fill_value=0).astype(int)
    grid["total"] = grid.sum(axis=1)
    return grid


def hours_minutes(minutes: object) -> str:
    """Whole minutes as 时:分 (H:MM), the sign dropped (callers say 剩余 or 超时)."""
    if is_missing(minutes):
        return "—"
    total = int(abs(float(minutes)))  # type: ignore[arg-type]
    return f"{total // 60}:{total % 60:02d}"


def countdown(remaining: object) -> str:
    """剩余 H:MM, or 超时 H:MM once the limit has passed (rounded to the minute towards the deadline)."""
    if is_missing(remaining):
        return label("no_limit")
    value = float(remaining)  # type: ignore[arg-type]
    if value < 0:
        return label("over").format(t=hours_minutes(math.ceil(-value)))
    return label("left").format(t=hours_minutes(math.floor(value)))


def days_left(remaining: object) -> str:
    """An inspection's time left as 剩余 N 天 M 时 (whole hours, rounded down)."""
    if is_missing(remaining):
        return "—"
    hours = int(float(remaining) // 60)  # type: ignore[arg-type]
    return label("days_left").format(d=hours // 24, h=hours % 24)


def window_end(as_of: object) -> str:
    """The last day of as_of's month, YYYY-MM-DD: the inspection window ends with it (closes at the next 00:00)."""
    moment = pd.Timestamp(as_of)  # type: ignore[arg-type]
    return (moment.normalize() + pd.offsets.MonthEnd(0)).date().isoformat()
