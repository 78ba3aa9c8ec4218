"""Read-only access to the published warehouse, cached until the file is replaced.

A run publishes by replacing the file (new inode, new mtime), so caching on
(path, mtime) shows new numbers right after a publish and never blocks a run:
the app only ever opens the file read-only, and a connection it holds keeps
reading the old inode while the run swaps in the new one.

Two readers share one interface (`DB`): `CachedDB` for the Streamlit pages,
`DirectDB` for the pack and the benchmark, so all three run the very same
query functions of `dashboards.queries`. Both mask personal data
(`dashboards.masking.mask_frame`) before anything is shown or written.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from dashboards.masking import mask_frame
from dashboards.reader import DB, DirectDB, catalog
from orchestration.warehouse import warehouse_path

__all__ = ["DB", "CachedDB", "DirectDB", "current_warehouse", "db"]


def current_warehouse() -> Path:
    return warehouse_path(os.environ.get("DAIWEI_WAREHOUSE"))


def version(path: Path) -> float:
    """The published file's mtime: a publish replaces the file, so this changes with every run."""
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_resource(show_spinner=False, max_entries=2)
def _connection(path: str, mtime: float) -> duckdb.DuckDBPyConnection:
    """One read-only connection per published version (opening costs ~20 ms; queries use cursors)."""
    return duckdb.connect(path, read_only=True)


@st.cache_data(show_spinner=False, max_entries=512)
def _query(path: str, mtime: float, sql: str, params: tuple) -> pd.DataFrame:
    cur = _connection(path, mtime).cursor()
    try:
        return mask_frame(cur.execute(sql, list(params)).df())
    finally:
        cur.close()


@st.cache_data(show_spinner=False, max_entries=8)
def _cached_catalog(path: str, mtime: float) -> dict[str, list[str]]:
    cur = _connection(path, mtime).cursor()
    try:
        return catalog(cur)
    finally:
        cur.close()


class CachedDB:
    """The pages' reader: results cached per (file, mtime, SQL, parameters)."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self.mtime = version(path)

    def df(self, sql: str, *params: object) -> pd.DataFrame:
        # st.cache_data hands out a fresh copy: a page may add columns freely
        return _query(self.path, self.mtime, sql, tuple(params))

    def has(self, *relations: str) -> bool:
        cat = _cached_catalog(self.path, self.mtime)
        return all(r in cat for r in relations)

    def columns(self, relation: str) -> list[str]:
        return list(_cached_catalog(self.path, self.mtime).get(relation, []))


def db() -> CachedDB | None:
    """The reader for this rerun, or None when nothing has been published yet."""
    path = current_warehouse()
    return CachedDB(path) if path.exists() else None
