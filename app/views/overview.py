"""总览 — the province's month at a glance: scores, penalties, every KPI against its target."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app import tables
from app.downloads import download_buttons
from app.filters import Selection, ready
from core.inert import md
from reporting import charts, queries
from reporting.fmt import is_missing, month_change, records, value_text
from reporting.i18n import ALL, bilingual, contractor_label, reason_name, t, tf
from reporting.labels import REASON_NAMES
from reporting.reader import DB


@dataclass
class OverviewData:
    scores: pd.DataFrame
    kpis: pd.DataFrame
    penalties: pd.DataFrame


def load(db: DB, sel: Selection) -> OverviewData:
    """Everything the page draws, in three queries (the benchmark times exactly this)."""
    assert sel.month is not None
    return OverviewData(
        scores=queries.scores(db, sel.month),
        kpis=queries.kpi_month(db, sel.month),
        penalties=queries.penalty_reasons(db, sel.month),
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


def _matrix(kpis: pd.DataFrame) -> None:
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
        ch = month_change(r.value, r.prev_value, r.unit, r.denominator, r.prev_denominator)
        text.loc[r.name, contractor_label(r.contractor)] = f"{cell}  {ch}".strip()
        met.loc[r.name, contractor_label(r.contractor)] = r.met
    tables.show(tables.style_met(text.fillna(""), met), width="stretch", height=36 * (len(text) + 1) + 4)


def detail_frame(kpis: pd.DataFrame) -> pd.DataFrame:
    """The long KPI × contractor table: every number a person may want to check or download."""
    return pd.DataFrame(
        {
            t("kpi"): [bilingual(z, e) for z, e in zip(kpis["kpi_name_zh"], kpis["kpi_name_en"], strict=True)],
            t("contractor"): kpis["contractor"].map(contractor_label),
            t("value"): [value_text(v, u) for v, u in zip(kpis["value"], kpis["unit"], strict=True)],
            t("numerator"): kpis["numerator"].astype(float),
            t("denominator"): kpis["denominator"].astype(float),
            t("target"): [value_text(v, u) for v, u in zip(kpis["target"], kpis["unit"], strict=True)],
            t("met"): kpis["met"].map(tables.met_text),
            t("last_month"): [value_text(v, u) for v, u in zip(kpis["prev_value"], kpis["unit"], strict=True)],
            t("change"): [
                month_change(r.value, r.prev_value, r.unit, r.denominator, r.prev_denominator) for r in records(kpis)
            ],
        }
    )


def render() -> None:
    got = ready()
    if got is None:
        st.title(t("overview"))
        return
    db, sel = got
    assert sel.month is not None
    st.title(tf("overview_title", month=md(sel.month)))
    st.caption(t("overview_caption"))
    data = load(db, sel)
    shown_scores = data.scores if sel.contractor == ALL else data.scores[data.scores["contractor"] == sel.contractor]
    _metrics(shown_scores)
    _charts(data, sel)
    kpis = _shown(data.kpis, sel)
    missed = int((kpis["met"] == False).sum())  # noqa: E712 (NULL = not judged)
    st.subheader(t("kpi_matrix"))
    st.caption(tf("missed_count", n=missed))
    _matrix(kpis)
    st.subheader(t("kpi_detail"))
    detail = detail_frame(kpis)
    tables.show(
        tables.style_met_column(detail, t("met")),
        hide_index=True,
        width="stretch",
        column_config=tables.count_columns([t("numerator"), t("denominator")]),
    )
    download_buttons(
        detail, f"KPI_{sel.month}", "ov_detail", numeric=[t("value"), t("target"), t("last_month"), t("change")]
    )


if __name__ == "__main__":
    render()
