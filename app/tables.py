"""Table helpers: met / missed colours and column formats, the same on every page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from reporting.fmt import as_bool
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
