"""Read-only access to the published warehouse, always the file that is published now.

A run publishes by `os.replace`-ing the file (source: core/warehouse.py),
so the published path names a new inode after every run. Two traps follow:

* DuckDB keeps one database instance per path while any connection to it is
  alive, and `duckdb.connect(path)` hands that instance back: a connection
  cached across a publish makes every later "reopen" read the replaced file
  (old numbers under a new date), and keeps its deleted inode open so its
  disk space is never freed.
* Closing a connection while another session's thread is in a query breaks
  that query.

So the process holds exactly one connection, to one version of the file
(identified by inode, size and mtime), and counts the queries in flight on
it. Every query first stats the path; when the version changed, new queries
wait until the old version's queries have finished, the old connection is
closed (its instance and file handle go with it), and the new file is opened.
Results are cached per (version, SQL, parameters), so a version change also
invalidates every cached frame. Nothing here ever opens the file for writing.

Two readers share one interface (`DB`): `CachedDB` for the Streamlit pages,
`DirectDB` for the pack and the benchmark, so all three run the very same
query functions of `reporting.queries`. Both mask personal data
(`reporting.masking.mask_frame`) before anything is shown or written.

`db()` hands the pages the cached reader wrapped in the signed-in person's scope
(`reporting.scope.scoped`): a contractor's every query, on every page and every
download, sees its own rows and the other contractors only as 代维公司A/B/…, and
only the months published to it. Pages never filter by contractor for security;
nobody signed in gets no reader at all. `unscoped_db()` is for the department's
actions that need the whole warehouse (closing a month takes its snapshot).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd
import streamlit as st

from app import auth
from core.settings import Settings
from reporting.masking import mask_frame
from reporting.reader import DB, DirectDB, catalog
from reporting.scope import scoped

__all__ = ["DB", "CachedDB", "DirectDB", "current_warehouse", "db", "unscoped_db"]


def current_warehouse() -> Path:
    """The published warehouse of this deployment's settings ($DAIWEI_WAREHOUSE, set by `daiwei serve`)."""
    return Settings.load().warehouse


class Version(NamedTuple):
    """One published file: a publish gives a new inode (and a new mtime). A tuple, so caches hash it."""

    inode: int
    size: int
    mtime_ns: int

    @property
    def mtime(self) -> float:
        return self.mtime_ns / 1e9

    @classmethod
    def of(cls, path: Path) -> Version | None:
        try:
            st_ = path.stat()
        except FileNotFoundError:
            return None
        return cls(st_.st_ino, st_.st_size, st_.st_mtime_ns)


class _Published:
    """The process's one connection to the published file, swapped when the file is replaced."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._path: str | None = None
        self._version: Version | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._in_flight = 0

    @contextmanager
    def cursor(self, path: str, version: Version) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._cond:
            while (self._path, self._version) != (path, version) and self._in_flight:
                self._cond.wait(timeout=30)
            if (self._path, self._version) != (path, version):
                self._close()
                self._con = duckdb.connect(path, read_only=True)
                self._path, self._version = path, version
            assert self._con is not None
            cur = self._con.cursor()
            self._in_flight += 1
        try:
            yield cur
        finally:
            cur.close()
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def refresh(self, path: str, version: Version | None) -> None:
        """Drop the connection to a replaced file now (its inode is freed), without waiting for a query."""
        with self._cond:
            if self._con is not None and (self._path, self._version) != (path, version) and not self._in_flight:
                self._close()

    def _close(self) -> None:
        if self._con is not None:
            self._con.close()
        self._con, self._path, self._version = None, None, None


_PUBLISHED = _Published()


@st.cache_data(show_spinner=False, max_entries=512)
def _query(path: str, version: Version, sql: str, params: tuple) -> pd.DataFrame:
    with _PUBLISHED.cursor(path, version) as cur:
        return mask_frame(cur.execute(sql, list(params)).df())


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_catalog(path: str, version: Version) -> dict[str, list[str]]:
    with _PUBLISHED.cursor(path, version) as cur:
        return catalog(cur)


class CachedDB:
    """The pages' reader: results cached per (file version, SQL, parameters)."""

    def __init__(self, path: Path, version: Version) -> None:
        self.path = str(path)
        self.version = version

    @property
    def mtime(self) -> float:
        return self.version.mtime

    def df(self, sql: str, *params: object) -> pd.DataFrame:
        # st.cache_data hands out a fresh copy: a page may add columns freely
        return _query(self.path, self.version, sql, tuple(params))

    def has(self, *relations: str) -> bool:
        cat = _cached_catalog(self.path, self.version)
        return all(r in cat for r in relations)

    def columns(self, relation: str) -> list[str]:
        return list(_cached_catalog(self.path, self.version).get(relation, []))


def unscoped_db() -> CachedDB | None:
    """The reader for this rerun (the file published now), or None when nothing has been published yet.

    Called once per interaction: a replaced file's connection is closed here, so no handle on it
    survives the next interaction of any session. Not scoped: only `db()` and the department's
    month actions call it.
    """
    path = current_warehouse()
    version = Version.of(path)
    _PUBLISHED.refresh(str(path), version)
    return CachedDB(path, version) if version is not None else None


def db() -> DB | None:
    """The signed-in person's reader for this rerun: the published file, scoped once (None: nothing to read)."""
    who = auth.current()
    if who is None:
        return None
    reader = unscoped_db()
    return None if reader is None else scoped(reader, who.scope)


def published_at() -> float | None:
    """When the published file was written (the sidebar's "data as of")."""
    version = Version.of(current_warehouse())
    return None if version is None else version.mtime
