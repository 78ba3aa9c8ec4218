"""十个不统一 — the ten areas where the contractors work to different standards, scored and compared.

The heatmap shows who is where; the inconsistency index (max − min score)
says how far apart the contractors are in each area, month by month; picking
an area opens the views that explain its number.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app import tables
from app.downloads import download_buttons
from app.filters import Selection, ready
from core.inert import md
from reporting import charts, queries, support
from reporting.fmt import records, value_text
from reporting.i18n import ALL, bilingual, contractor_label, lang, support_name, t, tf, value_name
from reporting.labels import VALUE_NAMES
from reporting.reader import DB


@dataclass
class AreasData:
    scores: pd.DataFrame
    index: pd.DataFrame  # every month, for the trend


def load(db: DB, sel: Selection) -> AreasData:
    assert sel.month is not None
    return AreasData(queries.area_scores(db, sel.month), queries.area_index(db))


def _area_label() -> str:
    return "area_name_en" if lang() == "en" else "area_name_zh"


def _overview(data: AreasData, sel: Selection, contractors: list[str], kpi_names: dict[str, tuple[str, str]]) -> None:
    assert sel.month is not None
    st.subheader(t("heatmap"))
    shown = contractors if sel.contractor == ALL else [sel.contractor]
    st.plotly_chart(charts.area_heatmap(data.scores, _area_label(), shown), width="stretch", key="ar_heat")
    month_index = data.index[data.index["month"] == sel.month]
    left, right = st.columns(2)
    with left:
        st.markdown(f"##### {t('index')} · {md(sel.month)}")
        st.plotly_chart(charts.index_bar(month_index, _area_label()), width="stretch", key="ar_index")
    with right:
        st.markdown(f"##### {t('index_trend')}")
        st.plotly_chart(charts.index_trend(data.index, _area_label()), width="stretch", key="ar_trend")
    table = pd.DataFrame(
        {
            t("area"): [
                f"{int(a)} {n}" for a, n in zip(month_index["area_no"], month_index[_area_label()], strict=True)
            ],
            t("headline_kpi"): [
                kpi_names.get(k, (k, k))[1 if lang() == "en" else 0] for k in month_index["headline_kpi"]
            ],
            t("scored"): month_index["contractors_scored"],
            t("index"): month_index["inconsistency_index"].astype(float).round(2),
            t("best"): month_index["best_contractor"],
            t("worst"): month_index["worst_contractor"],
        }
    )
    tables.show(table, hide_index=True, width="stretch")
    download_buttons(table, f"inconsistency_{sel.month}", "ar_index_dl")


def _headline(scores: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    part = scores if sel.contractor == ALL else scores[scores["contractor"] == sel.contractor]
    return pd.DataFrame(
        {
            t("contractor"): part["contractor"],
            t("value"): [
                value_text(v, None if k == "staffing_per_100" else "ratio")
                for v, k in zip(part["value"], part["headline_kpi"], strict=True)
            ],
            t("numerator"): part["numerator"].astype(float),
            t("denominator"): part["denominator"].astype(float),
            t("score"): part["score"].astype(float).round(2),
        }
    )


def _support_chart(view: support.SupportView, df: pd.DataFrame, names: dict[str, str], colours: dict[str, str]) -> None:
    spec = support.CHARTS.get(view.name)
    if spec is None or df.empty:
        return
    category, values, share = spec
    cols = values.split(",")
    if not all(c in df.columns for c in cols) or (category and category not in df.columns):
        return
    part = df[df["contractor"].fillna("") != ""] if "contractor" in df.columns else df
    if "grain" in part.columns:
        part = part[part["grain"] == "contractor"]
    if part.empty:
        return
    st.plotly_chart(
        charts.grouped_bars(part, category, cols, names, share, colours), width="stretch", key=f"ar_sup_{view.name}"
    )


def _support(
    db: DB, view: support.SupportView, sel: Selection, kpi_names: dict[str, tuple[str, str]], colours: dict[str, str]
) -> None:
    assert sel.month is not None
    st.markdown(f"#### {md(support_name(view.name))}")
    labels = {c: support.column_label(c, kpi_names) for c in view.columns}
    if view.name == "mart_ticket_steps":
        summary = support.steps_summary(db, sel.month, sel.contractor)
        summary["contractor"] = summary["contractor"].map(contractor_label)
        types = [str(v) for v in summary["ticket_type"].dropna().unique()]
        if types:  # one ticket type at a time: an activation's clock is not a fault's
            if st.session_state.get("ar_steps_type") not in types:
                st.session_state["ar_steps_type"] = "故障" if "故障" in types else types[0]
            chosen = st.segmented_control(labels.get("ticket_type", ""), types, key="ar_steps_type") or types[0]
            part = summary[summary["ticket_type"] == chosen].drop(columns=["ticket_type"])
            st.plotly_chart(
                charts.grouped_bars(part, "", [c for c in part.columns[2:]], labels, False, colours),
                width="stretch",
                key="ar_sup_steps",
            )
        # its own columns: the count of tickets is not a column of the view
        summary_labels = {c: support.column_label(c, kpi_names) for c in summary.columns}
        tables.show(summary.rename(columns=summary_labels).round(1), hide_index=True, width="stretch")
    df = support.fetch(db, view, sel.month, sel.contractor)
    _support_chart(view, df, labels, colours)
    if view.shape == "rows":
        total = support.count(db, view, sel.month, sel.contractor)
        if total > len(df):
            st.caption(tf("rows_shown", shown=f"{len(df):,}", total=f"{total:,}"))
    shown = df.drop(columns=[c for c in ("month",) if c in df.columns])
    for column in VALUE_NAMES:
        if column in shown.columns:
            shown[column] = shown[column].map(lambda v, c=column: value_name(c, v))
    if "contractor" in shown.columns:
        shown["contractor"] = shown["contractor"].fillna("").map(contractor_label)
    shown = shown.rename(columns=labels)
    tables.show(shown, hide_index=True, width="stretch", height=min(420, 36 * (len(shown) + 1) + 4))
    month, contractor = sel.month, sel.contractor
    download_buttons(
        lambda: support.fetch(db, view, month, contractor, limit=None).rename(columns=labels),
        f"{view.name}_{month}",
        f"ar_dl_{view.name}",
    )


def _area_detail(db: DB, data: AreasData, sel: Selection, colours: dict[str, str]) -> None:
    areas = data.scores.drop_duplicates("area_no").sort_values("area_no")
    names = {int(r.area_no): f"{int(r.area_no)} {bilingual(r.area_name_zh, r.area_name_en)}" for r in records(areas)}
    if not names:
        return
    st.subheader(t("open_area"))
    area_no = st.selectbox(t("area"), list(names), format_func=lambda a: names[a], key="ar_area")
    scores = data.scores[data.scores["area_no"] == area_no]
    kpi_names = queries.kpi_names(db)
    code = str(scores["headline_kpi"].iloc[0])
    st.markdown(f"**{t('headline_kpi')}**: {md(bilingual(*kpi_names.get(code, (code, code))))}")
    tables.show(_headline(scores, sel), hide_index=True, width="stretch")
    if any(m in support.DRILL_MARTS for m in support.area_marts(db, int(area_no))):
        st.page_link("views/faults.py", label=t("faults_link"), icon=":material/build:")
    built, missing = support.views_for(db, int(area_no))
    for view in built:
        _support(db, view, sel, kpi_names, colours)
    for name in missing:
        st.info(tf("not_built", what=md(support_name(name))))


def render() -> None:
    st.title(t("areas_title"))
    got = ready()
    if got is None:
        return
    db, sel = got
    data = load(db, sel)
    st.caption(t("areas_caption"))
    if data.scores.empty:
        st.info(t("no_rows"))
        return
    contractors = queries.contractors(db)
    colours = charts.colour_map(contractors)
    _overview(data, sel, contractors, queries.kpi_names(db))
    _area_detail(db, data, sel, colours)


if __name__ == "__main__":
    render()
