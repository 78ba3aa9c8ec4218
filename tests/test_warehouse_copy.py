"""A run's copy of the warehouse, started early (`Warehouse.prefetch`) and used only while still exact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from core import warehouse as warehouse_module
from core.warehouse import Warehouse


def _published(tmp_path: Path, content: bytes) -> Warehouse:
    path = tmp_path / "wh" / "warehouse.duckdb"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    return Warehouse(path)


def test_the_prefetched_copy_becomes_the_runs_copy(tmp_path: Path) -> None:
    wh = _published(tmp_path, b"published " * 100_000)
    wh.acquire()
    try:
        wh.prefetch()
        warehouse_module._PREFETCH[str(wh.path)].thread.join()
        copied = (wh.builds / "warehouse.prefetch").stat().st_ino
        build = wh.begin("r1")
        assert build.stat().st_ino == copied, "begin copied again instead of using the prefetched copy"
        assert build.read_bytes() == wh.path.read_bytes()
        assert not (wh.builds / "warehouse.prefetch").exists()
    finally:
        wh.release()


def test_a_published_file_that_changed_after_the_prefetch_is_copied_again(tmp_path: Path) -> None:
    wh = _published(tmp_path, b"old " * 100_000)
    wh.acquire()
    try:
        wh.prefetch()
        wh.path.write_bytes(b"newer, longer " * 100_000)
        build = wh.begin("r1")
        assert build.read_bytes() == b"newer, longer " * 100_000
        assert not (wh.builds / "warehouse.prefetch").exists()
    finally:
        wh.release()


def test_no_prefetch_without_the_run_lock_and_none_left_by_a_run_that_ends_early(tmp_path: Path) -> None:
    wh = _published(tmp_path, b"x" * 1000)
    wh.prefetch()  # not holding the lock: another run may publish meanwhile
    assert not wh.builds.exists()
    wh.acquire()
    wh.prefetch()
    wh.release()  # the run failed before `begin`
    assert not (wh.builds / "warehouse.prefetch").exists()


def test_a_prefetch_left_by_a_dead_process_is_never_used(tmp_path: Path) -> None:
    wh = _published(tmp_path, b"published" * 1000)
    wh.builds.mkdir(parents=True)
    (wh.builds / "warehouse.prefetch").write_bytes(b"half a copy")
    wh.acquire()
    try:
        build = wh.begin("r1")
        assert build.read_bytes() == wh.path.read_bytes()
        assert not (wh.builds / "warehouse.prefetch").exists()
    finally:
        wh.release()


# --- the build copy's database, open between the steps of a run (decision 111) -----------------

_WRITE_IN_ANOTHER_PROCESS = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE IF NOT EXISTS t (v INTEGER)")
con.execute("INSERT INTO t VALUES (2)")
con.close()
"""


def _write_from_another_process(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _WRITE_IN_ANOTHER_PROCESS, str(path)], capture_output=True, text=True, timeout=60
    )


def _new_warehouse(tmp_path: Path) -> Warehouse:
    path = tmp_path / "wh" / "warehouse.duckdb"
    path.parent.mkdir(parents=True)
    duckdb.connect(str(path)).close()
    return Warehouse(path)


def test_a_runs_steps_share_one_open_database(tmp_path: Path, monkeypatch) -> None:
    wh = _new_warehouse(tmp_path)
    opened: list[str] = []
    real_connect = duckdb.connect
    monkeypatch.setattr(
        warehouse_module.duckdb, "connect", lambda *a, **k: opened.append(a[0]) or real_connect(*a, **k)
    )
    wh.acquire()
    try:
        wh.begin("r1")
        with wh.connect_build("r1") as con:
            con.execute("CREATE TABLE t (v INTEGER)")
            con.execute("CREATE TEMP TABLE scratch AS SELECT 1 AS x")
        with wh.connect_build("r1") as con:
            con.execute("INSERT INTO t VALUES (1)")
            assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scratch'").fetchone() == (0,)
        assert len(opened) == 1, "the second step opened the file again"
        # another process (dbt) can write to the copy once this process closed it
        wh.close_build("r1")
        done = _write_from_another_process(wh.build_path("r1"))
        assert done.returncode == 0, done.stderr
        with wh.connect_build("r1") as con:  # opened again, and sees what the other process wrote
            assert con.execute("SELECT v FROM t ORDER BY v").fetchall() == [(1,), (2,)]
            con.execute("INSERT INTO t VALUES (3)")
        published = wh.publish("r1")
    finally:
        wh.release()
    con = real_connect(str(published), read_only=True)
    assert con.execute("SELECT v FROM t ORDER BY v").fetchall() == [(1,), (2,), (3,)]
    con.close()


def test_a_failed_run_closes_its_database_and_the_next_run_starts_clean(tmp_path: Path) -> None:
    wh = _new_warehouse(tmp_path)
    wh.acquire()
    wh.begin("r1")
    with wh.connect_build("r1") as con:
        con.execute("CREATE TABLE half_built (v INTEGER)")
    wh.release()  # the run failed: the lock and the open database are given back
    done = _write_from_another_process(wh.build_path("r1"))
    assert done.returncode == 0, done.stderr
    wh.acquire()
    try:
        wh.begin("r2")  # the dead run's copy is dropped, the published file copied again
        with wh.connect_build("r2") as con:
            assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (0,)
    finally:
        wh.release()
