"""The daiwei dashboard: `streamlit run app/streamlit_app.py` (or `daiwei serve`).

Pages are files under `views/` (so AppTest can switch to each one); the
sidebar (language, person, month, contractor) is drawn here, before the page
runs, so the choice carries from page to page through st.session_state.

Nobody gets past `auth.gate()` without signing in: an anonymous visitor sees the
sign-in form and nothing else (the pages are registered hidden, so the address
they asked for opens after the sign-in). What a person reads is scoped once, in
`app.data.db()`; the roles decide here only which pages exist.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import auth
from app.filters import current, sidebar
from app.i18n import language_switch
from reporting.i18n import t

HERE = Path(__file__).resolve().parent
PAGES = [  # (file, label key, icon, url path, roles that see it; None = everyone signed in)
    ("views/overview.py", "overview", ":material/dashboard:", "overview", None),
    ("views/timeliness.py", "timeliness", ":material/timer:", "timeliness", None),
    ("views/comparison.py", "comparison", ":material/balance:", "comparison", None),
    ("views/areas.py", "areas", ":material/grid_view:", "areas", None),
    ("views/faults.py", "faults", ":material/build:", "faults", None),
    ("views/ledgers.py", "ledgers", ":material/fact_check:", "ledgers", None),
    ("views/loads.py", "loads", ":material/upload_file:", "loads", None),
    ("views/appeals.py", "appeals", ":material/gavel:", "appeals", None),
    ("views/months.py", "months", ":material/event_available:", "months", None),
    ("views/audit.py", "audit", ":material/policy:", "audit", ("admin", "auditor")),
]

st.set_page_config(page_title="代维KPI看板 / daiwei", page_icon=":material/cell_tower:", layout="wide")
language_switch()
who = auth.gate()
role = who.principal.role if who else None
pages = [
    st.Page(
        str(HERE / path),
        title=t(key),
        icon=icon,
        url_path=url,
        default=(i == 0),
        # A page the person may not open stays registered (its address shows the page's own refusal
        # rather than Streamlit's English "page not found") but is not listed.
        visibility="visible" if who is not None and (roles is None or role in roles) else "hidden",
    )
    for i, (path, key, icon, url, roles) in enumerate(PAGES)
]
nav = st.navigation(pages, position="sidebar" if who is not None else "hidden")
if who is None:
    st.stop()
st.sidebar.markdown(f"### {t('app_title')}")
auth.sign_out_box(who)
sidebar()
page_key = next((url for (_, _, _, url, _), page in zip(PAGES, pages, strict=True) if page is nav), nav.title)
sel = current()
auth.record_view(page_key, sel.month, sel.contractor)
nav.run()
