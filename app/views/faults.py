"""故障分析 — why faults happen and where: Pareto level by level, down to each ticket's clock.

cause → detail → device → prefecture → county → tickets: each choice narrows
the next Pareto, so the few causes behind most faults (and most breaches)
show first; a ticket's clock (dispatch, ack, arrival, completion, suspended
minutes, the limit and the effective duration) settles any dispute about it.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from app import tables
from app.clock import ticket_clock
from app.downloads import download_buttons
from app.filters import Selection, ready
from core.inert import md
from reporting import charts, drill
from reporting.fmt import as_bool, count_text
from reporting.i18n import ALL, t, tf
from reporting.reader import DB
from reporting.support import column_label


def load(db: DB, sel: Selection, path: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """The Pareto below `path` and its tickets (what the page draws for that choice)."""
    assert sel.month is not None
    path = path or []
    return {"pareto": _pareto(db, sel, path), "tickets": _ticket_rows(db, sel, path)}


def _pareto(db: DB, sel: Selection, path: list[str]) -> pd.DataFrame:
    """The pre-computed Pareto, or for one prefecture / county the same counted from its tickets."""
    assert sel.month is not None
    if sel.prefecture == ALL:
        return drill.pareto(db, sel.month, sel.contractor, path)
    return drill.pareto_in_place(db, sel.month, sel.contractor, path, sel.prefecture, sel.county)


def _ticket_rows(db: DB, sel: Selection, path: list[str], limit: int | None = drill.TICKET_LIMIT) -> pd.DataFrame:
    assert sel.month is not None
    return drill.tickets(db, sel.month, sel.contractor, path, limit, prefecture=sel.prefecture, county=sel.county)


def _option_text(counts: dict[str, object]) -> Callable[[str], str]:
    """'光缆线路 (152)': each choice with its ticket count; '' is the whole level.

    The labels are made now, inside the script run, so they follow the language switch."""
    texts = {"": t("drill_all"), **{k: f"{k} ({count_text(v)})" for k, v in counts.items()}}
    return lambda v: texts.get(v, v)


def _level_picker(db: DB, sel: Selection) -> tuple[list[str], pd.DataFrame, int]:
    """Draw one picker per level; returns the chosen path, the Pareto to chart and its level index."""
    assert sel.month is not None
    cols = st.columns(len(drill.LEVELS))
    path: list[str] = []
    chart_df, chart_level = pd.DataFrame(), 0
    for i, level in enumerate(drill.LEVELS):
        options_df = _pareto(db, sel, path)
        if options_df.empty:
            break
        counts = dict(zip(options_df["level_key"], options_df["tickets"], strict=True))
        options = ["", *counts]
        key = f"fa_{level}"
        if st.session_state.get(key) not in options:
            st.session_state[key] = ""
        choice = cols[i].selectbox(t(f"level_{level}"), options, key=key, format_func=_option_text(counts))
        chart_df, chart_level = options_df, i
        if choice == "":
            break
        path.append(str(choice))
    return path, chart_df, chart_level


def _pareto_table(df: pd.DataFrame, level: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t(f"level_{level}"): df["level_key"],
            t("tickets"): df["tickets"],
            column_label("breaches", {}): df["breaches"],
            t("share"): df["share_of_parent"].astype(float),
            t("cum_share"): df["cumulative_share"].astype(float),
        }
    )


def _tickets(db: DB, sel: Selection, path: list[str]) -> None:
    assert sel.month is not None
    st.subheader(t("ticket_list"))
    df = _ticket_rows(db, sel, path)
    total = drill.ticket_count(db, sel.month, sel.contractor, path, prefecture=sel.prefecture, county=sel.county)
    if total > len(df):
        st.caption(tf("rows_shown", shown=f"{len(df):,}", total=f"{total:,}"))
    if df.empty:
        st.info(t("no_rows"))
        return
    labels = {c: column_label(c, {}) for c in df.columns}
    shown = df.assign(is_timely=df["is_timely"].map(lambda v: t("timely_yes") if as_bool(v) else t("timely_no")))
    event = tables.show(
        shown.rename(columns=labels),
        hide_index=True,
        width="stretch",
        height=360,
        on_select="rerun",
        selection_mode="single-row",
        key="fa_ticket_table",
    )
    rows = getattr(getattr(event, "selection", None), "rows", None) or [0]
    row = int(rows[0]) if int(rows[0]) < len(df) else 0
    ticket_clock(df.iloc[row], "fa")
    month = sel.month
    download_buttons(
        lambda: _ticket_rows(db, sel, path, None).rename(columns=labels),
        f"fault_tickets_{month}",
        "fa_dl_tickets",
    )


def render() -> None:
    st.title(t("faults_title"))
    got = ready()
    if got is None:
        return
    db, sel = got
    assert sel.month is not None
    st.caption(t("faults_caption"))
    path, chart_df, level_i = _level_picker(db, sel)
    st.markdown(f"**{t('path')}**: " + (" › ".join(md(p) for p in path) if path else t("drill_all")))
    if chart_df.empty:
        st.info(t("no_rows"))
        return
    if len(path) <= level_i:  # the open level has not been narrowed: chart it
        level = drill.LEVELS[level_i]
        labels = {"tickets": t("tickets"), "cum_share": t("cum_share")}
        st.plotly_chart(charts.pareto(chart_df, "level_key", labels), width="stretch", key="fa_pareto")
        table = _pareto_table(chart_df, level)
        tables.show(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                t("share"): st.column_config.NumberColumn(format="percent"),
                t("cum_share"): st.column_config.NumberColumn(format="percent"),
            },
        )
        download_buttons(table, f"pareto_{level}_{sel.month}", "fa_dl_pareto")
    _tickets(db, sel, path)


if __name__ == "__main__":
    render()
