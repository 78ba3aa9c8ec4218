"""The daiwei dashboard: `streamlit run app/streamlit_app.py` (or `daiwei serve`).

Pages are files under `views/` (so AppTest can switch to each one); the
sidebar (language, month, contractor) is drawn here, before the page runs,
so the choice carries from page to page through st.session_state.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.filters import sidebar
from app.i18n import language_switch
from reporting.i18n import t

HERE = Path(__file__).resolve().parent
PAGES = [  # (file, label key, icon, url path)
    ("views/overview.py", "overview", ":material/dashboard:", "overview"),
    ("views/timeliness.py", "timeliness", ":material/timer:", "timeliness"),
    ("views/comparison.py", "comparison", ":material/balance:", "comparison"),
    ("views/areas.py", "areas", ":material/grid_view:", "areas"),
    ("views/faults.py", "faults", ":material/build:", "faults"),
    ("views/ledgers.py", "ledgers", ":material/fact_check:", "ledgers"),
    ("views/loads.py", "loads", ":material/upload_file:", "loads"),
]

st.set_page_config(page_title="代维KPI看板 / daiwei", page_icon=":material/cell_tower:", layout="wide")
language_switch()
st.sidebar.markdown(f"### {t('app_title')}")
pages = [
    st.Page(str(HERE / path), title=t(key), icon=icon, url_path=url, default=(i == 0))
    for i, (path, key, icon, url) in enumerate(PAGES)
]
nav = st.navigation(pages)
sidebar()
nav.run()
