"""The daiwei dashboard: `streamlit run dashboards/app.py` (or `daiwei serve`)."""

from __future__ import annotations

import streamlit as st

from dashboards.i18n import language_switch, t
from dashboards.views import loads

st.set_page_config(page_title="代维KPI看板 / daiwei", page_icon="📶", layout="wide")
language_switch()

pages = [
    st.Page(loads.render, title=t("loads"), icon="📥", url_path="loads", default=True),
]
st.navigation(pages).run()
