"""The fault campaign replayed (docs/reliability.md; `make chaos` runs this module alone).

One delivery holds good files beside every crafted one. `daiwei run` must exit 1, name
each bad file once in one line, load every good file with its rows reconciled, keep its
memory bounded, and never end in a crash or a traceback; a second run on the same
delivery changes nothing. The kill -9 cases are in tests/test_pipeline.py, the stale
reads in tests/test_fresh_reads.py, inert downloads in tests/test_inert_output.py.
"""

from __future__ import annotations

import csv
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import TICKET_HEADER, ticket, write_csv
from tests.hostile_files import (
    FORMULAS,
    MARKDOWN,
    bad_order_tickets,
    bomb_xlsx,
    broken_part_xlsx,
    far_cell_xlsx,
    laden_tickets,
    link_outside,
    mixed_encoding_csv,
)

pytestmark = [pytest.mark.slow, pytest.mark.chaos]

EOMS = ["专线编号", "代维公司", "地市", "区县", "区域类型", "站点类型", "开通日期", "状态"]
BAD_FILES = {  # file -> a word its one-line reason must hold
    "2026-10/tickets_far.xlsx": "cells",
    "2026-10/tickets_broken.xlsx": "damaged",
    "2026-10/tickets_bomb.xlsx": "XML",
    "tickets_link.csv": "outside",
}
GOOD_FILES = [
    "eoms_circuits_20261101.csv",
    "2026-10/tickets_good.csv",
    "2026-10/tickets_formula.csv",
    "2026-10/tickets_markdown.csv",
    "2026-10/tickets_order.csv",
    "2026-10/tickets_mixed.csv",
    "=1+1.csv",
]


def _delivery(root: Path) -> Path:
    inbox = root / "in"
    write_csv(
        inbox / "eoms_circuits_20261101.csv",
        [EOMS, ["GZ-DL-000001", "铁通", "贵阳市", "清镇市", "城区", "自维数据专线", "2025-01-01", "在用"]],
    )
    write_csv(inbox / "2026-10" / "tickets_good.csv", [TICKET_HEADER, ticket("G-1"), ticket("G-2")], "gbk")
    write_csv(inbox / "=1+1.csv", [TICKET_HEADER, ticket("NAMED-1")])  # found by its header
    laden_tickets(inbox / "2026-10" / "tickets_formula.csv", FORMULAS, "F")
    laden_tickets(inbox / "2026-10" / "tickets_markdown.csv", MARKDOWN, "M")
    bad_order_tickets(inbox / "2026-10" / "tickets_order.csv")
    mixed_encoding_csv(inbox / "2026-10" / "tickets_mixed.csv")
    far_cell_xlsx(inbox / "2026-10" / "tickets_far.xlsx")
    broken_part_xlsx(inbox / "2026-10" / "tickets_broken.xlsx")
    bomb_xlsx(inbox / "2026-10" / "tickets_bomb.xlsx", inflated_mib=600)
    link_outside(inbox, root / "elsewhere")
    return inbox


def daiwei(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=900,
    )


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("chaos")
    inbox = _delivery(root)
    before = _dbt_invocation_dirs()
    wh = root / "wh" / "warehouse.duckdb"
    first = daiwei("run", "--input", str(inbox), "--warehouse", str(wh))
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    second = daiwei("run", "--input", str(inbox), "--warehouse", str(wh))
    left = _own_runs(_dbt_invocation_dirs() - before, wh)
    return {"root": root, "wh": wh, "first": first, "second": second, "peak_kib": peak_kib, "left": left}


def _dbt_invocation_dirs() -> set[str]:
    """dagster-dbt's per-invocation target folders (~15 MB each) under dbt_project/target."""
    target = Path(__file__).resolve().parent.parent / "dbt_project" / "target"
    return {p.name for p in target.glob("daiwei_dbt_models-*")} if target.exists() else set()


def _own_runs(dirs: set[str], wh: Path) -> set[str]:
    """The folders of this warehouse's runs (their Dagster run ids are in its run log): other tests running
    at the same time (pytest -n) have their own folders there, named after their runs."""
    log = wh.parent / "logs" / "daiwei-run.log"
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    # the line the runner writes at the end of each run ("run <run id> success=… steps: …")
    ids = {m[:7] for m in re.findall(r"^run ([0-9a-f]{8})-[0-9a-f-]+ success=", text, flags=re.MULTILINE)}
    assert ids, "the run log names the runs"
    return {d for d in dirs if d.split("-")[1] in ids}


def _log(wh: Path) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(
            "SELECT run_id, file, status, rows_read, rows_loaded, rows_rejected, message "
            "FROM audit.load_log ORDER BY load_seq"
        ).fetchall()
    finally:
        con.close()


def test_run_exits_1_and_names_each_bad_file_once(campaign: dict) -> None:
    for run in (campaign["first"], campaign["second"]):
        out = run.stdout + run.stderr
        assert run.returncode == 1, out
        assert "Traceback" not in out and "panicked" not in out, out
        for name, word in BAD_FILES.items():
            lines = [line for line in out.splitlines() if name in line]
            assert len(lines) == 1, (name, out)
            assert word.lower() in lines[0].lower(), lines[0]
        for name in GOOD_FILES:
            assert name not in out, (name, out)


def test_every_good_file_loads_with_rows_reconciled(campaign: dict) -> None:
    log = _log(campaign["wh"])
    first_run = log[0][0]
    first = {r[1]: r for r in log if r[0] == first_run}
    assert set(first) == set(GOOD_FILES) | set(BAD_FILES)
    for name in GOOD_FILES:
        _, _, status, read, loaded, rejected, message = first[name]
        assert status == "loaded", (name, message)
        assert read == loaded + rejected and read > 0, name
    for name in BAD_FILES:
        assert first[name][2:6] == ("rejected", 0, 0, 0), first[name]
    # The crafted rows: completion and acknowledgement before dispatch, a phantom contractor, year 9999.
    assert first["2026-10/tickets_order.csv"][3:6] == (5, 1, 4)
    second = [r for r in log if r[0] != first_run]
    expected = {**dict.fromkeys(GOOD_FILES, "skipped"), **dict.fromkeys(BAD_FILES, "rejected")}
    assert {r[1]: r[2] for r in second} == expected


def test_nothing_from_outside_the_delivery_and_no_phantom_contractor(campaign: dict) -> None:
    con = duckdb.connect(str(campaign["wh"]), read_only=True)
    try:
        ids = {r[0] for r in con.execute("SELECT ticket_id FROM raw.tickets").fetchall()}
        contractors = {r[0] for r in con.execute("SELECT DISTINCT contractor FROM marts.fct_kpi").fetchall()}
        effective = con.execute(
            "SELECT min(effective_minutes) FROM marts.mart_fault_tickets WHERE effective_minutes IS NOT NULL"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert "OUT-1" not in ids and "FAR-1" not in ids and not any(i.startswith(("BRK", "BOMB")) for i in ids)
    assert {"ORD-1", "ORD-2", "ORD-3", "ORD-4"}.isdisjoint(ids) and "ORD-5" in ids
    assert "假冒公司" not in contractors
    assert effective is None or effective >= 0


def test_runs_leave_no_dbt_target_behind(campaign: dict) -> None:
    """No per-run folder in dbt_project/target, and the warehouse's own dbt folder keeps dbt's saved
    parse only (the next run reuses it), not the compiled SQL and results of the runs."""
    from core.warehouse import Warehouse

    assert campaign["left"] == set()
    kept = Warehouse(campaign["wh"]).dbt_target
    assert kept.is_dir(), "the runs used the warehouse's dbt folder"
    assert sorted(p.name for p in kept.iterdir()) == ["partial_parse.msgpack"]


def test_memory_stays_bounded(campaign: dict) -> None:
    # A 600 MiB bomb and a 17-billion-cell sheet in the delivery: the run stays far below them.
    assert campaign["peak_kib"] < 2_500_000, f"peak RSS {campaign['peak_kib'] / 1024:.0f} MiB"


def test_what_leaves_is_inert(campaign: dict, tmp_path: Path) -> None:
    wh = campaign["wh"]
    for cmd, name in (("loads", "loads.csv"), ("rejects", "rejects.csv"), ("export", "kpi.csv")):
        run = daiwei(cmd, "--warehouse", str(wh), "--out", str(tmp_path / name))
        assert run.returncode == 0, run.stderr
        with open(tmp_path / name, encoding="utf-8") as f:
            for row in csv.reader(f):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)
    with open(tmp_path / "loads.csv", encoding="utf-8") as f:
        files = {r["file"] for r in csv.DictReader(f)}
    assert "'=1+1.csv" in files  # the file name itself is data text: written so it is not evaluated


def test_a_second_run_says_it_waits_then_runs(tmp_path: Path) -> None:
    import fcntl
    import time

    inbox = tmp_path / "in"
    write_csv(inbox / "2026-10" / "tickets_a.csv", [TICKET_HEADER, ticket("W-1")])
    wh = tmp_path / "wh" / "warehouse.duckdb"
    wh.parent.mkdir(parents=True)
    fd = os.open(str(wh) + ".lock", os.O_CREAT | os.O_RDWR, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another run is in progress
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "run", "--input", str(inbox), "--warehouse", str(wh)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()  # blocks until the waiting run says why it waits
        assert "等待" in line and "waiting" in line and ".lock" in line, line
        time.sleep(1)
        assert proc.poll() is None and not wh.exists()  # it really waits
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    # Once the lock is free the waiting run goes on: its build copy appears (the rest of a run is
    # tested elsewhere, so it is stopped there).
    builds = wh.parent / ".build"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (builds.exists() and any(builds.iterdir())) and proc.poll() is None:
        time.sleep(0.1)
    started = builds.exists() and any(builds.iterdir())
    proc.kill()
    proc.communicate(timeout=60)
    assert started, "the waiting run did not start once the lock was free"
