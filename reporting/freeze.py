"""What closing a month freezes, and the look-ups the appeal form needs, read from the published warehouse.

access.md: once a month is closed its published figures are frozen. `snapshot`
reads the rows a later run must keep (the KPI table and the penalty items of
that month) exactly as published, as strings, so that the application database
stores them losslessly and the next build writes them back with their own types
(`appdb.frozen_kpi`, `appdb.frozen_penalty_items`, read by fct_kpi and
fct_penalty_items). `load_seq_watermark` is the last file applied when the month
was closed: files loaded after it are the ones a restatement names.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reporting.reader import DB

FROZEN = {  # relation frozen at closing → the appdb table the build writes it back into
    "fct_kpi": "appdb.frozen_kpi",
    "fct_penalty_items": "appdb.frozen_penalty_items",
}


def _as_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def snapshot(db: DB, month: str) -> dict[str, list[dict[str, str | None]]]:
    """The month's published rows of every frozen relation, every value as text (None = NULL).

    Read through an unscoped reader (the department's record); the frozen marts hold no personal column.
    """
    out: dict[str, list[dict[str, str | None]]] = {}
    for rel in FROZEN:
        cols = db.columns(f"marts.{rel}")
        casts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in cols)
        frame = db.df(f"SELECT {casts} FROM marts.{rel} WHERE month = ?", month)
        out[rel] = [{str(c): _as_text(v) for c, v in row.items()} for row in frame.to_dict("records")]
    if not out["fct_kpi"]:
        raise LookupError(f"{month}: 仓库中没有该月的指标 / the warehouse has no KPI rows for this month")
    return out


def load_seq_watermark(db: DB) -> int:
    """The last load_seq the published warehouse applied (0 when nothing was loaded)."""
    frame = db.df("SELECT coalesce(max(load_seq), 0) AS seq FROM audit.load_log")
    return int(frame["seq"].iloc[0])


def ticket_contractor(db: DB, month: str, ticket_id: str) -> str | None:
    """The contractor of a ticket dispatched in `month`, as the reader may see it (None: no such ticket).

    A contractor's scoped reader only finds its own tickets, so an appeal on another contractor's
    ticket is refused as unknown, without saying whose it is.
    """
    sql = "SELECT contractor FROM marts.mart_ticket_steps WHERE month = ? AND ticket_id = ? LIMIT 1"
    frame = db.df(sql, month, ticket_id)
    return None if frame.empty else str(frame["contractor"].iloc[0])
