"""How long each dashboard page waits for its data: `python benchmarks/dashboard.py [--warehouse W]`.

Runs, per page, exactly the query functions the page calls on its default
render (latest month, all contractors) and on its heaviest common choice,
through an uncached read-only connection (the first visit after a publish,
before Streamlit's cache helps). Prints seconds per page: the first run
(cold DuckDB buffers) and the median of the next runs. Target: ≤ 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.filters import Selection
from app.views import areas, comparison, ledgers, loads, overview
from reporting import drill, queries, support
from reporting.i18n import ALL
from reporting.reader import DB, DirectDB

TARGET_SECONDS = 0.5


def _sidebar(db: DB) -> None:
    queries.months(db)
    queries.contractors(db)


def page_overview(db: DB, sel: Selection) -> None:
    _sidebar(db)
    overview.load(db, sel)


def page_comparison(db: DB, sel: Selection) -> None:
    _sidebar(db)
    queries.funnel_kpis(db)
    comparison.load(db, sel)


def page_areas(db: DB, sel: Selection, area_no: int = 1) -> None:
    """The default area (1) carries the heaviest views: the ticket steps of the whole month."""
    assert sel.month is not None
    _sidebar(db)
    areas.load(db, sel)
    queries.kpi_names(db)
    built, _ = support.views_for(db, area_no)
    for view in built:
        if view.name == "mart_ticket_steps":
            support.steps_summary(db, sel.month, sel.contractor)
        support.fetch(db, view, sel.month, sel.contractor)
        if view.shape == "rows":
            support.count(db, view, sel.month, sel.contractor)


def page_faults(db: DB, sel: Selection, depth: int = 0) -> None:
    """The level pickers down to `depth`, the open Pareto and the ticket list."""
    assert sel.month is not None
    _sidebar(db)
    path: list[str] = []
    for _ in range(depth + 1):
        level = drill.pareto(db, sel.month, sel.contractor, path)
        if level.empty or len(path) == depth:
            break
        path.append(str(level["level_key"].iloc[0]))
    drill.tickets(db, sel.month, sel.contractor, path)
    drill.ticket_count(db, sel.month, sel.contractor, path)


def page_ledgers(db: DB, sel: Selection) -> None:
    _sidebar(db)
    ledgers.load(db, sel)


def page_loads(db: DB, sel: Selection) -> None:
    loads.load(db)


def cases(db: DB, month: str, contractor: str) -> dict[str, Callable[[], None]]:
    everyone, one = Selection(month, ALL), Selection(month, contractor)
    out: dict[str, Callable[[], None]] = {
        "总览 overview": lambda: page_overview(db, everyone),
        "承包商对比 comparison": lambda: page_comparison(db, everyone),
        "十个不统一 areas": lambda: page_areas(db, everyone),
        "十个不统一 areas (area 3 ledger)": lambda: page_areas(db, everyone, 3),
        "故障分析 faults": lambda: page_faults(db, everyone),
        "故障分析 faults (county, one contractor)": lambda: page_faults(db, one, depth=4),
        "台帐核查 ledgers": lambda: page_ledgers(db, everyone),
        "数据加载 loads": lambda: page_loads(db, everyone),
    }
    return out


def render_times(warehouse: str | None) -> None:
    """Whole pages through Streamlit's AppTest (queries + pandas + plotly + protobuf), caches cleared first."""
    import os
    import secrets
    import tempfile

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import appstate
    from app.auth import PASSWORD_KEY, SUBMIT_KEY, USER_KEY
    from core.principal import Principal
    from core.warehouse import warehouse_path

    os.environ["DAIWEI_WAREHOUSE"] = str(warehouse_path(warehouse))
    # The dashboard serves only its sign-in form to an anonymous visitor: sign in as a throwaway admin.
    password = secrets.token_urlsafe(12)
    url = "sqlite:///" + str(Path(tempfile.mkdtemp(prefix="daiwei-bench-")) / "app.db")
    app_db = appstate.connect(url)
    appstate.add_user(app_db, "bench", "admin", password, actor=Principal("bench", "admin"))
    app_db.dispose()
    os.environ["DAIWEI_APP_DB"] = url
    app = str(Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py")
    at = AppTest.from_file(app, default_timeout=120)
    at.run()
    at.text_input(key=USER_KEY).input("bench")
    at.text_input(key=PASSWORD_KEY).input(password)
    at.button(key=SUBMIT_KEY).click().run()
    print(f"\n{'page (full render, AppTest)':44s} {'cold (s)':>10s} {'cached (s)':>11s}")
    for page in ("overview", "comparison", "areas", "faults", "ledgers", "loads"):
        st.cache_data.clear()
        t0 = time.perf_counter()
        at.switch_page(f"views/{page}.py").run()
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        at.run()
        warm = time.perf_counter() - t0
        errors = " EXCEPTION" if at.exception else ""
        print(f"{page:44s} {cold:10.3f} {warm:11.3f}{errors}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warehouse", help="default: --warehouse / $DAIWEI_WAREHOUSE / data/warehouse.duckdb")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--render", action="store_true", help="also time whole pages through Streamlit's AppTest")
    args = ap.parse_args(argv)
    db = DirectDB.open(args.warehouse)
    try:
        month = queries.months(db)[0]
        contractor = queries.contractors(db)[0]
        tickets = db.df("SELECT count(*) AS n FROM marts.fct_kpi")["n"].iloc[0]
        print(f"warehouse: {db.con.execute('PRAGMA database_list').fetchall()[0][2]}")
        print(f"month {month}, contractor {contractor}, fct_kpi rows {tickets:,}")
        print(f"{'page':44s} {'first (s)':>10s} {'median (s)':>11s}  target {TARGET_SECONDS} s")
        worst = 0.0
        for name, run in cases(db, month, contractor).items():
            times = []
            for _ in range(max(2, args.runs)):
                t0 = time.perf_counter()
                run()
                times.append(time.perf_counter() - t0)
            med = statistics.median(times[1:])
            worst = max(worst, med)
            flag = "" if med <= TARGET_SECONDS else "  ← over target"
            print(f"{name:44s} {times[0]:10.3f} {med:11.3f}{flag}")
    finally:
        db.close()
    if args.render:
        render_times(args.warehouse)
    return 0 if worst <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
