"""Plotly figures shared by the pages and the PDF pack (kaleido renders the same figures offline).

Every rate a figure shows carries its numerator and denominator in the
hover text: a rate without its population is the unfairness kpis.md warns
about. A contractor keeps one colour on every chart. Plotly reads a small HTML
subset in every label, legend and hover (`<a href>`, `<b>`, `<br>`), so text
from the data goes in through `esc` (edge rule 11: never rendered as HTML).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.inert import plot_text as esc
from reporting.fmt import as_bool, count_text, is_missing, num, records, value_text

FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
GOOD, BAD, NEUTRAL, PROVINCE = "#2e7d32", "#c62828", "#9e9e9e", "#424242"


def colour_map(contractors: list[str]) -> dict[str, str]:
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(sorted(contractors))}


def _layout(fig: go.Figure, title: str = "", height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 15}} if title else None,
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        template="plotly_white",
        hoverlabel={"font_family": FONT},
    )
    return fig


def score_range(values: list[float], target: float | None) -> list[float]:
    """An x range that shows the differences: from a little below the lowest score (or the target) to 100.

    Composite scores sit between ~85 and 100; on a 0–100 axis 91.6 and 96.5 look alike."""
    points = [v for v in values if not math.isnan(v)] + (
        [target] if target is not None and not math.isnan(target) else []
    )
    if not points:
        return [0, 100]
    low = max(0.0, math.floor((min(points) - 5) / 5) * 5)
    return [low, 100.5]


def scores_bar(
    df: pd.DataFrame, title: str, target: float | None, target_label: str, order: list[str] | None = None
) -> go.Figure:
    """Composite score per contractor; green when the target is met, red when missed.

    `order` is the page's contractor order (top to bottom), shared by every chart on the page."""
    d = df.set_index("contractor").reindex(order).reset_index() if order else df
    d = d.iloc[::-1]  # plotly draws the first category at the bottom
    met = [as_bool(m) for m in d["composite_met"]]
    colours = [NEUTRAL if m is None else GOOD if m else BAD for m in met]
    values = [float(v) for v in d["composite"].astype(float)]
    fig = go.Figure(
        go.Bar(
            x=values,
            y=[esc(c) for c in d["contractor"]],
            orientation="h",
            marker_color=colours,
            text=[value_text(v, "points") for v in d["composite"]],
            textposition="inside",
            insidetextanchor="end",
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
        )
    )
    if target is not None and not math.isnan(target):
        fig.add_vline(x=target, line_dash="dot", line_color=PROVINCE)
        # The target's label sits above the plot, clear of every bar.
        fig.add_annotation(
            x=target,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            showarrow=False,
            text=f"{target_label} {target:g}",
            font={"size": 12, "color": PROVINCE},
        )
    fig.update_xaxes(range=score_range(values, target))
    fig = _layout(fig, title, height=80 + 50 * max(len(d), 2))
    fig.update_layout(margin={"t": 40 if title else 28})  # room for the target's label above the bars
    return fig


def penalty_stack(df: pd.DataFrame, title: str, names: dict[str, str], order: list[str] | None = None) -> go.Figure:
    """Penalty 元 per contractor split by reason (bonuses below zero), contractors in the page's `order`."""
    fig = go.Figure()
    for reason, part in df.groupby("reason_code", sort=True):
        fig.add_bar(
            x=[esc(c) for c in part["contractor"]],
            y=part["amount_yuan"].astype(float),
            name=esc(names.get(str(reason), str(reason))),
            customdata=np.stack([part["items"].astype(float)], axis=-1),
            hovertemplate="%{x}: %{y:,.0f} 元 (%{customdata[0]:,.0f})<extra>%{fullData.name}</extra>",
        )
    fig.update_layout(barmode="relative")
    if order:
        fig.update_xaxes(categoryorder="array", categoryarray=[esc(c) for c in order])
    return _layout(fig, title, height=340)


def funnel_plot(
    df: pd.DataFrame, p: float | None, z: tuple[float, float], labels: dict[str, str], colours: dict[str, str]
) -> go.Figure:
    """Rate against population with the provincial line and the 95 % / 99.8 % limits (normal approximation)."""
    fig = go.Figure()
    pts = df[df["denominator"].astype(float) > 0]
    n_max = float(pts["denominator"].astype(float).max()) if not pts.empty else 100.0
    n_min = float(pts["denominator"].astype(float).min()) if not pts.empty else 1.0
    if p is not None and not math.isnan(p):
        n = np.linspace(max(1.0, n_min * 0.6), max(n_max * 1.08, 10), 300)
        se = np.sqrt(p * (1 - p) / n)
        fig.add_scatter(
            x=n,
            y=np.full_like(n, p),
            mode="lines",
            line={"color": PROVINCE, "width": 2},
            name=labels["province_rate"],
            hoverinfo="skip",
        )
        for zz, dash, key in ((z[0], "dash", "limit95"), (z[1], "dot", "limit998")):
            for i, bound in enumerate((np.clip(p + zz * se, 0, 1), np.clip(p - zz * se, 0, 1))):
                fig.add_scatter(
                    x=n,
                    y=bound,
                    mode="lines",
                    line={"color": "#757575", "dash": dash, "width": 1},
                    name=labels[key],
                    showlegend=i == 0,
                    legendgroup=key,
                    hoverinfo="skip",
                )
    for (contractor, grain), part in pts.groupby(["contractor", "grain"], sort=True):
        small = part["flag"] == "too_small"
        is_pair = grain == "contractor_prefecture"
        symbols = ["circle-open" if s else ("diamond" if not is_pair else "circle") for s in small]
        fig.add_scatter(
            x=part["denominator"].astype(float),
            y=part["value"].astype(float),
            mode="markers",
            marker={
                "color": colours.get(str(contractor), PROVINCE),
                "size": 8 if is_pair else 15,
                "symbol": symbols,
                "line": {"width": 1.5, "color": colours.get(str(contractor), PROVINCE)},
            },
            name=esc(contractor) if not is_pair else f"{esc(contractor)} · {labels['prefecture']}",
            legendgroup=esc(contractor),
            customdata=np.stack(
                [
                    [esc(v) for v in part["prefecture"].replace("", labels["all"])],
                    [count_text(v) for v in part["numerator"]],
                    [count_text(v) for v in part["denominator"]],
                    [labels.get(f"flag_{f}", f) for f in part["flag"]],
                    [esc(contractor)] * len(part),
                ],
                axis=-1,
            ),
            hovertemplate=(
                "%{customdata[4]} %{customdata[0]}<br>%{y:.2%} = %{customdata[1]} / "
                "%{customdata[2]}<br>%{customdata[3]}<extra></extra>"
            ),
        )
    fig.update_yaxes(tickformat=".1%", range=_funnel_range(pts, p, z[1], n_min))
    fig.update_xaxes(title_text=labels["population"], rangemode="tozero")
    return _layout(fig, "", height=460)


def _funnel_range(pts: pd.DataFrame, p: float | None, z: float, n_min: float) -> list[float] | None:
    """Frame the points and the outer limits at the smallest population, not the whole 0–100 %."""
    ys = [float(v) for v in pts["value"].dropna()]
    if p is not None and not math.isnan(p):
        se = math.sqrt(max(p * (1 - p), 0.0) / max(n_min, 1.0))
        ys += [max(0.0, p - z * se), min(1.0, p + z * se), p]
    if not ys:
        return None
    lo, hi = min(ys), max(ys)
    pad = max((hi - lo) * 0.08, 0.005)
    return [max(0.0, lo - pad), min(1.0, hi + pad)]


def trend_lines(
    df: pd.DataFrame, unit: str, target: float | None, labels: dict[str, str], colours: dict[str, str]
) -> go.Figure:
    """One line per contractor over the months; the province dashed, the target dotted."""
    fig = go.Figure()
    for contractor, part in df.groupby("contractor", sort=True):
        is_prov = contractor == ""
        fig.add_scatter(
            x=[esc(m) for m in part["month"]],
            y=part["value"].astype(float),
            mode="lines+markers",
            name=labels["province"] if is_prov else esc(contractor),
            line={"color": PROVINCE if is_prov else colours.get(str(contractor)), "dash": "dash" if is_prov else None},
            customdata=np.stack(
                [[count_text(v) for v in part["numerator"]], [count_text(v) for v in part["denominator"]]], axis=-1
            ),
            hovertemplate="%{x}: %{y}<br>%{customdata[0]} / %{customdata[1]}<extra>%{fullData.name}</extra>",
        )
    if target is not None and not math.isnan(target):
        fig.add_hline(y=target, line_dash="dot", line_color=BAD, annotation_text=labels["target"])
    if unit == "ratio":
        fig.update_yaxes(tickformat=".1%")
    fig.update_xaxes(type="category")
    return _layout(fig, "", height=320)


def area_heatmap(df: pd.DataFrame, area_label: str, contractors: list[str]) -> go.Figure:
    """Area × contractor score (0–100), red low to green high, blank where nobody was measured."""
    rows = df.drop_duplicates("area_no").sort_values("area_no")
    y = [esc(f"{int(r.area_no)} {getattr(r, area_label)}") for r in records(rows)]
    z, text, custom = [], [], []
    for a in rows["area_no"]:
        part = df[df["area_no"] == a].set_index("contractor")
        zr, tr, cr = [], [], []
        for c in contractors:
            s = part["score"].get(c) if c in part.index else None
            ok = s is not None and not pd.isna(s)
            zr.append(num(s) if ok else None)
            tr.append(f"{num(s):.1f}" if ok else "—")
            numerator = part["numerator"].get(c) if c in part.index else None
            denominator = part["denominator"].get(c) if c in part.index else None
            cr.append(f"{count_text(numerator)} / {count_text(denominator)}")
        z.append(zr)
        text.append(tr)
        custom.append(cr)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[esc(c) for c in contractors],
            y=y,
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            zmin=0,
            zmax=100,
            colorscale=[[0, "#c62828"], [0.6, "#fdd835"], [1, "#2e7d32"]],
            hovertemplate="%{y} · %{x}<br>%{z:.2f} (%{customdata})<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "", height=80 + 38 * len(y))


def index_bar(df: pd.DataFrame, area_label: str) -> go.Figure:
    d = df.sort_values("area_no")
    fig = go.Figure(
        go.Bar(
            x=d["inconsistency_index"].astype(float),
            y=[esc(f"{int(a)} {n}") for a, n in zip(d["area_no"], d[area_label], strict=True)],
            orientation="h",
            marker_color="#ef6c00",
            text=[f"{float(v):.1f}" if not pd.isna(v) else "—" for v in d["inconsistency_index"]],
            textposition="auto",
            customdata=np.stack(
                [[esc(v) for v in d["best_contractor"].fillna("")], [esc(v) for v in d["worst_contractor"].fillna("")]],
                axis=-1,
            ),
            hovertemplate="%{y}: %{x:.2f}<br>▲ %{customdata[0]} ▼ %{customdata[1]}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "", height=80 + 38 * len(d))


def index_trend(df: pd.DataFrame, area_label: str) -> go.Figure:
    fig = go.Figure()
    for (area_no, name), part in df.groupby(["area_no", area_label], sort=True):
        fig.add_scatter(
            x=[esc(m) for m in part["month"]],
            y=part["inconsistency_index"].astype(float),
            mode="lines+markers",
            name=esc(f"{area_no} {name}"),
        )
    fig.update_xaxes(type="category")
    return _layout(fig, "", height=360)


def pareto(df: pd.DataFrame, label_col: str, labels: dict[str, str]) -> go.Figure:
    """Bars = tickets per category (descending), line = cumulative share (right axis)."""
    d = df.sort_values("tickets", ascending=False, kind="stable")
    if "cumulative_share" in d.columns:  # the mart's own Pareto curve
        cum = d["cumulative_share"].astype(float)
    else:
        cum = d["tickets"].astype(float).cumsum() / (float(d["tickets"].sum()) or 1.0)
    fig = go.Figure()
    fig.add_bar(
        x=[esc(v) for v in d[label_col].astype(str)],
        y=d["tickets"].astype(float),
        name=labels["tickets"],
        marker_color="#1f77b4",
        hovertemplate="%{x}: %{y:,.0f}<extra></extra>",
    )
    fig.add_scatter(
        x=[esc(v) for v in d[label_col].astype(str)],
        y=cum,
        yaxis="y2",
        mode="lines+markers",
        name=labels["cum_share"],
        line={"color": "#ef6c00"},
        hovertemplate="%{x}: %{y:.1%}<extra></extra>",
    )
    fig.update_layout(
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "range": [0, 1.05],
            "tickvals": [0, 0.2, 0.4, 0.6, 0.8, 1.0],
            "tickformat": ".0%",
            "showgrid": False,
        }
    )
    fig.add_hline(y=0.8, yref="y2", line_dash="dot", line_color=NEUTRAL)
    return _layout(fig, "", height=360)


def ticket_clock(
    steps: list[tuple[str, object]], limit_minutes: object, suspended_minutes: object, labels: dict[str, str]
) -> go.Figure:
    """A ticket's clock as a timeline: one marker per step; the shaded band runs from dispatch to the
    deadline on the wall clock (limit + suspended minutes, since suspension stops the clock)."""
    pts = [(name, pd.Timestamp(ts)) for name, ts in steps if not is_missing(ts)]  # type: ignore[arg-type]
    fig = go.Figure()
    if pts:
        start = pts[0][1]
        if not is_missing(limit_minutes):
            extra = 0.0 if is_missing(suspended_minutes) else float(suspended_minutes)  # type: ignore[arg-type]
            end = start + pd.Timedelta(minutes=float(limit_minutes) + extra)  # type: ignore[arg-type]
            fig.add_vrect(
                x0=start,
                x1=end,
                fillcolor="#c8e6c9",
                opacity=0.5,
                line_width=0,
                annotation_text=labels["limit"],
                annotation_position="top right",
            )
        fig.add_scatter(
            x=[p[1] for p in pts],
            y=[0] * len(pts),
            mode="markers+text+lines",
            text=[esc(p[0]) for p in pts],
            marker={"size": 12},
            textposition=["top center" if i % 2 == 0 else "bottom center" for i in range(len(pts))],
            hovertemplate="%{text}: %{x}<extra></extra>",
        )
    fig.update_yaxes(visible=False, range=[-1, 1.5])
    fig.update_xaxes(tickformat="%m-%d %H:%M")  # plotly's default date ticks are English month names
    return _layout(fig, "", height=200)


def grouped_bars(
    df: pd.DataFrame, category: str, values: list[str], names: dict[str, str], share: bool, colours: dict[str, str]
) -> go.Figure:
    """Contractors side by side: either one value across a category (channel, bucket), or several values."""
    fig = go.Figure()
    if category:
        for contractor, part in df.groupby("contractor", sort=True):
            fig.add_bar(
                x=[esc(v) for v in part[category].astype(str)],
                y=part[values[0]].astype(float),
                name=esc(contractor),
                marker_color=colours.get(str(contractor), PROVINCE),
            )
    else:
        for contractor, part in df.groupby("contractor", sort=True):
            fig.add_bar(
                x=[esc(names.get(v, v)) for v in values],
                y=[float(part[v].iloc[0]) if not pd.isna(part[v].iloc[0]) else None for v in values],
                name=esc(contractor) or names.get("", ""),
                marker_color=colours.get(str(contractor), PROVINCE),
            )
    fig.update_layout(barmode="group")
    if share:
        fig.update_yaxes(tickformat=".0%")
    return _layout(fig, "", height=320)
