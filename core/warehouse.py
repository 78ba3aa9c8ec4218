"""Build into a private copy, publish atomically: readers never see a half-built warehouse.

DuckDB allows one writing process per file and a writer blocks readers in
other processes, while the dashboard must keep reading during a run. So a run
copies the published file into `.build/<name>/` (same file name, because
DuckDB names the catalog after the file and dbt's views refer to it), builds
there, and `os.replace`s it over the published file at the end. A run that
dies half-way leaves the published file as it was. One run at a time holds
the lock next to the published file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.settings import Settings

_LOCKS: dict[str, int] = {}


@dataclass
class _Prefetch:
    """A copy of the published file started before the run needs it (`Warehouse.prefetch`)."""

    thread: threading.Thread
    target: Path
    stat: tuple[int, int, int]  # size, mtime, inode of the published file when the copy started
    errors: list[BaseException]


_PREFETCH: dict[str, _Prefetch] = {}


_SYNC_FILE_RANGE_WRITE = 2  # linux/fs.h: start writeback of the range's dirty pages, do not wait


def start_writeback(path: Path) -> bool:
    """Ask Linux to start writing PATH's dirty pages to disk now, without waiting (sync_file_range).

    A run's copy of the warehouse is ≈ 2 GB of dirty page cache when the copy ends. The first DuckDB
    checkpoint of the run (the close of the step that plans the files) syncs the file, and then waited
    ≈ 0.6-0.9 s for those pages to be written out (strace: one fdatasync). Started here, at the end
    of the copy, the writing goes on in the background while the run imports Dagster. Nothing changes
    in what is written or when it is durable; False where the call is not available."""
    try:
        import ctypes

        sync_file_range = ctypes.CDLL(None, use_errno=True).sync_file_range
        sync_file_range.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
        fd = os.open(path, os.O_RDONLY)
    except (OSError, AttributeError):  # no such call (not Linux), or no file to open: nothing started
        return False
    try:
        return sync_file_range(fd, 0, 0, _SYNC_FILE_RANGE_WRITE) == 0
    finally:
        os.close(fd)


def _copy(source: Path, target: Path) -> None:
    """A copy of the published file for a run, its writeback started (decision 113)."""
    shutil.copyfile(source, target)
    start_writeback(target)


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def warehouse_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--warehouse, else $DAIWEI_WAREHOUSE, else data/warehouse.duckdb: `Settings`' one rule for it."""
    return Settings.load(warehouse=explicit).warehouse


class RunLocked(RuntimeError):
    pass


# The file name of every run's build copy (dbt_project/profiles.yml opens it by this relative name).
BUILD_FILE = "warehouse.duckdb"


@dataclass(frozen=True)
class Warehouse:
    path: Path

    @property
    def builds(self) -> Path:
        return self.path.parent / ".build"

    def build_path(self, run_id: str) -> Path:
        """The run's copy: `BUILD_FILE` in this warehouse's build folder. dbt opens it by that relative
        name from that folder (orchestration/dbt_in_build.py), so its connection settings are the same
        for every run of every warehouse and its saved parse of the project stays valid (dbt re-parses
        the whole project when they change: ≈ 4 s). The models' views name no catalog
        (macros/relations.sql), so the copy may be published under any name."""
        return self.builds / self.path.stem / BUILD_FILE

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder for this warehouse's runs: keeps `partial_parse.msgpack` between runs."""
        return self.path.parent / ".dbt" / self.path.stem

    def _build_marker(self) -> Path:
        return self.builds / self.path.stem / "run_id"

    def begin(self, run_id: str, wait_seconds: float = 600.0) -> Path:
        """Take the run lock, drop the build of a dead run, and start this run's copy."""
        self._lock(wait_seconds)
        build = self.build_path(run_id)
        marker = self._build_marker()
        if build.parent.exists() and not (marker.exists() and marker.read_text(encoding="utf-8") == run_id):
            shutil.rmtree(build.parent, ignore_errors=True)  # a run that died half-way
        build.parent.mkdir(parents=True, exist_ok=True)
        if not marker.exists():
            prefetched = self._take_prefetched()
            if prefetched is not None:
                os.replace(prefetched, build)
            else:
                self._prefetch_path().unlink(missing_ok=True)  # left by a run that died before `begin`
                if self.path.exists():
                    _copy(self.path, build)
            marker.write_text(run_id, encoding="utf-8")
        return build

    def prefetch(self) -> None:
        """Start copying the published file for this process's next `begin`, in a thread.

        A run's copy of a province-year warehouse (2 GB) takes ≈ 1.7 s of the kernel's time on one core
        (ext4 has no reflink), while the run spends its first seconds importing Dagster and dbt on the
        other: `daiwei run` starts the copy as soon as it holds the run lock. Only with the lock held
        (no other run can publish meanwhile); `begin` uses the copy only if the published file is still
        the one copied (same size, mtime and inode) and copies again otherwise."""
        key = str(self.path)
        stat = _stat_key(self.path)
        if key not in _LOCKS or key in _PREFETCH or stat is None:
            return
        self.builds.mkdir(parents=True, exist_ok=True)
        target = self._prefetch_path()
        errors: list[BaseException] = []

        def copy() -> None:
            try:
                _copy(self.path, target)
            except BaseException as exc:  # reported by falling back to a copy in `begin`
                errors.append(exc)

        thread = threading.Thread(target=copy, name="warehouse-prefetch", daemon=True)
        thread.start()
        _PREFETCH[key] = _Prefetch(thread, target, stat, errors)

    def _prefetch_path(self) -> Path:
        return self.builds / f"{self.path.stem}.prefetch"

    def _take_prefetched(self) -> Path | None:
        """The prefetched copy once complete, if it is still a copy of the published file; else None."""
        entry = _PREFETCH.pop(str(self.path), None)
        if entry is None:
            return None
        entry.thread.join()
        if entry.errors or _stat_key(self.path) != entry.stat or _stat_key(entry.target) is None:
            entry.target.unlink(missing_ok=True)
            return None
        return entry.target

    def _drop_prefetched(self) -> None:
        prefetched = self._take_prefetched()
        if prefetched is not None:
            prefetched.unlink(missing_ok=True)

    def ensure_build(self, run_id: str) -> Path:
        """The run's copy; started here when an asset runs without the ingestion step."""
        marker = self._build_marker()
        if marker.exists() and marker.read_text(encoding="utf-8") == run_id:
            return self.build_path(run_id)
        return self.begin(run_id)

    def publish(self, run_id: str) -> Path:
        build = self.build_path(run_id)
        con = duckdb.connect(str(build))
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(build, self.path)
        shutil.rmtree(build.parent, ignore_errors=True)
        self._unlock()
        return self.path

    @contextlib.contextmanager
    def connect_build(self, run_id: str) -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect(str(self.ensure_build(run_id)), config=writer_config())
        con.execute("SET enable_progress_bar = false")
        try:
            yield con
        finally:
            con.close()

    def acquire(self, wait_seconds: float = 600.0, on_wait: Callable[[], None] | None = None) -> None:
        """Take the run lock for this process (a no-op when it already holds it).

        `on_wait` is called once when another run holds the lock, so a user is told why nothing
        happens yet instead of waiting in silence; after `wait_seconds` the run gives up (RunLocked).
        """
        self._lock(wait_seconds, on_wait)

    def release(self) -> None:
        """Give the run lock back (a run that failed before publishing)."""
        self._unlock()

    def _lock(self, wait_seconds: float, on_wait: Callable[[], None] | None = None) -> None:
        key = str(self.path)
        if key in _LOCKS:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(str(self.path) + ".lock", os.O_CREAT | os.O_RDWR, 0o644)
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait is not None:
                    on_wait()
                    told = True
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise RunLocked(f"another run holds {self.path}.lock") from None
                time.sleep(0.5)
        _LOCKS[key] = fd

    def _unlock(self) -> None:
        self._drop_prefetched()  # a run that ended before `begin` leaves no copy behind
        fd = _LOCKS.pop(str(self.path), None)
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def writer_config() -> dict[str, str | bool | int | float | list[str]]:
    """Bound DuckDB's memory so a province-year loads in well under 6 GiB (it spills to disk instead)."""
    return {
        "memory_limit": os.environ.get("DAIWEI_DUCKDB_MEMORY", "3GB"),
        "preserve_insertion_order": "false",
    }


def open_published(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published warehouse (readers never lock out a run)."""
    return duckdb.connect(str(path), read_only=True)
