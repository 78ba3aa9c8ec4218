"""Every table can leave the app as CSV (UTF-8 with BOM, for Excel) or as an Excel file."""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

from dashboards.i18n import t


def download_buttons(df: pd.DataFrame, name: str, key: str) -> None:
    c1, c2 = st.columns(2)
    c1.download_button(
        t("download_csv"),
        df.to_csv(index=False).encode("utf-8-sig"),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
    )
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        df.to_excel(xw, index=False, sheet_name=name[:31])
    c2.download_button(
        t("download_xlsx"),
        buf.getvalue(),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
    )
