"""Read-only access to the published warehouse, cached until the file is replaced.

A run publishes by replacing the file (new inode, new mtime), so caching on
(path, mtime) shows new numbers right after a publish and never blocks a run.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from orchestration.warehouse import warehouse_path


def current_warehouse() -> Path:
    return warehouse_path(os.environ.get("DAIWEI_WAREHOUSE"))


def version(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_data(show_spinner=False, max_entries=256)
def _query(path: str, mtime: float, sql: str, params: tuple) -> pd.DataFrame:
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute(sql, list(params)).df()
    finally:
        con.close()


def query(sql: str, *params: object) -> pd.DataFrame:
    path = current_warehouse()
    return _query(str(path), version(path), sql, tuple(params))


def available() -> bool:
    return current_warehouse().exists()
