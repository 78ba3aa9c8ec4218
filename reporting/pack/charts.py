"""The PDF's charts: the dashboard's own plotly figures, rendered offline to PNG by kaleido.

kaleido 1.x drives Debian's /usr/bin/chromium (no download, no network). All
figures go through one `write_images` call: one browser start (~3 s) for the
whole pack instead of one per chart. When chromium cannot render here
(missing, sandbox trouble), `render` returns an empty dict and the PDF draws
its bars with fpdf2's own primitives instead: a pack is never lost for a chart.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import plotly.graph_objects as go

from reporting import charts
from reporting.i18n import reason_name
from reporting.labels import REASON_NAMES
from reporting.pack.content import PackContent

log = logging.getLogger("daiwei.pack")
WIDTH, SCALE = 900, 2
# kaleido drives a headless Chromium; if the browser dies under it, its sync call waits for ever (seen once
# under load: a pack run stuck in Thread.join). Past this many seconds the pack draws its charts with fpdf2.
RENDER_TIMEOUT_S = 180.0


def figures(c: PackContent) -> dict[str, tuple[go.Figure, int]]:
    """name → (figure, height in px) for the month."""
    out: dict[str, tuple[go.Figure, int]] = {}
    target = c.scores["composite_target"].dropna()
    out["scores"] = (
        charts.scores_bar(
            c.scores, "", float(target.iloc[0]) if len(target) else None, "目标", order=c.scores["contractor"].tolist()
        ),
        260,
    )
    if not c.penalty_reasons.empty:
        names = {r: reason_name(r) for r in REASON_NAMES}
        out["penalties"] = (
            charts.penalty_stack(c.penalty_reasons, "", names, order=c.scores["contractor"].tolist()),
            320,
        )
    if c.areas:
        import pandas as pd

        scores = pd.concat([a.scores.assign(area_no=a.area_no, area_name_zh=a.name_zh) for a in c.areas])
        out["heatmap"] = (charts.area_heatmap(scores, "area_name_zh", c.contractors), 80 + 38 * len(c.areas))
    for _, (fig, height) in out.items():
        fig.update_layout(height=height, width=WIDTH, paper_bgcolor="white")
    return out


def render(c: PackContent, out_dir: Path) -> dict[str, Path]:
    """PNG files of the figures (empty when kaleido/chromium cannot render)."""
    figs = figures(c)
    paths = {name: out_dir / f"{name}.png" for name in figs}
    outcome: dict[str, Exception] = {}

    def write() -> None:
        try:
            import plotly.io as pio

            pio.write_images(
                fig=[f for f, _ in figs.values()],
                file=list(paths.values()),
                format="png",
                width=WIDTH,
                height=[h for _, h in figs.values()],
                scale=SCALE,
            )
        except Exception as exc:  # chromium missing or unable to start: fall back to drawn bars
            outcome["error"] = exc

    # a daemon thread joined with a timeout: a browser that never answers cannot hold the pack (or the run
    # that makes it) for ever; the thread is left to the process's exit
    worker = threading.Thread(target=write, name="daiwei-pack-charts", daemon=True)
    worker.start()
    worker.join(RENDER_TIMEOUT_S)
    if worker.is_alive():
        log.warning("kaleido did not render the pack's charts in %.0f s; drawing them with fpdf2", RENDER_TIMEOUT_S)
        return {}
    if "error" in outcome:
        log.warning("kaleido could not render the pack's charts (%s); drawing them with fpdf2", outcome["error"])
        return {}
    return {k: p for k, p in paths.items() if p.exists() and p.stat().st_size > 0}
