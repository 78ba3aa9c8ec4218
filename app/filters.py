"""The sidebar's pickers (month, contractor, prefecture, county), shared by every page.

The lists come from the signed-in person's scoped reader: a contractor is offered the
months published to it, and itself beside the others as 代维公司A/B/… (its own name by
default). A value set by hand that the lists do not hold falls back to the default.

They are drawn once, by `streamlit_app.py`, before the page runs, under fixed keys
in st.session_state: a person who picks 2026-09, 铁通 and 城东 on the overview finds
the same choice on every other page. Pages read the choice with `current()`; the
place narrows the lists that carry a place (tickets, breaches, ledger findings),
while KPI tables keep their province / contractor grain.

The month picker also offers the quarters and years of the data (2026-Q3 shown as
2026年第3季度, 2026 as 2026年度), after the months. Pages that show KPI figures take
the label as it is (`ready(periods=True)`; `reporting.queries` reads the period's
figures by the label); every other page shows months only: for a quarter or a year it
shows the period's latest month and says so (`ready()`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import streamlit as st

from app import auth
from app.data import db, published_at
from reporting import queries
from reporting.i18n import ALL, period_name, t, tf
from reporting.reader import DB, missing

MONTH_KEY, CONTRACTOR_KEY, PREFECTURE_KEY, COUNTY_KEY = "month", "contractor", "prefecture", "county"


@dataclass(frozen=True)
class Selection:
    month: str | None
    contractor: str  # ALL ('') = every contractor
    prefecture: str = ALL  # ALL ('') = every prefecture
    county: str = ALL  # ALL ('') = every county of the prefecture (only with a prefecture)

    @property
    def contractors_or_all(self) -> list[str] | None:
        return None if self.contractor == ALL else [self.contractor]


def sidebar() -> None:
    """Draw the pickers (or say why there is nothing to pick)."""
    reader = db()
    if reader is None or missing(reader):
        return
    months = queries.periods(reader)  # months newest first, then quarters, then years (the scoped reader's)
    if not months:
        return
    if st.session_state.get(MONTH_KEY) not in months:
        st.session_state[MONTH_KEY] = months[0]
    names = {m: period_name(m) for m in months}  # made now: format_func may run outside the script run
    st.sidebar.selectbox(t("month"), months, key=MONTH_KEY, format_func=lambda m: names.get(m, m))
    options = [ALL, *queries.contractors(reader)]  # a contractor: itself and 代维公司A/B/… (the scoped reader's)
    if st.session_state.get(CONTRACTOR_KEY) not in options:
        st.session_state[CONTRACTOR_KEY] = _own(options)
    everyone = t("all_contractors")  # made now: format_func may run outside the script run
    st.sidebar.selectbox(
        t("contractor"),
        options,
        key=CONTRACTOR_KEY,
        format_func=lambda c: everyone if c == ALL else c,
    )
    _place(reader)
    _freshness()


def _own(options: list[str]) -> str:
    """A contractor's picker opens on its own name; the department's on every contractor."""
    p = auth.principal()
    return p.contractor if p is not None and p.contractor and p.contractor in options else ALL


def _picker(label: str, key: str, options: list[str], everywhere: str) -> str:
    options = [ALL, *options]
    if st.session_state.get(key) not in options:
        st.session_state[key] = ALL
    return str(st.sidebar.selectbox(label, options, key=key, format_func=lambda v: everywhere if v == ALL else v))


def _place(reader: DB) -> None:
    """Prefecture, then county within it: both carry across pages like the month and the contractor."""
    prefecture = _picker(t("prefecture"), PREFECTURE_KEY, queries.prefectures(reader), t("all_prefectures"))
    counties = queries.counties(reader, prefecture) if prefecture != ALL else []
    if counties:
        _picker(t("county"), COUNTY_KEY, counties, t("all_counties"))
    else:
        st.session_state[COUNTY_KEY] = ALL


def _freshness() -> None:
    mtime = published_at()
    if mtime is None:
        return
    stamp = datetime.fromtimestamp(mtime).strftime("%Y-%m-%d %H:%M")
    st.sidebar.caption(f"{t('data_as_of')}: {stamp} · {t('masked_note')}")


def current() -> Selection:
    return Selection(
        st.session_state.get(MONTH_KEY),
        str(st.session_state.get(CONTRACTOR_KEY, ALL) or ALL),
        str(st.session_state.get(PREFECTURE_KEY, ALL) or ALL),
        str(st.session_state.get(COUNTY_KEY, ALL) or ALL),
    )


def months_only(reader: DB, sel: Selection) -> Selection | None:
    """For a page whose content exists per month only: a quarter or a year becomes its latest data month,
    and the page says so (None when the period holds no month this person may see)."""
    if sel.month is None or not queries.is_period(sel.month):
        return sel
    within = queries.months_of(reader, sel.month)
    if not within:
        st.info(t("no_months"))
        return None
    st.info(tf("months_only", period=period_name(sel.month), month=within[-1]))
    return replace(sel, month=within[-1])


def ready(periods: bool = False) -> tuple[DB, Selection] | None:
    """The reader and the selection, or None after telling the person what is missing.

    periods=True: the page shows a quarter's or a year's figures (the month may be 2026-Q3 or 2026);
    otherwise a period picked in the sidebar is shown as its latest month (`months_only`)."""
    reader = db()
    if reader is None:
        st.info(t("no_warehouse"))
        return None
    lacking = missing(reader)
    if lacking:
        st.info(tf("warehouse_incomplete", n=len(lacking)))
        return None
    sel = current()
    if sel.month is None:
        st.info(t("no_months"))
        return None
    shown = sel if periods else months_only(reader, sel)
    return None if shown is None else (reader, shown)
