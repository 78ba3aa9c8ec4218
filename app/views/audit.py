"""审计 — the audit trail, newest first, and the check that nothing in it was edited or removed.

Only the auditor and the admin open it: the page is not listed for anyone else, and a person
who reaches its address anyway gets the refusal below, not the trail. "校验" runs
`appstate.verify`, the same walk as `daiwei audit verify`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import appstate
from app import auth, tables
from app.downloads import download_buttons
from reporting.i18n import ALL, action_name, outcome_name, t, tf

ROLES = ("admin", "auditor")
LIMIT = 1000


def trail_frame(entries: list[appstate.AuditEntry]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("col_entry"): [e.id for e in entries],
            t("col_at"): [auth.local_time(e.at) for e in entries],
            t("col_user"): [e.username or "" for e in entries],
            t("col_role"): [auth.role_name(e.role) if e.role else "" for e in entries],
            t("col_action"): [action_name(e.action) for e in entries],
            t("col_target"): [e.target for e in entries],
            t("col_outcome"): [outcome_name(e.outcome) for e in entries],
            t("col_hash"): [e.entry_hash[:16] for e in entries],
        }
    )


def render() -> None:
    who = auth.current()
    st.title(t("audit_title"))
    if who is None or who.principal.role not in ROLES:
        st.error(t("refused_page"))
        return
    st.caption(t("audit_caption"))
    app = auth.app_db()
    users = sorted({a.username for a in appstate.list_users(app)})
    everyone, every_action = t("audit_all_users"), t("audit_all_actions")
    c1, c2, c3 = st.columns([2, 2, 1])
    action = c1.selectbox(
        t("audit_action"),
        [ALL, *appstate.ACTIONS],
        key="au_action",
        format_func=lambda a: every_action if a == ALL else action_name(a),
    )
    user = c2.selectbox(
        t("audit_user"), [ALL, *users], key="au_user", format_func=lambda u: everyone if u == ALL else u
    )
    if c3.button(t("audit_verify"), key="au_verify", type="primary", icon=":material/verified:"):
        result = appstate.verify(app)
        if result.ok:
            st.success(tf("audit_intact", n=f"{result.checked:,}"))
        else:
            st.error(tf("audit_broken", id=result.first_broken))
            st.text(result.reason)  # the checker's words are shown as they are, never as Markdown
    found = appstate.entries(app, limit=LIMIT, action=action or None, username=user or None)
    found = sorted(found, key=lambda e: -e.id)  # newest first
    st.caption(tf("audit_shown", n=f"{len(found):,}"))
    frame = trail_frame(found)
    tables.show(frame, hide_index=True, width="stretch")
    download_buttons(frame, "audit_trail", "au_trail")


if __name__ == "__main__":
    render()
