"""总览 — the province's month (or quarter, or year) at a glance: scores, penalties, settlement, every KPI.

A quarter or a year picked in the sidebar reads the period's figures (`reporting.queries` decides by
the label); "change" then compares with the previous quarter or year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from app import tables
from app.downloads import download_buttons
from app.filters import Selection, ready
from app.views import watch_panel
from core.inert import md
from reporting import charts, queries
from reporting.fmt import is_missing, month_change, records, value_text
from reporting.i18n import ALL, bilingual, contractor_label, period_name, reason_name, t, tf
from reporting.labels import REASON_NAMES
from reporting.reader import DB


@dataclass
class OverviewData:
    scores: pd.DataFrame
    kpis: pd.DataFrame
    penalties: pd.DataFrame
    settlement: pd.DataFrame


def load(db: DB, sel: Selection) -> OverviewData:
    """Everything the page draws, in four queries (the benchmark times exactly this); month, quarter or year."""
    assert sel.month is not None
    return OverviewData(
        scores=queries.scores(db, sel.month),
        kpis=queries.kpi_month(db, sel.month),
        penalties=queries.penalty_reasons(db, sel.month),
        settlement=queries.settlement(db, sel.month) if db.has(queries.SETTLEMENT) else pd.DataFrame(),
    )


def _metrics(scores: pd.DataFrame) -> None:
    if scores.empty:
        return
    cols = st.columns(len(scores))
    for col, row in zip(cols, records(scores), strict=True):
        with col.container(border=True):
            st.markdown(f"**{md(row.contractor)}**")
            delta = (
                None
                if is_missing(row.prev_composite) or is_missing(row.composite)
                else (f"{float(row.composite) - float(row.prev_composite):+.2f}")
            )
            st.metric(t("composite"), value_text(row.composite, "points"), delta)
            pdelta = (
                None
                if is_missing(row.prev_penalty) or is_missing(row.penalty)
                else (f"{float(row.penalty) - float(row.prev_penalty):+,.0f} 元")
            )
            st.metric(t("penalty"), value_text(row.penalty, "yuan"), pdelta, delta_color="inverse")


def _charts(data: OverviewData, sel: Selection) -> None:
    left, right = st.columns(2)
    target = data.scores["composite_target"].dropna()
    order = data.scores["contractor"].tolist()  # best composite first, the same on every chart of the page
    with left:
        st.markdown(f"##### {t('scores_chart')}")
        fig = charts.scores_bar(
            data.scores, "", float(target.iloc[0]) if len(target) else None, t("target"), order=order
        )
        st.plotly_chart(fig, width="stretch", key="ov_scores")
    with right:
        st.markdown(f"##### {t('penalty_chart')}")
        if data.penalties.empty:
            st.caption(t("no_rows"))
        else:
            names = {code: reason_name(code) for code in REASON_NAMES}
            st.plotly_chart(charts.penalty_stack(data.penalties, "", names, order=order), width="stretch", key="ov_pen")


def _shown(kpis: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    if sel.contractor == ALL:
        return kpis
    return kpis[kpis["contractor"].isin([ALL, sel.contractor])]


def _change(r: Any, period: bool) -> str:
    """The change from last month, or from the previous quarter / year ("上期无数据" when it has none)."""
    text = month_change(r.value, r.prev_value, r.unit, r.denominator, r.prev_denominator)
    return t("no_prev_period_data") if period and text == t("no_prev_data") else text


def _matrix(kpis: pd.DataFrame, period: bool = False) -> None:
    """KPI rows × (province, contractors) columns: value text, coloured by met."""
    kpis = kpis.assign(name=[bilingual(z, e) for z, e in zip(kpis["kpi_name_zh"], kpis["kpi_name_en"], strict=True)])
    order = kpis.drop_duplicates("kpi_code")[["kpi_code", "name", "unit", "target"]]
    cols = [c for c in kpis["contractor"].drop_duplicates().sort_values() if c != ALL]
    cols = ([ALL] if (kpis["contractor"] == ALL).any() else []) + cols
    text = pd.DataFrame(
        index=pd.Index(order["name"], name=t("kpi")), columns=[t("target"), *[contractor_label(c) for c in cols]]
    )
    met = pd.DataFrame(index=order["name"], columns=text.columns, dtype=object)
    for r in records(order):
        text.loc[r.name, t("target")] = value_text(r.target, r.unit)
    for r in records(kpis):
        cell = value_text(r.value, r.unit)
        ch = _change(r, period)
        text.loc[r.name, contractor_label(r.contractor)] = f"{cell}  {ch}".strip()
        met.loc[r.name, contractor_label(r.contractor)] = r.met
    tables.show(tables.style_met(text.fillna(""), met), width="stretch", height=36 * (len(text) + 1) + 4)


def _yuan(v: object) -> str:
    return value_text(v, "yuan")


def _penalty(v: object) -> str:
    """A net penalty in words: 扣款 1,240 元, or 奖励 300 元 when the bonuses outweigh the deductions."""
    if is_missing(v):
        return "—"
    amount = float(v)  # type: ignore[arg-type]
    if amount < 0:
        return tf("penalty_bonus", amount=_yuan(-amount))
    return tf("penalty_deduction", amount=_yuan(amount)) if amount > 0 else _yuan(0)


def settlement_frame(settlement: pd.DataFrame, period: bool) -> pd.DataFrame:
    """结算 as a person reads it: money as 元 with separators, 未配置基础费 where the seed has no base fee."""
    none = t("no_base_fee")
    out = pd.DataFrame({t("contractor"): settlement["contractor"].map(contractor_label)})
    if period:
        out[t("settlement_months")] = settlement["month_count"].astype(int)
    out[t("base_fee")] = [none if is_missing(v) else _yuan(v) for v in settlement["base_fee_yuan"]]
    out[t("net_penalty")] = settlement["penalty_yuan"].map(_penalty)
    out[t("payable")] = [none if is_missing(v) else _yuan(v) for v in settlement["payable_yuan"]]
    return out


def _settlement(settlement: pd.DataFrame, sel: Selection) -> None:
    """Per contractor: base fee, net penalty (扣款 / 奖励) and payable for the month, quarter or year."""
    assert sel.month is not None
    st.subheader(t("settlement"))
    st.caption(t("settlement_caption"))
    if sel.contractor != ALL and not settlement.empty:
        settlement = settlement[settlement["contractor"] == sel.contractor]
    if settlement.empty:
        st.caption(t("no_settlement"))
        return
    table = settlement_frame(settlement, queries.is_period(sel.month))
    tables.show(table, hide_index=True, width="stretch")
    money = [t("base_fee"), t("net_penalty"), t("payable")]
    download_buttons(table, f"settlement_{sel.month}", "ov_settlement", numeric=money)


def detail_frame(kpis: pd.DataFrame, prev_label: str | None = None) -> pd.DataFrame:
    """The long KPI × contractor table: every number a person may want to check or download.

    prev_label: the header of the previous period's column for a quarter or a year (上期)."""
    return pd.DataFrame(
        {
            t("kpi"): [bilingual(z, e) for z, e in zip(kpis["kpi_name_zh"], kpis["kpi_name_en"], strict=True)],
            t("contractor"): kpis["contractor"].map(contractor_label),
            t("value"): [value_text(v, u) for v, u in zip(kpis["value"], kpis["unit"], strict=True)],
            t("numerator"): kpis["numerator"].astype(float),
            t("denominator"): kpis["denominator"].astype(float),
            t("target"): [value_text(v, u) for v, u in zip(kpis["target"], kpis["unit"], strict=True)],
            t("met"): kpis["met"].map(tables.met_text),
            prev_label or t("last_month"): [
                value_text(v, u) for v, u in zip(kpis["prev_value"], kpis["unit"], strict=True)
            ],
            t("change"): [_change(r, prev_label is not None) for r in records(kpis)],
        }
    )


def _heading(db: DB, label: str) -> None:
    """The title, and what a quarter or a year is made of (its data months, what "change" compares with)."""
    if not queries.is_period(label):
        st.title(tf("overview_title", month=md(label)))
        st.caption(t("overview_caption"))
        return
    name = period_name(label)
    st.title(tf("period_overview_title", period=md(name)))
    unit = t("unit_year" if queries.period_kind(label) == queries.YEAR else "unit_quarter")
    st.caption(tf("period_caption", period=md(name), months=md("、".join(queries.months_of(db, label))), unit=unit))


def render() -> None:
    watch_panel.render()  # 今日预警: open tickets and inspections at risk, before the month's figures
    got = ready(periods=True)
    if got is None:
        st.title(t("overview"))
        return
    db, sel = got
    assert sel.month is not None
    period = queries.is_period(sel.month)
    _heading(db, sel.month)
    data = load(db, sel)
    shown_scores = data.scores if sel.contractor == ALL else data.scores[data.scores["contractor"] == sel.contractor]
    _metrics(shown_scores)
    _settlement(data.settlement, sel)
    _charts(data, sel)
    kpis = _shown(data.kpis, sel)
    missed = int((kpis["met"] == False).sum())  # noqa: E712 (NULL = not judged)
    st.subheader(t("kpi_matrix"))
    st.caption(tf("missed_count", n=missed))
    _matrix(kpis, period)
    st.subheader(t("kpi_detail"))
    prev = t("prev_period") if period else t("last_month")
    detail = detail_frame(kpis, prev if period else None)
    tables.show(
        tables.style_met_column(detail, t("met")),
        hide_index=True,
        width="stretch",
        column_config=tables.count_columns([t("numerator"), t("denominator")]),
    )
    download_buttons(detail, f"KPI_{sel.month}", "ov_detail", numeric=[t("value"), t("target"), prev, t("change")])


if __name__ == "__main__":
    render()
