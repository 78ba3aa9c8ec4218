"""The whole path through Dagster: publish atomically, survive a crash, report broken files."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from cli import runner
from tests.conftest import TICKET_HEADER, ticket, write_csv

pytestmark = pytest.mark.slow

EOMS = ["专线编号", "代维公司", "地市", "区县", "区域类型", "站点类型", "开通日期", "状态"]


NOVEMBER_TICKET = ticket("D", "2026-11-02 10:00", 完成时间="2026-11-02 12:00")


def _inbox(root: Path) -> Path:
    write_csv(
        root / "eoms_circuits_20261101.csv",
        [EOMS, ["GZ-DL-000001", "铁通", "贵阳市", "清镇市", "城区", "自维数据专线", "2025-01-01", "在用"]],
    )
    write_csv(
        root / "2026-10" / "tickets_2026-10_20261105.csv",
        [TICKET_HEADER, ticket("A"), ticket("B", "2026-10-04 08:00", 完成时间="2026-10-04 10:00"), ticket("C", "垃圾")],
        "gbk",
    )
    return root


def _one(wh: Path, sql: str) -> object:
    """The one value a query returns from the published warehouse."""
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def daiwei(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


def test_run_publishes_and_second_run_changes_nothing(tmp_path: Path) -> None:
    inbox, wh = _inbox(tmp_path / "in"), tmp_path / "wh" / "warehouse.duckdb"
    first = runner.run_pipeline(inbox, wh)
    assert first.success, first.error
    assert [f[6] for f in first.files] == ["loaded", "loaded"]
    assert not (wh.parent / ".build").exists() or not any((wh.parent / ".build").iterdir())
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("SELECT count(*) FROM raw.tickets").fetchall() == [(2,)]
    assert con.execute("SELECT count(*) FROM marts.fct_kpi").fetchall()[0][0] > 0
    con.close()
    daiwei("export", "--out", str(tmp_path / "k1.csv"), "--warehouse", str(wh))
    second = runner.run_pipeline(inbox, wh)
    assert [f[6] for f in second.files] == ["skipped", "skipped"]
    daiwei("export", "--out", str(tmp_path / "k2.csv"), "--warehouse", str(wh))
    assert (tmp_path / "k1.csv").read_bytes() == (tmp_path / "k2.csv").read_bytes()
    # nothing the build reads changed, so dbt did not run again (decision 104): the record is the first run's
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("SELECT run_id FROM audit.dbt_inputs_built").fetchall() == [(first.run_id,)]
    con.close()
    # a new file is new input: the third run builds, and records itself
    write_csv(inbox / "2026-10" / "tickets_2026-10_later.csv", [TICKET_HEADER, ticket("GZ-3")])
    third = runner.run_pipeline(inbox, wh)
    assert third.success and sorted(f[6] for f in third.files) == ["loaded", "skipped", "skipped"]
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("SELECT run_id FROM audit.dbt_inputs_built").fetchall() == [(third.run_id,)]
    assert con.execute("SELECT count(*) FROM raw.tickets").fetchall() == [(3,)]
    con.close()


def test_broken_file_beside_good_ones_exit_1_names_the_file(tmp_path: Path) -> None:
    inbox = _inbox(tmp_path / "in")
    (inbox / "2026-10" / "tickets_2026-10_broken.xlsx").write_bytes(b"not a workbook at all")
    wh = tmp_path / "warehouse.duckdb"
    p = daiwei("run", "--input", str(inbox), "--warehouse", str(wh))
    assert p.returncode == 1, p.stderr
    assert "Traceback" not in p.stdout + p.stderr
    # named once, in one line (on standard error), with the reason
    [line] = [ln for ln in (p.stdout + p.stderr).splitlines() if "tickets_2026-10_broken.xlsx" in ln]
    assert line in p.stderr and line.startswith("2026-10/tickets_2026-10_broken.xlsx: ")
    assert "不是有效的Excel文件" in line and "not a readable Excel workbook" in line
    assert "tickets" in p.stdout and "拒绝 rejected 1" in p.stdout
    assert _one(wh, "SELECT count(*) FROM raw.tickets") == 2


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    for args in (
        ["run", "--input", str(tmp_path / "nope")],
        ["run"],
        ["frobnicate"],
        ["export", "--out", "x.csv", "--month", "2026-13", "--warehouse", str(tmp_path / "w.duckdb")],
        ["export", "--out", "x.csv", "--warehouse", str(tmp_path / "missing.duckdb")],
    ):
        p = daiwei(*args)
        assert p.returncode == 2, (args, p.stderr)
        assert "Traceback" not in p.stderr + p.stdout
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_failure_mid_run_leaves_published_warehouse_unchanged(tmp_path: Path, monkeypatch) -> None:
    inbox, wh = _inbox(tmp_path / "in"), tmp_path / "warehouse.duckdb"
    assert runner.run_pipeline(inbox, wh).success
    before = _sha(wh)
    write_csv(inbox / "2026-11" / "tickets_2026-11_20261205.csv", [TICKET_HEADER, NOVEMBER_TICKET])
    import orchestration.assets.ingestion as assets

    real = assets.load_file

    def crash(con, pf, run_id, limits):
        real(con, pf, run_id, limits)  # the rows are written to the build copy ...
        raise RuntimeError("power cut")  # ... then the step dies half-way (a bad file never does this)

    monkeypatch.setattr(assets, "load_file", crash)
    out = runner.run_pipeline(inbox, wh)
    assert not out.success
    assert _sha(wh) == before
    assert _one(wh, "SELECT count(*) FROM raw.tickets") == 2


def test_one_dataset_failing_stops_the_other_loader_and_publishes_nothing(tmp_path: Path, monkeypatch) -> None:
    """Datasets load two at a time (decision 111): a bug in one fails the run, the other loader
    stops between two files, and the published warehouse is untouched."""
    inbox, wh = _inbox(tmp_path / "in"), tmp_path / "warehouse.duckdb"
    assert runner.run_pipeline(inbox, wh).success
    before = _sha(wh)
    write_csv(inbox / "2026-11" / "tickets_2026-11_20261205.csv", [TICKET_HEADER, NOVEMBER_TICKET])
    for day in range(2, 6):
        write_csv(
            inbox / f"eoms_circuits_202611{day:02d}.csv",
            [EOMS, [f"GZ-DL-00000{day}", "铁通", "贵阳市", "清镇市", "城区", "自维数据专线", "2025-01-01", "在用"]],
        )
    import orchestration.assets.ingestion as assets

    real, loaded, eoms_started = assets.load_file, [], threading.Event()

    def crash_tickets(con, pf, run_id, limits):
        if pf.dataset == "tickets":
            eoms_started.wait(timeout=20)  # only loaders that run at the same time meet here
            raise RuntimeError("power cut")
        loaded.append(pf.file)
        eoms_started.set()
        time.sleep(0.3)  # long enough for the tickets loader to fail first
        return real(con, pf, run_id, limits)

    monkeypatch.setattr(assets, "load_file", crash_tickets)
    out = runner.run_pipeline(inbox, wh)
    assert not out.success
    assert out.error == "加载文件 / loading (raw_tables): RuntimeError: power cut"  # the cause, not Dagster's wrapper
    assert loaded, "the two datasets did not load at the same time"
    assert len(loaded) < 4, "the EOMS loader went on after the tickets loader failed"
    assert _sha(wh) == before
    assert _one(wh, "SELECT count(*) FROM raw.tickets") == 2
    assert _one(wh, "SELECT count(*) FROM raw.eoms_circuits") == 1
    monkeypatch.undo()
    # the next run loads everything
    assert runner.run_pipeline(inbox, wh).success
    assert _one(wh, "SELECT count(*) FROM raw.tickets") == 3
    loaded_eoms = "SELECT count(*) FROM audit.load_log WHERE dataset = 'eoms_circuits' AND status = 'loaded'"
    assert _one(wh, loaded_eoms) == 5


def test_dbt_that_cannot_run_fails_the_run_and_publishes_nothing(tmp_path: Path, monkeypatch) -> None:
    """dbt exiting 2 (it did not run: a bad option, a broken project) is a failed run, named as
    such; the published warehouse is unchanged and the next run succeeds."""
    from orchestration.resources import DaiweiDbtCliResource

    inbox, wh = _inbox(tmp_path / "in"), tmp_path / "warehouse.duckdb"
    assert runner.run_pipeline(inbox, wh).success
    before = _sha(wh)
    write_csv(inbox / "2026-11" / "tickets_2026-11_20261205.csv", [TICKET_HEADER, NOVEMBER_TICKET])
    real_cli = DaiweiDbtCliResource.cli

    def broken_cli(self, args, **kwargs):
        return real_cli(self, [*args, "--no-such-option"], **kwargs)

    monkeypatch.setattr(DaiweiDbtCliResource, "cli", broken_cli)
    out = runner.run_pipeline(inbox, wh)
    assert not out.success
    assert out.error == "指标构建 / dbt build (daiwei_dbt_models): dbt 未能运行 / dbt did not run (exit 2)"
    assert _sha(wh) == before
    monkeypatch.undo()
    assert runner.run_pipeline(inbox, wh).success
    assert _one(wh, "SELECT count(*) FROM raw.tickets") == 3


def test_a_stopped_loader_loads_nothing_more(tmp_path: Path) -> None:
    from core.settings import DEFAULT_PROVINCE
    from ingestion.datasets import BY_NAME
    from ingestion.files import DEFAULT_LIMITS
    from ingestion.loader import plan_files, prepare_connection
    from orchestration.assets import ingestion as assets

    write_csv(tmp_path / "in" / "tickets_2026-10_20261105.csv", [TICKET_HEADER, ticket("A")])
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    prepare_connection(con, province=DEFAULT_PROVINCE)
    assets.record_plan(con, "r", plan_files(con, tmp_path / "in"))
    stop = threading.Event()
    stop.set()
    with pytest.raises(assets.LoadStopped, match=r"tickets_2026-10_20261105\.csv"):
        assets._load_dataset(con, BY_NAME["tickets"], "r", DEFAULT_PROVINCE, DEFAULT_LIMITS, stop)
    assert con.execute("SELECT count(*) FROM raw.tickets").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM audit.load_log").fetchall() == [(0,)]
    stop.clear()
    assets._load_dataset(con, BY_NAME["tickets"], "r", DEFAULT_PROVINCE, DEFAULT_LIMITS, stop)
    assert con.execute("SELECT count(*) FROM raw.tickets").fetchall() == [(1,)]
    con.close()


def test_killed_run_leaves_published_warehouse_readable(tmp_path: Path) -> None:
    inbox, wh = _inbox(tmp_path / "in"), tmp_path / "warehouse.duckdb"
    assert runner.run_pipeline(inbox, wh).success
    before = _sha(wh)
    write_csv(inbox / "2026-11" / "tickets_2026-11_20261205.csv", [TICKET_HEADER, NOVEMBER_TICKET])
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "run", "--input", str(inbox), "--warehouse", str(wh)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    builds = wh.parent / ".build"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (builds.exists() and any(builds.rglob("warehouse.duckdb"))):
        time.sleep(0.05)
    time.sleep(0.5)  # somewhere inside the run
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _sha(wh) == before
    assert _one(wh, "SELECT count(*) FROM raw.tickets") == 2
    # the next run cleans the dead build and publishes
    assert runner.run_pipeline(inbox, wh).success
    assert _one(wh, "SELECT count(*) FROM raw.tickets") == 3


def test_a_run_revalidates_only_the_months_it_loaded(tmp_path: Path) -> None:
    inbox, wh = _inbox(tmp_path / "in"), tmp_path / "warehouse.duckdb"
    first = runner.run_pipeline(inbox, wh)
    write_csv(inbox / "2026-11" / "tickets_2026-11_20261205.csv", [TICKET_HEADER, NOVEMBER_TICKET])
    second = runner.run_pipeline(inbox, wh)
    assert first.success and second.success
    con = duckdb.connect(str(wh), read_only=True)
    months = dict(
        con.execute(
            "SELECT run_id, list(DISTINCT month ORDER BY month) FROM audit.dq_results "
            "WHERE month IS NOT NULL GROUP BY run_id"
        ).fetchall()
    )
    assert months[first.run_id] == ["2026-10"]
    assert months[second.run_id] == ["2026-11"]
    latest = dict(
        con.execute(
            "SELECT month, run_id FROM marts.mart_dq_scores WHERE is_latest_run AND contractor = '铁通'"
        ).fetchall()
    )
    assert latest == {"2026-10": first.run_id, "2026-11": second.run_id}
    con.close()


def test_unchanged_seeds_are_kept_and_changed_seeds_reloaded(tmp_path: Path, monkeypatch) -> None:
    """Decision 91: a run keeps the seeds its warehouse holds when nothing about them changed (no
    seed loaded, no seed-only test run), yet every step downstream of a seed still runs."""
    from orchestration.assets import dbt as dbt_asset

    inbox, wh = _inbox(tmp_path / "in"), tmp_path / "warehouse.duckdb"

    def seeds_state() -> tuple:
        con = duckdb.connect(str(wh), read_only=True)
        try:
            return con.execute("SELECT fingerprint, loaded_at FROM audit.dbt_seeds_loaded").fetchone()
        finally:
            con.close()

    first = runner.run_pipeline(inbox, wh)
    assert first.success, first.error
    fingerprint, loaded_at = seeds_state()
    assert fingerprint == dbt_asset.seeds_sha256()

    write_csv(inbox / "2026-11" / "tickets_2026-11_20261205.csv", [TICKET_HEADER, NOVEMBER_TICKET])
    second = runner.run_pipeline(inbox, wh)
    assert second.success, second.error
    assert seeds_state() == (fingerprint, loaded_at), "unchanged seeds are not loaded again"
    assert {"data_quality", "published_warehouse"} <= set(second.step_seconds), "steps after a kept seed run"
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("SELECT count(*) FROM raw.tickets").fetchall() == [(3,)]
    assert con.execute("SELECT count(*) FROM marts.fct_kpi WHERE month = '2026-11'").fetchall()[0][0] > 0
    con.close()

    # an edited seed changes both fingerprints: the seeds' (decision 91) and the project's, which
    # decides whether dbt runs at all (decision 104)
    monkeypatch.setattr(dbt_asset, "seeds_sha256", lambda: "a seed file was edited")
    monkeypatch.setattr(dbt_asset, "project_sha256", lambda _project_dir: "a seed file was edited")
    third = runner.run_pipeline(inbox, wh)
    assert third.success, third.error
    changed, reloaded_at = seeds_state()
    assert changed == "a seed file was edited" and reloaded_at > loaded_at


def test_seeds_count_as_tested_only_when_every_seed_and_seed_test_passed() -> None:
    from orchestration.assets.dbt import _seeds_passed

    manifest = {
        "nodes": {
            "seed.daiwei.a": {"depends_on": {"nodes": []}},
            "test.daiwei.not_null_a": {"depends_on": {"nodes": ["seed.daiwei.a"]}},
            "test.daiwei.rel_m_a": {"depends_on": {"nodes": ["model.daiwei.m", "seed.daiwei.a"]}},
            "model.daiwei.m": {"depends_on": {"nodes": ["seed.daiwei.a"]}},
        }
    }

    def results(**statuses: str) -> bool:
        rows = [{"unique_id": uid.replace("__", "."), "status": s} for uid, s in statuses.items()]
        return _seeds_passed({"results": rows}, manifest)

    ok = {"seed__daiwei__a": "success", "test__daiwei__not_null_a": "pass", "model__daiwei__m": "success"}
    assert results(**ok)
    assert results(**ok, test__daiwei__rel_m_a="fail"), "a test that also reads a model is not a seed test"
    assert not results(**{**ok, "test__daiwei__not_null_a": "fail"})
    assert not results(**{**ok, "test__daiwei__not_null_a": "warn"})
    assert not results(seed__daiwei__a="success"), "a seed test that did not run"


def test_node_statuses_and_errors_come_from_dbts_events() -> None:
    """dbt writes no run_results.json in a run (--no-write-json): what failed is read from its events."""
    from types import SimpleNamespace

    from orchestration.assets.dbt import _failed_nodes, _stream_noting_results
    from orchestration.dbt_inputs import all_passed

    def event(name: str, unique_id: str | None, status: str | None = None, **data: str) -> SimpleNamespace:
        node = {"unique_id": unique_id, "node_status": status} if unique_id else {}
        result = name in ("LogModelResult", "LogTestResult", "LogSeedResult") and unique_id is not None
        return SimpleNamespace(
            raw_event={"info": {"name": name}, "data": {"node_info": node, **data}},
            is_result_event=result,
            to_default_asset_events=lambda **_: iter([f"asset event of {unique_id}"] if status == "success" else []),
        )

    events = [
        event("MainReportVersion", None),
        event("LogModelResult", "model.daiwei.a", "success"),
        event("LogTestResult", "test.daiwei.not_null_a", "pass"),
        event("LogModelResult", "model.daiwei.b", "error"),
        event("RunResultError", "model.daiwei.b", msg="Runtime Error in model b\n  division by zero"),
    ]
    invocation = SimpleNamespace(
        stream_raw_events=lambda: iter(events),
        manifest={},
        dagster_dbt_translator=None,
        context=None,
        target_path=None,
        project=None,
    )
    results: dict = {}
    assert list(_stream_noting_results(invocation, results)) == ["asset event of model.daiwei.a"]
    noted = [r["unique_id"] for r in results["results"]]
    assert noted == ["model.daiwei.a", "test.daiwei.not_null_a", "model.daiwei.b"]
    assert _failed_nodes(results) == ["model.daiwei.b: Runtime Error in model b"]
    assert not all_passed(results)
    del results["results"][-1]
    assert all_passed(results) and _failed_nodes(results) == []
