"""Every table can leave the app as CSV (UTF-8 with BOM, for Excel) or as an Excel file.

The files are built only when the button is clicked (Streamlit's deferred
download data), so a page with ten tables does not write ten workbooks on
every rerun. A frame given as a callable is fetched only then too: a ticket
list can offer every row for download while the page shows the first few
thousand. Frames arrive here already masked (`app.data`), and are
masked again in case a page built one by hand.

Both files are inert (edge rule 11): the CSV goes through `core.inert.csv_bytes`
(data text that a spreadsheet would evaluate gets a leading apostrophe; the
columns a page names in `numeric` hold numbers it formatted itself, such as
"-1,240 元", and stay as they are), and the workbook is written by the pack's
`Book`, which writes every text as a string cell, never as a formula.

Every click is on the audit trail ('download', the file name): the button's
`on_click` records it for the person who drew the page. The frame itself comes
from the page's scoped reader, so a contractor's file holds what its page shows.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection

import pandas as pd
import streamlit as st

from app import auth
from core.inert import csv_bytes
from reporting.i18n import t
from reporting.masking import mask_frame
from reporting.pack.xlsx import Book

Frame = pd.DataFrame | Callable[[], pd.DataFrame]


def _frame(df: Frame) -> pd.DataFrame:
    return mask_frame(df() if callable(df) else df)


def to_csv(df: pd.DataFrame, numeric: Collection[str] = ()) -> bytes:
    header = [str(c) for c in df.columns]
    return csv_bytes(header, df.itertuples(index=False, name=None), bom=True, numeric=[str(c) for c in numeric])


def to_xlsx(df: pd.DataFrame, sheet: str) -> bytes:
    buf = io.BytesIO()
    book = Book(buf)
    ws = book.sheet(sheet or "data")
    book.table(ws, 0, df)
    ws.freeze_panes(1, 0)
    book.close()
    return buf.getvalue()


def _record_download(who: auth.Who | None, file_name: str) -> None:
    auth.record("download", file_name, who=who)


def download_buttons(df: Frame, name: str, key: str, numeric: Collection[str] = ()) -> None:
    """CSV and Excel buttons for a table; `numeric` names the columns of numbers the page formatted."""
    who = auth.current()  # the callback runs at the start of the next rerun: bind the person now
    c1, c2, _ = st.columns([1.3, 1.3, 5.4])
    c1.download_button(
        t("download_csv"),
        lambda: to_csv(_frame(df), numeric),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click=_record_download,
        args=(who, f"{name}.csv"),
        icon=":material/download:",
    )
    c2.download_button(
        t("download_xlsx"),
        lambda: to_xlsx(_frame(df), name),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click=_record_download,
        args=(who, f"{name}.xlsx"),
        icon=":material/download:",
    )
