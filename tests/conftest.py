"""Shared helpers: write real files the way exports arrive, load them into a real DuckDB file."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ingestion.loader import FileResult, load_folder

# A pytest-xdist worker's __main__ has neither __spec__ nor __file__. pyspark.sql.connect takes that for a
# doctest run and calls sys.exit(0) unless Spark Connect's optional packages are installed (they are not:
# the session method does not need them). Great Expectations used to import it when a run's quality step
# started; it is now imported with pyspark hidden (decision 114, tested under `python -c`), and this stays
# as a guard for anything else that imports pyspark in a worker. The real entry points (`daiwei`,
# `python -m cli.main`, Dagster's code server) all have one of the two.
_main = sys.modules.get("__main__")
if _main is not None and getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = __file__  # only read by that check; nothing executes it


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> Path:
    """A CSV as Excel or an export tool writes it, in the given encoding (utf-8-sig = with BOM)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[object]],
    sheet: str = "Sheet1",
    date_format: str | None = None,
    extra_sheets: Sequence[str] = (),
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(list(r))
    if date_format:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = date_format
    for name in extra_sheets:
        other = wb.create_sheet(name)
        other.append(["说明"])
        other.append(["这不是数据"])
    wb.save(path)
    return path


APP = str(Path(__file__).resolve().parent.parent / "app" / "streamlit_app.py")
PAGES = [  # every page of the app, as AppTest switches to it
    "views/overview.py",
    "views/timeliness.py",
    "views/comparison.py",
    "views/areas.py",
    "views/faults.py",
    "views/ledgers.py",
    "views/loads.py",
]


class Loaded:
    def __init__(self, db: Path) -> None:
        self.db = db
        self.con = duckdb.connect(str(db))

    def load(self, root: Path, run_id: str = "run") -> list[FileResult]:
        return load_folder(self.con, root, run_id)

    def rows(self, sql: str, *params: object) -> list[tuple]:
        return self.con.execute(sql, list(params)).fetchall()

    def one(self, sql: str, *params: object) -> object:
        return self.rows(sql, *params)[0][0]


@pytest.fixture
def wh(tmp_path: Path):
    w = Loaded(tmp_path / "warehouse.duckdb")
    yield w
    w.con.close()


TICKET_HEADER = [
    "工单编号",
    "工单类型",
    "工单状态",
    "受理渠道",
    "专线编号",
    "地市",
    "区县",
    "区域类型",
    "代维公司",
    "派单时间",
    "完成时间",
    "挂起时长(分钟)",
]


def ticket(tid: str, dispatched: object = "2026-10-03 14:05:00", **over: object) -> list[object]:
    base = {
        "工单编号": tid,
        "工单类型": "故障",
        "工单状态": "已归档",
        "受理渠道": "EOMS",
        "专线编号": "GZ-DL-000001",
        "地市": "贵阳市",
        "区县": "清镇市",
        "区域类型": "城区",
        "代维公司": "铁通",
        "派单时间": dispatched,
        "完成时间": "2026-10-03 16:05:00",
        "挂起时长(分钟)": "0",
    }
    base.update(over)
    return [base[h] for h in TICKET_HEADER]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The demo delivery, generated and loaded once per session by the real `daiwei run`.

    Shared by the end-to-end modules (areas, dashboard, pack, demo delivery), read-only:
    a test that changes the warehouse works on its own copy.
    """
    import subprocess
    import sys

    from demo_data import generate

    root = tmp_path_factory.mktemp("demo_run")
    manifest = generate(root / "in")
    wh = root / "warehouse.duckdb"
    # its own empty application database: never the developer's data/app.db (closed months, appeals)
    app_db = f"sqlite:///{root / 'app.db'}"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.main",
            "run",
            "--input",
            str(root / "in"),
            "--warehouse",
            str(wh),
            "--app-db",
            app_db,
        ],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return {"root": root, "inbox": root / "in", "manifest": manifest, "wh": wh, "run": run}


@pytest.fixture(scope="module")
def warehouse(demo_run: dict) -> Iterator[Path]:
    """The demo warehouse, as the app finds it (DAIWEI_WAREHOUSE) for the AppTest modules.

    Modules that build their own warehouse define their own `warehouse` fixture, which wins."""
    import os

    wh = demo_run["wh"]
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr  # 1: files rejected on purpose
    old = os.environ.get("DAIWEI_WAREHOUSE")
    os.environ["DAIWEI_WAREHOUSE"] = str(wh)
    yield wh
    if old is None:
        os.environ.pop("DAIWEI_WAREHOUSE", None)
    else:
        os.environ["DAIWEI_WAREHOUSE"] = old


QUALITY_DBT_SELECTION = (
    "+int_circuit_months_in_service +int_device_months_aggregated "
    "ref_prefectures ref_counties ref_contractor_prefectures health_thresholds mart_dq_scores"
)


def build_quality_inputs(db: Path) -> None:
    """Build on `db` the dbt models and seeds the data-quality suites read (quality/reference.py).

    A pipeline run builds them in its dbt step before the data-quality step; tests that call
    `quality.runner.run_suites` on a loaded file build just these (and the mart_dq_scores view).
    """
    import json
    import os
    import subprocess

    from quality.storage import ensure_tables

    con = duckdb.connect(str(db))
    try:
        ensure_tables(con)
    finally:
        con.close()
    project = Path(__file__).resolve().parent.parent / "dbt_project"
    cmd = ["uv", "run", "--frozen", "dbt", "build", "--select", *QUALITY_DBT_SELECTION.split()]
    cmd += ["--resource-type", "seed", "--resource-type", "model", "--project-dir", str(project)]
    cmd += ["--profiles-dir", str(project), "--target-path", str(db.parent / f"{db.stem}_dbt_target")]
    cmd += ["--vars", json.dumps({"daiwei_db_path": str(db)})]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    p = subprocess.run(cmd, cwd=project.parent, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]


@pytest.fixture(scope="session")
def app_accounts(demo_run: dict, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One application database per session for the dashboard modules: admin, analyst, auditor and one
    account per demo contractor (tests/apptest_auth.py), all with the same test password."""
    from tests.apptest_auth import make_app_db

    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    con = duckdb.connect(str(demo_run["wh"]), read_only=True)
    try:
        sql = "SELECT DISTINCT contractor FROM marts.fct_kpi WHERE contractor <> ''"
        names = [r[0] for r in con.execute(sql).fetchall()]
    finally:
        con.close()
    return make_app_db(tmp_path_factory.mktemp("app_db") / "app.db", names)


@pytest.fixture(scope="module")
def app_db(app_accounts, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The session's accounts, as the app finds them ($DAIWEI_APP_DB) for the AppTest modules: each module
    gets its own copy, so no module shares an SQLite file with engines or served apps of another."""
    import dataclasses
    import os

    from tests.apptest_auth import copy_app_db

    path = tmp_path_factory.mktemp("module_app_db") / "app.db"
    accounts = dataclasses.replace(app_accounts, url=copy_app_db(app_accounts.path, path), path=path)
    old = os.environ.get("DAIWEI_APP_DB")
    os.environ["DAIWEI_APP_DB"] = accounts.url
    yield accounts
    if old is None:
        os.environ.pop("DAIWEI_APP_DB", None)
    else:
        os.environ["DAIWEI_APP_DB"] = old
