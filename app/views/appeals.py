"""申诉 — a contractor appeals one rule on one of its own tickets; an admin rules; everyone sees the outcome.

The ticket is looked up on the person's scoped reader (`reporting.freeze.ticket_contractor`),
so a contractor can name only its own tickets; `appstate` checks the role, the window and the
ticket's contractor again and records the appeal and the ruling on the audit trail. A ruling
changes the figures at the next run, which recomputes them in dbt: the adjusted figures shown
here (`reporting.appeals.adjustments`) are those of the last run.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

import appstate
from app import auth, tables
from app.data import db
from app.downloads import download_buttons
from app.filters import current, months_only
from core.principal import Principal
from reporting import queries
from reporting.appeals import adjustments
from reporting.freeze import ticket_contractor
from reporting.i18n import appeal_state_name, contractor_label, rule_name, t, tf, value_name
from reporting.reader import DB


def appeals_frame(appeals: list[appstate.Appeal]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col_appeal_id"): [a.appeal_id for a in appeals],
            t("month"): [a.month for a in appeals],
            t("appeal_ticket"): [a.ticket_id for a in appeals],
            t("contractor"): [a.contractor for a in appeals],
            t("col_rule"): [rule_name(a.rule) for a in appeals],
            t("col_item"): [a.item or "" for a in appeals],
            t("appeal_reason"): [a.reason for a in appeals],
            t("col_evidence"): [a.evidence or "" for a in appeals],
            t("col_state"): [appeal_state_name(a.state) for a in appeals],
            t("col_filed_by"): [a.filed_by for a in appeals],
            t("col_filed_at"): [auth.local_time(a.filed_at) for a in appeals],
            t("col_ruled_by"): [a.ruled_by or "" for a in appeals],
            t("col_ruled_at"): [auth.local_time(a.ruled_at) for a in appeals],
            t("appeal_note"): [a.note or "" for a in appeals],
        }
    )


def adjustments_frame(df: pd.DataFrame) -> pd.DataFrame:
    def ids(v: object) -> str:
        if isinstance(v, list | tuple) or hasattr(v, "tolist"):
            return ", ".join(str(i) for i in list(v))  # type: ignore[call-overload]
        return "" if v is None else str(v)

    return pd.DataFrame(
        {
            t("month"): df["month"],
            t("kpi"): df["kpi_name_zh"],
            t("col_grain"): [value_name("grain", g) for g in df["grain"]],
            t("contractor"): [contractor_label(c) for c in df["contractor"]],
            t("prefecture"): [p or "—" for p in df["prefecture"]],
            t("col_numerator_before"): df["numerator_before"],
            t("col_numerator_after"): df["numerator_after"],
            t("denominator"): df["denominator"],
            t("col_value_before"): df["value_before"].round(4),
            t("col_value_after"): df["value_after"].round(4),
            t("col_appeal_ids"): [ids(v) for v in df["appeal_ids"]],
        }
    )


def _open_months(reader: DB) -> list[str]:
    """The months in their appeal window that this person may see (the scoped reader's months)."""
    states = appstate.month_states(auth.app_db())
    now = datetime.now().astimezone()
    out = []
    for m in queries.months(reader):
        state = states.get(m)
        if state is None or state.state != "open":
            continue
        if state.window_ends_at is None or state.window_ends_at > now:
            out.append(m)
    return out


def _file(reader: DB, p: Principal) -> None:
    st.subheader(t("appeal_file"))
    months = _open_months(reader)
    if not months:
        st.info(t("appeal_no_open_month"))
        return
    with st.form("ap_file", enter_to_submit=False, clear_on_submit=False):
        month = st.selectbox(t("appeal_month"), months, key="ap_month")
        ticket = st.text_input(t("appeal_ticket"), key="ap_ticket", max_chars=200)
        rule = st.selectbox(t("appeal_rule"), list(appstate.RULES), key="ap_rule", format_func=rule_name)
        item = st.text_input(t("appeal_item"), key="ap_item", max_chars=200)
        reason = st.text_area(t("appeal_reason"), key="ap_reason", max_chars=2000)
        evidence = st.text_area(t("appeal_evidence"), key="ap_evidence", max_chars=4000)
        submitted = st.form_submit_button(t("appeal_submit"), type="primary", key="ap_submit")
    if not submitted:
        return
    ticket, reason = ticket.strip(), reason.strip()
    if not ticket or not reason:
        st.error(t("appeal_need_ticket"))
        return
    owner = ticket_contractor(reader, str(month), ticket)
    if owner is None:
        st.error(t("appeal_unknown_ticket"))
        return
    try:
        appeal_id = appstate.file_appeal(
            auth.app_db(),
            actor=p,
            month=str(month),
            ticket_id=ticket,
            ticket_contractor=owner,
            rule=str(rule),
            item=item.strip() or None,
            reason=reason,
            evidence=evidence.strip(),
        )
    except (appstate.Denied, appstate.Invalid) as exc:
        st.error(str(exc).replace("\n", " "))
        return
    st.success(tf("appeal_filed", id=appeal_id))


def _rule(p: Principal, appeals: list[appstate.Appeal]) -> None:
    st.subheader(t("appeal_rule_head"))
    pending = {a.appeal_id: a for a in appeals if a.state == "pending"}
    if not pending:
        st.caption(t("appeal_pending_none"))
        return
    labels = {i: f"{i} · {a.month} · {a.ticket_id} · {a.contractor} · {rule_name(a.rule)}" for i, a in pending.items()}
    picked = st.selectbox(t("appeal_pick"), list(pending), key="ap_pending", format_func=lambda i: labels[i])
    note = st.text_input(t("appeal_note"), key="ap_note", max_chars=2000)
    c1, c2, _ = st.columns([1, 1, 6])
    accept = c1.button(t("appeal_accept"), key="ap_accept", type="primary")
    reject = c2.button(t("appeal_reject"), key="ap_reject")
    if not (accept or reject) or picked is None:
        return
    try:
        appstate.rule_appeal(auth.app_db(), int(picked), actor=p, accept=accept, note=note.strip())
    except (appstate.Denied, appstate.Invalid) as exc:
        st.error(str(exc).replace("\n", " "))
        return
    st.session_state["ap_ruled"] = (int(picked), "accepted" if accept else "rejected")
    st.rerun()


def render() -> None:
    who = auth.current()
    st.title(t("appeals_title"))
    st.caption(t("appeals_caption"))
    reader = db()
    if who is None or reader is None:
        st.info(t("no_warehouse"))
        return
    p = who.principal
    if p.is_contractor:
        _file(reader, p)
    appeals = sorted(appstate.list_appeals(auth.app_db(), actor=p), key=lambda a: -a.appeal_id)
    if p.is_admin:
        ruled = st.session_state.pop("ap_ruled", None)
        if ruled:
            st.success(tf("appeal_ruled", id=ruled[0], state=appeal_state_name(ruled[1])))
        _rule(p, appeals)
    st.subheader(t("appeal_list"))
    if not appeals:
        st.caption(t("appeal_none"))
    else:
        frame = appeals_frame(appeals)
        tables.show(frame, hide_index=True, width="stretch")
        download_buttons(frame, "appeals", "ap_list")
    st.subheader(t("appeal_adjusted"))
    st.caption(t("appeal_adjusted_caption"))
    sel = months_only(reader, current())  # the figures appeals changed are per month: a period shows its latest
    month = sel.month if sel is not None else None
    if not month:
        st.caption(t("no_months"))
        return
    adjusted = adjustments(reader, str(month))
    if adjusted.empty:
        st.caption(t("appeal_adjusted_none"))
        return
    frame = adjustments_frame(adjusted)
    tables.show(frame, hide_index=True, width="stretch")
    download_buttons(frame, f"appeal_adjustments_{month}", "ap_adjusted")


if __name__ == "__main__":
    render()
