"""Table helpers: met / missed colours and column formats, the same on every page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from reporting.fmt import as_bool, is_missing
from reporting.i18n import t

MET_CSS = "background-color: #e8f5e9; color: #1b5e20"
MISSED_CSS = "background-color: #ffebee; color: #b71c1c; font-weight: 600"


def met_text(v: object) -> str:
    b = as_bool(v)
    return t("met_na") if b is None else t("met_yes") if b else t("met_no")


def _css(v: object) -> str:
    b = as_bool(v)
    return "" if b is None else MET_CSS if b else MISSED_CSS


def style_met(text: pd.DataFrame, met: pd.DataFrame) -> Styler:
    """Colour each cell of `text` by the matching cell of `met` (True green, False red, else plain)."""
    aligned = met.reindex(index=text.index, columns=text.columns)
    css = aligned.map(_css)
    return text.style.apply(lambda _: css, axis=None)


def style_met_column(df: pd.DataFrame, column: str) -> Styler:
    """Colour a whole row's met column (its text says 达标 / 未达标)."""
    yes, no = t("met_yes"), t("met_no")

    def colour(v: object) -> str:
        return MET_CSS if v == yes else MISSED_CSS if v == no else ""

    return df.style.map(colour, subset=[column])


def count_columns(columns: Iterable[str]) -> dict[str, Any]:
    """Exact counts with separators (numerators/denominators can be fractional: MTTR hours, staffing)."""
    return {c: st.column_config.NumberColumn(c, format="localized") for c in columns}


def _number_text(v: object) -> str:
    if is_missing(v):
        return "—"
    f = float(v)  # type: ignore[arg-type]
    return f"{int(f):,}" if f.is_integer() else f"{f:,.2f}"


def readable(df: pd.DataFrame) -> pd.DataFrame:
    """What a person reads: no "None", no checkbox for a yes/no, no blank that looks like a bug.

    Text columns show an empty cell for a missing value; yes/no columns say 是 / 否; a numeric
    column with a missing value is shown as text ("—" for the missing one), since Streamlit
    would print "None" there; numeric columns without gaps stay numbers (sortable, formatted).
    """
    out = df.copy()
    for i in range(out.shape[1]):  # by position: two columns may share a header
        s = out.iloc[:, i]
        values = s.dropna()
        if pd.api.types.is_bool_dtype(s) or (len(values) and values.map(lambda v: isinstance(v, bool)).all()):
            out.isetitem(i, list(s.map(lambda v: "" if is_missing(v) else t("yes") if bool(v) else t("no"))))
        elif pd.api.types.is_datetime64_any_dtype(s):
            if s.isna().any():
                out.isetitem(
                    i, list(s.map(lambda v: "" if is_missing(v) else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M")))
                )
        elif pd.api.types.is_numeric_dtype(s):
            if s.isna().any():
                out.isetitem(i, list(s.map(_number_text)))
        elif s.isna().any():
            out.isetitem(i, list(s.map(lambda v: "" if is_missing(v) else v)))
    return out


def show(data: pd.DataFrame | Styler, **kwargs: Any) -> Any:
    """st.dataframe for a page: every frame goes through `readable` first (a Styler is shown as styled)."""
    return st.dataframe(readable(data) if isinstance(data, pd.DataFrame) else data, **kwargs)
