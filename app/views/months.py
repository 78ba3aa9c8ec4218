"""月度 — each month's state (draft → open → closed), its appeal window and the contractors' confirmations.

An admin opens a month (publishes it to the contractors and starts the appeal window),
closes it (its figures are frozen: the snapshot is taken here from the whole warehouse,
with the last load sequence it saw) and reopens it with a reason; a contractor confirms
an open month. `appstate` checks every step and puts it on the audit trail. The months
listed are the person's: a contractor sees those published to it (its scoped reader's).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import appstate
from app import auth, tables
from app.data import db, unscoped_db
from app.downloads import download_buttons
from core.principal import Principal
from reporting import queries
from reporting.appeals import restatements
from reporting.freeze import load_seq_watermark, snapshot
from reporting.i18n import bilingual, contractor_label, month_state_name, t
from reporting.reader import DB


def _months(reader: DB, p: Principal, states: dict[str, appstate.MonthState]) -> list[str]:
    """The warehouse's months this person may see; the department also sees months known only to the app DB."""
    months = set(queries.months(reader))
    if p.sees_everything:
        months |= set(states)
    return sorted(months, reverse=True)


def states_frame(months: list[str], states: dict[str, appstate.MonthState], p: Principal) -> pd.DataFrame:
    def confirmed(m: str) -> str:
        by = states[m].confirmed_by if m in states else ()
        if p.is_contractor:  # never the other contractors' names
            return t("month_confirmed_self") if p.contractor in by else t("month_not_confirmed")
        return "、".join(by)

    def get(m: str, attr: str) -> object:
        return getattr(states[m], attr) if m in states else None

    return pd.DataFrame(
        {
            t("month"): months,
            t("col_state"): [month_state_name(states[m].state if m in states else "draft") for m in months],
            t("col_state_since"): [auth.local_time(get(m, "opened_at")) for m in months],  # type: ignore[arg-type]
            t("col_window_ends"): [auth.local_time(get(m, "window_ends_at")) for m in months],  # type: ignore[arg-type]
            t("col_closed_at"): [auth.local_time(get(m, "closed_at")) for m in months],  # type: ignore[arg-type]
            t("col_reopened_reason"): [str(get(m, "reopened_reason") or "") for m in months],
            t("col_confirmed_by"): [confirmed(m) for m in months],
        }
    )


def _admin(p: Principal, months: list[str], states: dict[str, appstate.MonthState]) -> None:
    st.subheader(t("months_action"))
    month = st.selectbox(t("months_pick"), months, key="mo_month")
    if month is None:
        return
    state = states[month].state if month in states else "draft"
    app = auth.app_db()
    c1, c2, c3, _ = st.columns([1.6, 1.6, 1.2, 3])
    if c1.button(t("month_open"), key="mo_open", disabled=state != "draft", type="primary"):
        _act("open", lambda: appstate.open_month(app, month, actor=p))
    if c2.button(t("month_close"), key="mo_close", disabled=state != "open"):
        warehouse = unscoped_db()  # the department's action: the whole month's figures are frozen

        def close() -> object:
            assert warehouse is not None
            return appstate.close_month(
                app,
                month,
                actor=p,
                snapshot=snapshot(warehouse, month),
                load_seq_watermark=load_seq_watermark(warehouse),
            )

        _act("close", close)
    reason = st.text_input(t("month_reopen_reason"), key="mo_reason", max_chars=2000, disabled=state != "closed")
    if c3.button(t("month_reopen"), key="mo_reopen", disabled=state != "closed"):
        if not reason.strip():
            st.error(t("month_reason_needed"))
        else:
            _act("reopen", lambda: appstate.reopen_month(app, month, actor=p, reason=reason.strip()))


def _act(action: str, fn) -> None:  # type: ignore[no-untyped-def]
    try:
        fn()
    except (appstate.Denied, appstate.Invalid) as exc:
        st.error(str(exc).replace("\n", " "))
        return
    st.session_state["mo_done"] = action
    st.rerun()


def _contractor(p: Principal, months: list[str], states: dict[str, appstate.MonthState]) -> None:
    st.subheader(t("month_confirm"))
    open_months = [m for m in months if m in states and states[m].state == "open"]
    if not open_months:
        st.caption(t("month_confirm_none"))
        return
    month = st.selectbox(t("months_pick"), open_months, key="mo_confirm_month")
    done = p.contractor in states[str(month)].confirmed_by
    if st.button(t("month_confirm"), key="mo_confirm", type="primary", disabled=done):
        _act("confirm", lambda: appstate.confirm_month(auth.app_db(), str(month), actor=p))


def restatements_frame(df: pd.DataFrame, names: dict[str, tuple[str, str]]) -> pd.DataFrame:
    def files(v: object) -> str:
        if isinstance(v, list | tuple) or hasattr(v, "tolist"):
            return "、".join(str(f) for f in list(v))  # type: ignore[call-overload]
        return "" if v is None else str(v)

    return pd.DataFrame(
        {
            t("month"): df["month"],
            t("kpi"): [bilingual(*names.get(c, (c, c))) for c in df["kpi_code"]],
            t("contractor"): [contractor_label(c) for c in df["contractor"]],
            t("prefecture"): [p or "—" for p in df["prefecture"]],
            t("col_frozen_value"): df["frozen_value"],
            t("col_computed_value"): df["computed_value"],
            t("col_frozen_numerator"): df["frozen_numerator"],
            t("col_computed_numerator"): df["computed_numerator"],
            t("col_frozen_denominator"): df["frozen_denominator"],
            t("col_computed_denominator"): df["computed_denominator"],
            t("change"): df["change"],
            t("col_files"): [files(v) for v in df["files"]],
        }
    )


def render() -> None:
    who = auth.current()
    st.title(t("months_title"))
    st.caption(t("months_caption"))
    reader = db()
    if who is None or reader is None:
        st.info(t("no_warehouse"))
        return
    p = who.principal
    done = st.session_state.pop("mo_done", None)
    if done:
        st.success(t("acted_ok"))
    states = appstate.month_states(auth.app_db())
    months = _months(reader, p, states)
    if not months:
        st.info(t("months_none"))
        return
    if p.is_admin:
        _admin(p, months, states)
    elif p.is_contractor:
        _contractor(p, months, states)
    st.subheader(t("months_states"))
    frame = states_frame(months, states, p)
    tables.show(frame, hide_index=True, width="stretch")
    download_buttons(frame, "months", "mo_states")
    if p.sees_everything:
        st.subheader(t("restatements"))
        st.caption(t("restatements_caption"))
        rows = restatements(reader)
        if rows.empty:
            st.caption(t("restatements_none"))
        else:
            shown = restatements_frame(rows, queries.kpi_names(reader))
            tables.show(shown, hide_index=True, width="stretch")
            download_buttons(shown, "restatements", "mo_restated")


if __name__ == "__main__":
    render()
