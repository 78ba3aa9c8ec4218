"""How numbers read: a rate as a percentage, hours with one unit, yuan with separators.

The warehouse stores exact numerators and denominators; these helpers only
decide how a person sees them, and every page (and the pack) uses the same
ones so a number reads the same everywhere.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd

from reporting.exports import fmt_number

RATE_UNIT = "ratio"


def is_missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(math.isnan(float(v)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def records(df: pd.DataFrame) -> list[Any]:
    """Rows as named tuples typed Any: pandas-stubs types every cell as a union no function accepts."""
    return list(df.itertuples())


def num(v: object) -> float:
    """A cell as float (callers have checked `is_missing` first)."""
    return float(v)  # type: ignore[arg-type]


def as_bool(v: object) -> bool | None:
    """True / False, or None for NULL (pandas NA, NaN, None): `met` is NULL when nothing was judged."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return bool(v)


def value_text(value: object, unit: str | None) -> str:
    """95.24% for a rate, 3.01 h for MTTR, 1,240 元 for penalties, 91.23 for points."""
    if is_missing(value):
        return "—"
    v = float(value)  # type: ignore[arg-type]
    if unit == RATE_UNIT:
        return f"{v * 100:.2f}%"
    if unit == "hours":
        return f"{v:.2f} h"
    if unit == "yuan":
        return f"{v:,.0f} 元"
    return f"{v:,.2f}"


def change_text(now: object, before: object, unit: str | None) -> str:
    """The change from last month: percentage points for rates, the unit's own otherwise."""
    if is_missing(now) or is_missing(before):
        return ""
    d = float(now) - float(before)  # type: ignore[arg-type]
    arrow = "▲" if d > 0 else ("▼" if d < 0 else "＝")
    if unit == RATE_UNIT:
        return f"{arrow}{abs(d) * 100:.2f}pp"
    if unit == "yuan":
        return f"{arrow}{abs(d):,.0f}"
    return f"{arrow}{abs(d):.2f}"


def _empty(population: object) -> bool:
    return is_missing(population) or float(population) == 0  # type: ignore[arg-type]


def month_change(now: object, before: object, unit: str | None, population: object, before_population: object) -> str:
    """`change_text`, except against a month with an empty population (or none): "上月无数据", not a change."""
    from reporting.i18n import t

    if is_missing(before) or _empty(before_population):
        return t("no_prev_data")
    if is_missing(now) or _empty(population):
        return ""
    return change_text(now, before, unit)


def count_text(v: object) -> str:
    """Exact: integers with separators, decimals as stored (no float noise)."""
    if is_missing(v):
        return "—"
    text = fmt_number(v)
    if "." not in text:
        return f"{int(text):,}"
    whole, frac = text.split(".")
    return f"{int(whole):,}.{frac}"


def ratio_text(numerator: object, denominator: object) -> str:
    """`1,234 / 1,300`: the two numbers every rate is shown with."""
    return f"{count_text(numerator)} / {count_text(denominator)}"


def prev_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    d = date(y - 1, 12, 1) if m == 1 else date(y, m - 1, 1)
    return d.strftime("%Y-%m")
