"""超时分析 — which contractor is worst on fault timeliness this month, and why.

The ranking (worst first) names the contractor; its breaches are then counted by
cause, by place and by technician side by side (each table sortable by clicking
a header), and its tickets follow, breaches only by default, each row opening the
ticket's full clock. The sidebar's prefecture / county narrow everything below
the ranking, so "the breaches of one prefecture, with their clocks" is the same page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import tables
from app.clock import ticket_clock
from app.downloads import download_buttons
from app.filters import Selection, ready
from core.inert import md
from reporting import drill, timeliness
from reporting.fmt import value_text
from reporting.i18n import ALL, t, tf
from reporting.reader import DB
from reporting.support import column_label

TABLE_KEY = "tl_tickets"


def _pick_contractor(sel: Selection, ranking: pd.DataFrame) -> str:
    """Whose breaches to explain: the sidebar's contractor if chosen; else the worst of the month, or every
    contractor once a prefecture is chosen (the question is then about the place); any other on request."""
    if sel.contractor != ALL:
        return sel.contractor
    options = [ALL, *ranking["contractor"].tolist()]
    place = f"{sel.prefecture}/{sel.county}"
    if st.session_state.get("tl_contractor") not in options or st.session_state.get("tl_place") != place:
        st.session_state["tl_contractor"] = ALL if sel.prefecture != ALL else options[1]
    st.session_state["tl_place"] = place
    everyone = t("all_contractors")
    return str(
        st.selectbox(t("look_at"), options, key="tl_contractor", format_func=lambda c: everyone if c == ALL else c)
    )


def _ranking_table(ranking: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("contractor"): ranking["contractor"],
            t("timely_rate"): ranking["value"].astype(float),
            column_label("breaches", {}): ranking["breaches"].astype(int),
            t("timely_tickets"): ranking["numerator"].astype(int),
            column_label("fault_tickets", {}): ranking["denominator"].astype(int),
        }
    )


def _breakdown(df: pd.DataFrame, label: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            label: df["key"].fillna(t("blank")).astype(str),
            column_label("breaches", {}): df["breaches"].astype(int),
            t("tickets"): df["tickets"].astype(int),
            t("breach_share"): df["breach_share"].astype(float),
        }
    )


def _show_breakdowns(db: DB, sel: Selection, contractor: str) -> None:
    assert sel.month is not None
    place = timeliness.place_column(sel.prefecture)
    titles = {
        "cause_category": (t("by_cause"), column_label("cause_category", {})),
        "place": (t("by_place"), column_label(place, {})),
        "technician_id": (t("by_technician"), t("technician")),
    }
    cols = st.columns(3)
    for col, dim in zip(cols, timeliness.DIMENSIONS, strict=True):
        title, label = titles[dim]
        table = _breakdown(timeliness.breaches_by(db, sel.month, contractor, dim, sel.prefecture, sel.county), label)
        with col:
            st.markdown(f"##### {title}")
            tables.show(
                table,
                hide_index=True,
                width="stretch",
                height=320,
                key=f"tl_by_{dim}",
                column_config={t("breach_share"): st.column_config.NumberColumn(format="percent")},
            )


def _tickets(db: DB, sel: Selection, contractor: str) -> None:
    assert sel.month is not None
    st.subheader(t("breach_list"))
    only = st.toggle(t("only_breaches"), value=True, key="tl_only_breaches")
    month, prefecture, county = sel.month, sel.prefecture, sel.county

    def fetch(limit: int | None = drill.TICKET_LIMIT) -> pd.DataFrame:
        return drill.tickets(db, month, contractor, [], limit, prefecture=prefecture, county=county, breaches_only=only)

    df = fetch()
    total = drill.ticket_count(db, month, contractor, [], prefecture=prefecture, county=county, breaches_only=only)
    if total > len(df):
        st.caption(tf("rows_shown", shown=f"{len(df):,}", total=f"{total:,}"))
    if df.empty:
        st.info(t("no_breaches") if only else t("no_rows"))
        return
    shown = df.assign(is_timely=df["is_timely"].map(lambda v: t("timely_yes") if v else t("timely_no")))
    labels = {c: column_label(c, {}) for c in shown.columns}
    event = tables.show(
        shown.rename(columns=labels),
        hide_index=True,
        width="stretch",
        height=320,
        on_select="rerun",
        selection_mode="single-row",
        key=TABLE_KEY,
    )
    rows = getattr(getattr(event, "selection", None), "rows", None) or [0]
    row = int(rows[0]) if int(rows[0]) < len(df) else 0
    ticket_clock(df.iloc[row], "tl")
    download_buttons(
        lambda: fetch(None).rename(columns=labels),
        f"breaches_{month}",
        "tl_dl",
    )


def render() -> None:
    st.title(t("timeliness_title"))
    got = ready()
    if got is None:
        return
    db, sel = got
    assert sel.month is not None
    st.caption(t("timeliness_caption"))
    ranking = timeliness.ranking(db, sel.month)
    if ranking.empty:
        st.info(t("no_rows"))
        return
    worst = ranking.iloc[0]
    st.markdown(
        tf(
            "worst_is",
            contractor=f"**{md(worst['contractor'])}**",
            rate=value_text(worst["value"], "ratio"),
            breaches=f"{int(worst['breaches']):,}",
            tickets=f"{int(worst['denominator']):,}",
        )
    )
    st.markdown(f"##### {t('ranking')}")
    tables.show(
        _ranking_table(ranking),
        hide_index=True,
        width="stretch",
        key="tl_ranking",
        column_config={
            t("timely_rate"): st.column_config.NumberColumn(format="percent"),
        },
    )
    contractor = _pick_contractor(sel, ranking)
    if sel.prefecture != ALL:
        place = sel.prefecture if sel.county == ALL else f"{sel.prefecture} · {sel.county}"
        st.caption(tf("place_filter", place=md(place)))
    _show_breakdowns(db, sel, contractor)
    _tickets(db, sel, contractor)


if __name__ == "__main__":
    render()
