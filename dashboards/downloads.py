"""Every table can leave the app as CSV (UTF-8 with BOM, for Excel) or as an Excel file.

The files are built only when the button is clicked (Streamlit's deferred
download data), so a page with ten tables does not write ten workbooks on
every rerun. A frame given as a callable is fetched only then too: a ticket
list can offer every row for download while the page shows the first few
thousand. Frames arrive here already masked (`dashboards.data`), and are
masked again in case a page built one by hand.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboards.i18n import t
from dashboards.masking import mask_frame

Frame = pd.DataFrame | Callable[[], pd.DataFrame]


def _frame(df: Frame) -> pd.DataFrame:
    return mask_frame(df() if callable(df) else df)


def to_csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8-sig")


def to_xlsx(df: pd.DataFrame, sheet: str) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        df.to_excel(xw, index=False, sheet_name=sheet[:31] or "data")
        ws = xw.sheets[sheet[:31] or "data"]
        ws.freeze_panes(1, 0)
        for i, col in enumerate(df.columns):
            width = min(60, max(8, len(str(col)) * 2, *(len(str(v)) for v in df[col].head(200))))
            ws.set_column(i, i, width + 1)
    return buf.getvalue()


def download_buttons(df: Frame, name: str, key: str) -> None:
    c1, c2, _ = st.columns([1, 1, 6])
    c1.download_button(
        t("download_csv"),
        lambda: to_csv(_frame(df)),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    c2.download_button(
        t("download_xlsx"),
        lambda: to_xlsx(_frame(df), name),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
        icon=":material/download:",
    )
