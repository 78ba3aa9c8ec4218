"""今日预警 — the watch list (operations.md) at the top of the overview page.

What a dispatcher acts on before the month is judged: how many items are breached,
at risk or on track by kind, then the open tickets that are breached or at risk with
their countdown (剩余 / 超时 as 时:分), the overdue acknowledgements, and the circuits
whose inspection is still due this month. Picking a ticket opens its clock (the same
`app.clock.ticket_clock` as 超时分析 and 故障分析); picking a circuit shows its window.
The rows are the build's (`marts.mart_watch_list`, read through the person's scoped
reader: a contractor sees its own), narrowed by the sidebar's contractor and place; the
month picker does not apply (the list is about now). The download is `daiwei watch`'s file.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import tables
from app.clock import ticket_clock
from app.data import db
from app.downloads import download_buttons
from app.filters import Selection, current
from core.inert import md
from reporting import watch
from reporting.fmt import is_missing
from reporting.i18n import ALL
from reporting.reader import DB
from reporting.watch import label

SHOWN = 200  # rows per list on the page; the download holds every row
KEY = "wp"


def _narrow(frame: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """The sidebar's contractor and place (ALL keeps every row)."""
    for column, value in (("contractor", sel.contractor), ("prefecture", sel.prefecture), ("county", sel.county)):
        if value != ALL:
            frame = frame[frame[column] == value]
    return frame.reset_index(drop=True)


def _stamp(v: object) -> str:
    return "" if is_missing(v) else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


def _counts(frame: pd.DataFrame) -> None:
    grid = watch.counts(frame)
    c = st.columns(len(watch.STATUSES))
    for col, status in zip(c, watch.STATUSES, strict=True):
        col.metric(label(status), f"{int(grid[status].sum()):,}")
    shown = pd.DataFrame(
        {
            label("watch_kind"): [label(k) for k in grid.index],
            **{label(s): grid[s].astype(int).tolist() for s in watch.STATUSES},
            label("watch_total"): grid["total"].astype(int).tolist(),
        }
    )
    tables.show(shown, hide_index=True, width="stretch", key=f"{KEY}_counts")


def _capped(rows: pd.DataFrame) -> pd.DataFrame:
    if len(rows) > SHOWN:
        st.caption(label("watch_rows_shown").format(shown=f"{SHOWN:,}", total=f"{len(rows):,}"))
    return rows.head(SHOWN).reset_index(drop=True)


def _picked(event: object, n: int) -> int | None:
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    return int(rows[0]) if rows and int(rows[0]) < n else None


def _ticket_table(rows: pd.DataFrame, with_limit: bool) -> pd.DataFrame:
    out = {
        label("col_status"): [label(s) for s in rows["status"]],
        label("col_countdown"): [watch.countdown(v) for v in rows["remaining_minutes"]],
        label("col_ticket"): rows["ticket_id"].astype(str),
        label("col_type"): rows["ticket_type"].fillna(""),
        label("col_contractor"): rows["contractor"].fillna(""),
        label("col_prefecture"): rows["prefecture"].fillna(""),
        label("col_county"): rows["county"].fillna(""),
        label("col_dispatched"): [_stamp(v) for v in rows["dispatched_at"]],
    }
    if with_limit:
        out[label("col_limit")] = [watch.hours_minutes(v) for v in rows["limit_minutes"]]
        out[label("col_elapsed")] = [watch.hours_minutes(v) for v in rows["elapsed_minutes"]]
    return pd.DataFrame(out)


def _tickets(rows: pd.DataFrame, key: str, with_limit: bool) -> None:
    if rows.empty:
        st.caption(label("watch_none"))
        return
    rows = _capped(rows)
    st.caption(label("watch_pick_hint"))
    event = tables.show(
        _ticket_table(rows, with_limit),
        hide_index=True,
        width="stretch",
        height=min(36 * (len(rows) + 1) + 4, 320),
        on_select="rerun",
        selection_mode="single-row",
        key=f"{KEY}_{key}",
    )
    i = _picked(event, len(rows))
    if i is None:
        return
    row = rows.iloc[i]
    c = st.columns(2)
    c[0].metric(label("watch_elapsed"), watch.hours_minutes(row["elapsed_minutes"]))
    c[1].metric(label("watch_remaining"), watch.countdown(row["remaining_minutes"]))
    ticket_clock(row, f"{KEY}_{key}")


def _circuits(rows: pd.DataFrame) -> None:
    if rows.empty:
        st.caption(label("watch_none"))
        return
    rows = _capped(rows)
    st.caption(label("watch_pick_circuit"))
    ends = [watch.window_end(v) for v in rows["as_of"]]
    table = pd.DataFrame(
        {
            label("col_status"): [label(s) for s in rows["status"]],
            label("col_countdown"): [watch.days_left(v) for v in rows["remaining_minutes"]],
            label("col_circuit"): rows["circuit_id"].fillna(""),
            label("col_site_type"): rows["site_type"].fillna(""),
            label("col_contractor"): rows["contractor"].fillna(""),
            label("col_prefecture"): rows["prefecture"].fillna(""),
            label("col_county"): rows["county"].fillna(""),
            label("col_window"): [_stamp(v)[:10] for v in rows["window_start_on"]],
            label("col_window_end"): ends,
        }
    )
    event = tables.show(
        table,
        hide_index=True,
        width="stretch",
        height=min(36 * (len(rows) + 1) + 4, 320),
        on_select="rerun",
        selection_mode="single-row",
        key=f"{KEY}_circuits",
    )
    i = _picked(event, len(rows))
    if i is None:
        return
    row = rows.iloc[i]
    place = " · ".join(md(v) for v in (row["prefecture"], row["county"]) if not is_missing(v))
    st.markdown(f"#### {label('circuit_card').format(circuit=md(row['circuit_id']))}")
    st.caption(
        label("circuit_detail").format(
            site_type=md(row["site_type"]),
            place=place,
            start=_stamp(row["window_start_on"])[:10],
            end=ends[i],
            as_of=_stamp(row["as_of"]),
        )
    )


def _download(reader: DB, sel: Selection) -> None:
    def frame() -> pd.DataFrame:
        table = watch.watch_table(reader)
        out = pd.DataFrame(table.rows, columns=table.header)
        for column, value in (("contractor", sel.contractor), ("prefecture", sel.prefecture), ("county", sel.county)):
            if value != ALL:
                out = out[out[column] == value]
        return out

    download_buttons(frame, "watch_list", f"{KEY}_dl", numeric=watch.NUMERIC)


def render() -> None:
    """The panel; nothing at all when there is no reader (the page itself says why)."""
    reader = db()
    if reader is None or not reader.has(watch.LIST):
        return
    st.subheader(label("watch_title"))
    sel = current()
    frame = _narrow(watch.watch_frame(reader), sel)
    if frame.empty:
        st.caption(label("watch_empty"))
        return
    st.caption(label("watch_caption").format(as_of=_stamp(frame["as_of"].iloc[0])))  # a time we formatted
    _counts(frame)
    urgent = frame[(frame["kind"] == "ticket_open") & frame["status"].isin(["breached", "at_risk"])]
    acks = frame[frame["kind"] == "ack_overdue"]
    due = frame[frame["kind"] == "inspection_due"]
    tabs = st.tabs(
        [
            f"{label('watch_tickets')} ({len(urgent):,})",
            f"{label('watch_acks')} ({len(acks):,})",
            f"{label('watch_inspections')} ({len(due):,})",
        ]
    )
    with tabs[0]:
        _tickets(urgent, "tickets", with_limit=True)
    with tabs[1]:
        _tickets(acks, "acks", with_limit=False)
    with tabs[2]:
        _circuits(due)
    _download(reader, sel)
