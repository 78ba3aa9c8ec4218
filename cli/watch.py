"""`daiwei watch`: the watch list of operations.md (今日预警) written to a file.

`daiwei watch [--as-of "YYYY-MM-DD HH:MM"] --out FILE` reads the published warehouse
read-only: the default moment from `marts.mart_watch_list`, any other through the table
macro `marts.watch_list_at` that the same run wrote, so the rules are the build's, never
re-derived here. Written, scoped and audited like `daiwei export` (cli.main's `_export`):
a contractor account gets its own rows only. A malformed --as-of is a usage error (exit 2),
found before anything is read.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from core.settings import Settings

if TYPE_CHECKING:
    import duckdb

Handler = Callable[[argparse.Namespace], int]
MakeCommand = Callable[[str, str], argparse.ArgumentParser]

AS_OF_HELP = (
    '预警时刻，本地时间 / the moment to evaluate, local time, "YYYY-MM-DD HH:MM" '
    "(default: the latest 派单时间 or 接单时间 in the data)"
)


def register(command: MakeCommand, settings_of: Callable[[argparse.Namespace], Settings]) -> dict[str, Handler]:
    """Add `watch` to the parser; returns its handler by command name."""
    from cli.main import OUT_FILE_HELP

    w = command(
        "watch",
        "导出今日预警：在途工单时限、接单超时、本月待巡检 / write the watch list: open tickets against their "
        "limits, overdue acknowledgements, inspections due",
    )
    w.add_argument("--as-of", dest="as_of", metavar='"YYYY-MM-DD HH:MM"', help=AS_OF_HELP)
    w.add_argument("--out", required=True, metavar="FILE", help=OUT_FILE_HELP)
    return {"watch": cmd_watch}


def cmd_watch(args: argparse.Namespace) -> int:
    from cli.errors import UsageError
    from cli.main import _export
    from reporting.exports import Table, output_format
    from reporting.scope import Scope
    from reporting.watch import BadAsOf, parse_as_of, watch_table

    output_format(args.out)  # an unsupported extension first, as every export does
    try:
        parse_as_of(args.as_of)
    except BadAsOf as exc:
        raise UsageError(str(exc)) from None

    def table(con: duckdb.DuckDBPyConnection, as_of: str | None, scope: Scope | None = None) -> Table:
        return watch_table(con, scope, as_of)

    return _export(args, table, args.as_of)
