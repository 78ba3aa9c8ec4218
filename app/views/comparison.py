"""承包商对比 — compare contractors fairly: funnel plots per rate KPI, then each KPI's trend.

A raw ranking punishes a contractor for a small or difficult population;
the funnel plot (rate against population, control limits around the
provincial rate) shows which differences are more than chance, and flags
the points whose population is too small to judge.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app import tables
from app.downloads import download_buttons
from app.filters import Selection, ready
from reporting import charts, queries
from reporting.fmt import records, value_text
from reporting.i18n import ALL, bilingual, contractor_label, t
from reporting.reader import DB

FLAGS = ("above", "below", "within", "too_small")


@dataclass
class ComparisonData:
    kpis: pd.DataFrame
    funnel: pd.DataFrame
    trend: pd.DataFrame
    z: tuple[float, float]


def load(db: DB, sel: Selection, kpi_code: str | None = None, trend_code: str | None = None) -> ComparisonData:
    """The rate KPI list, one KPI's funnel rows and a KPI's trend."""
    assert sel.month is not None
    kpis = queries.funnel_kpis(db)
    code = kpi_code or (kpis["kpi_code"].iloc[0] if not kpis.empty else "")
    return ComparisonData(
        kpis, queries.funnel(db, sel.month, code), queries.kpi_trend(db, trend_code or code), queries.funnel_z(db)
    )


def _labels() -> dict[str, str]:
    keys = ["province_rate", "limit95", "limit998", "prefecture", "population", "province", "target"]
    out = {k: t(k) for k in keys}
    out["all"] = t("province")
    out.update({f"flag_{f}": t(f"flag_{f}") for f in FLAGS})
    return out


def _flag_table(df: pd.DataFrame) -> pd.DataFrame:
    shown = df[df["flag"] != "within"]
    return pd.DataFrame(
        {
            t("contractor"): shown["contractor"],
            t("prefecture"): shown["prefecture"].replace("", "—"),
            t("value"): [value_text(v, "ratio") for v in shown["value"]],
            t("numerator"): shown["numerator"].astype(float),
            t("denominator"): shown["denominator"].astype(float),
            t("province_rate"): [value_text(v, "ratio") for v in shown["province_rate"]],
            "95%": [
                f"{value_text(a, 'ratio')} – {value_text(b, 'ratio')}"
                for a, b in zip(shown["lcl95"], shown["ucl95"], strict=True)
            ],
            "99.8%": [
                f"{value_text(a, 'ratio')} – {value_text(b, 'ratio')}"
                for a, b in zip(shown["lcl998"], shown["ucl998"], strict=True)
            ],
            t("flag"): [t(f"flag_{f}") for f in shown["flag"]],
        }
    )


def _kpi_picker(kpis: pd.DataFrame, label: str, key: str, default: str | None = None) -> str:
    names = {r.kpi_code: bilingual(r.kpi_name_zh, r.kpi_name_en) for r in records(kpis)}
    options = list(names)
    index = options.index(default) if default in options else 0
    return str(st.selectbox(label, options, index=index, format_func=lambda c: names[c], key=key))


def render() -> None:
    st.title(t("comparison_title"))
    got = ready()
    if got is None:
        return
    db, sel = got
    assert sel.month is not None
    st.caption(t("comparison_caption"))
    kpis = queries.funnel_kpis(db)
    if kpis.empty:
        st.info(t("no_rows"))
        return
    code = _kpi_picker(kpis, t("pick_kpi"), "cmp_kpi")
    all_kpis = queries.kpi_list(db)
    data = load(db, sel, code, st.session_state.get("cmp_trend_kpi", code))
    assert data is not None
    show_pairs = st.toggle(t("show_prefectures"), value=True, key="cmp_pairs")
    df = data.funnel if show_pairs else data.funnel[data.funnel["grain"] == "contractor"]
    if sel.contractor != ALL:
        df = df[df["contractor"] == sel.contractor]
    colours = charts.colour_map(queries.contractors(db))
    p = data.funnel["province_rate"].dropna()
    st.subheader(t("funnel"))
    st.plotly_chart(
        charts.funnel_plot(df, float(p.iloc[0]) if len(p) else None, data.z, _labels(), colours),
        width="stretch",
        key="cmp_funnel",
    )
    st.markdown(f"##### {t('flagged_points')}")
    flagged = _flag_table(df)
    if flagged.empty:
        st.success(t("all_within"))
    else:
        tables.show(flagged, hide_index=True, width="stretch")
        download_buttons(
            flagged,
            f"funnel_{code}_{sel.month}",
            "cmp_flags",
            numeric=[t("value"), t("province_rate"), "95%", "99.8%"],
        )
    _trend(data, all_kpis, code, sel, colours)


def _trend(data: ComparisonData, all_kpis: pd.DataFrame, code: str, sel: Selection, colours: dict[str, str]) -> None:
    st.subheader(t("trend"))
    st.caption(t("trend_caption"))
    trend_code = _kpi_picker(all_kpis, t("trend_kpi"), "cmp_trend_kpi", code)
    trend = data.trend if sel.contractor == ALL else data.trend[data.trend["contractor"].isin([ALL, sel.contractor])]
    unit = str(trend["unit"].iloc[0]) if not trend.empty else "ratio"
    target = trend["target"].dropna()
    st.plotly_chart(
        charts.trend_lines(trend, unit, float(target.iloc[0]) if len(target) else None, _labels(), colours),
        width="stretch",
        key="cmp_trend",
    )
    table = trend.assign(contractor=trend["contractor"].map(contractor_label))[
        ["month", "contractor", "numerator", "denominator", "value"]
    ]
    download_buttons(table, f"trend_{trend_code}", "cmp_trend_dl")


if __name__ == "__main__":
    render()
