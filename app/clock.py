"""One ticket's full clock, the same on every page that lists tickets (故障分析, 超时分析).

派单, 接单, 到场, 完成 (未完成 while open), 挂起, 时限, 有效历时 and the verdict, then the
timeline: what a dispatcher and a contractor need to settle a dispute about one ticket.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.inert import md
from reporting import charts
from reporting.fmt import as_bool, count_text, is_missing
from reporting.i18n import t

STEPS = ("dispatched_at", "acknowledged_at", "arrived_at", "completed_at")


def _stamp(v: object, missing: str) -> str:
    return missing if is_missing(v) else pd.Timestamp(v).strftime("%m-%d %H:%M")  # type: ignore[arg-type]


def ticket_clock(row: pd.Series, key: str) -> None:
    """The clock of `row` (a row of mart_fault_tickets / mart_breaches) under a heading with its id."""
    st.markdown(f"#### {t('ticket_clock')} · {md(row['ticket_id'])}")
    c = st.columns(4)
    for col, step in zip(c, STEPS, strict=True):
        # An open ticket has no completion yet: say so instead of a dash.
        col.metric(t(step), _stamp(row.get(step), t("not_completed") if step == "completed_at" else "—"))
    c = st.columns(4)
    c[0].metric(t("suspended_minutes"), count_text(row.get("suspended_minutes")))
    limit = row.get("limit_minutes")
    c[1].metric(t("time_limit_minutes"), t("no_limit") if is_missing(limit) else count_text(limit))
    eff = row.get("effective_minutes")
    c[2].metric(t("effective_minutes"), "—" if is_missing(eff) else f"{float(str(eff)):,.1f}")
    timely = as_bool(row.get("is_timely"))
    c[3].metric(t("is_timely"), "—" if timely is None else t("timely_yes") if timely else t("timely_no"))
    steps = [(t(s), row.get(s)) for s in STEPS]
    st.plotly_chart(
        charts.ticket_clock(steps, limit, row.get("suspended_minutes"), {"limit": t("deadline")}),
        width="stretch",
        key=f"{key}_clock",
    )
