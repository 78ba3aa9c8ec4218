"""A run's copy of the warehouse, started early (`Warehouse.prefetch`) and used only while still exact."""

from __future__ import annotations

from pathlib import Path

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


def test_every_copy_of_the_warehouse_starts_its_writeback(tmp_path: Path, monkeypatch) -> None:
    """The copy's dirty pages start going to disk as soon as it is made, prefetched or not, so the
    run's first checkpoint does not wait for 2 GB to be written out (core.warehouse.start_writeback)."""
    started: list[str] = []
    real = warehouse_module.start_writeback
    monkeypatch.setattr(warehouse_module, "start_writeback", lambda p: started.append(Path(p).name) or real(p))
    wh = _published(tmp_path, b"published " * 100_000)
    wh.acquire()
    try:
        wh.prefetch()
        warehouse_module._PREFETCH[str(wh.path)].thread.join()
        wh.begin("r1")
    finally:
        wh.release()
    other = _published(tmp_path / "b", b"other " * 100_000)
    other.acquire()
    try:
        build = other.begin("r2")  # no prefetch: begin copies
        assert build.read_bytes() == other.path.read_bytes()
    finally:
        other.release()
    assert started == ["warehouse.prefetch", "warehouse.duckdb"]


def test_start_writeback_on_linux_and_on_a_missing_file(tmp_path: Path) -> None:
    import sys

    f = tmp_path / "f.bin"
    f.write_bytes(b"x" * 1_000_000)
    assert warehouse_module.start_writeback(f) is (sys.platform == "linux")
    assert warehouse_module.start_writeback(tmp_path / "missing") is False
