"""The reader interface every query function takes, and its plain (uncached) implementation.

Kept free of Streamlit so the pack (inside a Dagster run) and the benchmark
import no web framework: `app.data.CachedDB` is the pages' cached
reader with the same interface.
"""

from __future__ import annotations

import os
from typing import Protocol

import duckdb
import pandas as pd

from core.warehouse import open_published, warehouse_path
from reporting.masking import mask_frame

_CATALOG_SQL = (
    "SELECT table_schema || '.' || table_name AS rel, column_name FROM information_schema.columns "
    "WHERE table_schema IN ('marts', 'audit') ORDER BY table_schema, table_name, ordinal_position"
)

# What the reporting layer reads. Every run builds all of them (dbt contracts and the publish step), so
# pages do not test for them one by one: a warehouse that lacks one (built by an older daiwei, or by
# hand) is refused once, at the door, by `missing`.
REQUIRED = (
    "marts.fct_kpi",
    "marts.fct_penalty_items",
    "marts.dim_kpis",
    "marts.dim_areas",
    "marts.dim_funnel_limits",
    "marts.mart_kpi_funnel",
    "marts.mart_area_scores",
    "marts.mart_area_index",
    "marts.mart_fault_pareto",
    "marts.mart_fault_tickets",
    "marts.mart_ledger_findings",
    "marts.mart_technician_penalties",
    "marts.mart_breaches",
    "marts.mart_dq_scores",
    "marts.mart_kpi_adjustments",
    "marts.mart_restatements",
    "audit.dq_results",
    "audit.load_log",
    "audit.rejects",
)


class DB(Protocol):
    """What a query function needs: a frame from SQL, and which relations and columns exist."""

    def df(self, sql: str, *params: object) -> pd.DataFrame: ...

    def has(self, *relations: str) -> bool: ...

    def columns(self, relation: str) -> list[str]: ...


def catalog(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rel, col in con.execute(_CATALOG_SQL).fetchall():
        out.setdefault(rel, []).append(col)
    return out


class DirectDB:
    """One open read-only connection (the pack, the benchmark, the tests)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._cat = catalog(con)

    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None) -> DirectDB:
        return cls(open_published(warehouse_path(path)))

    def close(self) -> None:
        self.con.close()

    def df(self, sql: str, *params: object) -> pd.DataFrame:
        return mask_frame(self.con.execute(sql, list(params)).df())

    def has(self, *relations: str) -> bool:
        return all(r in self._cat for r in relations)

    def columns(self, relation: str) -> list[str]:
        return list(self._cat.get(relation, []))


def missing(db: DB) -> list[str]:
    """The relations of REQUIRED that `db` lacks (empty for any warehouse a run published)."""
    return [r for r in REQUIRED if not db.has(r)]
