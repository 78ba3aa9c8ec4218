"""What every suite of a run shares: the reference lists, the month spine and "now".

Built once per run on the warehouse connection, as TEMP tables (they vanish
with the connection and never reach the published file):

* `ref_prefectures`, `ref_counties`: the dbt reference seeds, loaded by
  `ingestion.loader.prepare_connection` exactly as the loader's own validators see them.
* `dq_ref_contractor_prefectures`: the contractor -> prefecture assignment seed.
  It is documentation for the KPIs, so here it only raises warnings ("this
  record's prefecture is not one its contractor maintains"); an empty seed
  switches those checks off.
* `dq_months`: the months of kpis.md edge rule 2 (any non-cancelled ticket,
  inspection, device sample, roster, ledger, stock report or acceptance), with
  first and last day and the 'YYYY-MM' label used in `audit.dq_results.month`.
* `dq_contractor_months`: (contractor, month) pairs where the contractor has
  EOMS circuits in service at month end (edge rule 8: activated_on <= d and
  removed_on blank or > d): the deliveries each such contractor owes that month.

`now` bounds "not in the future" checks. It is the evaluation time, so those
checks are shown as `now+1d` in expectation names, which stay stable run to run.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ingestion.loader import REFERENCE_DIR

IN_SERVICE_AT_MONTH_END = "e.activated_on <= m.month_end AND (e.removed_on IS NULL OR e.removed_on > m.month_end)"


@dataclass(frozen=True)
class RunContext:
    now: datetime
    months: tuple[str, ...]
    prefectures: tuple[str, ...]
    has_contractor_assignment: bool
    device_metric_rows: int


def month_label(expr: str) -> str:
    """'YYYY-MM' of a DATE/TIMESTAMP expression."""
    return f"strftime({expr}, '%Y-%m')"


def month_start(expr: str) -> str:
    return f"CAST(date_trunc('month', {expr}) AS DATE)"


def county_in_prefecture(t: str = "t") -> str:
    """Same rule as the loader's (ingestion.datasets.COUNTY_IN_PREFECTURE); NULL when no county."""
    return (
        f"CASE WHEN {t}.county IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM ref_counties rc "
        f"WHERE rc.county = {t}.county AND ({t}.prefecture IS NULL OR rc.prefecture = {t}.prefecture)) END"
    )


def contractor_covers_prefecture(t: str = "t") -> str:
    """NULL when either side is blank; true when the assignment seed pairs them."""
    return (
        f"CASE WHEN {t}.contractor IS NULL OR {t}.prefecture IS NULL THEN NULL ELSE EXISTS ("
        f"SELECT 1 FROM dq_ref_contractor_prefectures cp WHERE cp.contractor = {t}.contractor "
        f"AND cp.prefecture = {t}.prefecture) END"
    )


def _contractor_assignment(reference_dir: Path) -> list[tuple[str, str]]:
    path = reference_dir / "ref_contractor_prefectures.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [(r["contractor"].strip(), r["prefecture"].strip()) for r in csv.DictReader(f) if r.get("contractor")]


def prepare(con: duckdb.DuckDBPyConnection, now: datetime, reference_dir: Path = REFERENCE_DIR) -> RunContext:
    """Create the run's TEMP tables.

    Expects `ingestion.loader.prepare_connection` to have run on `con` (UDFs, raw tables,
    `ref_prefectures` / `ref_counties`) and `dq_device_months` to exist (device_suite.aggregate).
    """
    pairs = _contractor_assignment(reference_dir)
    con.execute("CREATE OR REPLACE TEMP TABLE dq_ref_contractor_prefectures (contractor VARCHAR, prefecture VARCHAR)")
    if pairs:
        con.executemany("INSERT INTO dq_ref_contractor_prefectures VALUES (?, ?)", pairs)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dq_months AS
        WITH months AS (
            SELECT {month_start("dispatched_at")} AS m FROM raw.tickets WHERE coalesce(status, '') <> '已作废'
            UNION SELECT {month_start("inspected_at")} FROM raw.inspections
            UNION SELECT month_start FROM dq_device_months
            UNION SELECT roster_month FROM raw.hr_roster
            UNION SELECT ledger_month FROM raw.ledger
            UNION SELECT stock_month FROM raw.spare_parts
            UNION SELECT {month_start("accepted_on")} FROM raw.acceptance
        )
        SELECT m AS month_start, last_day(m) AS month_end, {month_label("m")} AS month
        FROM months WHERE m IS NOT NULL ORDER BY m
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dq_contractor_months AS
        SELECT DISTINCT e.contractor, m.month, m.month_start, m.month_end
        FROM dq_months m JOIN raw.eoms_circuits e ON {IN_SERVICE_AT_MONTH_END}
        WHERE e.contractor IS NOT NULL
        """
    )
    months = tuple(r[0] for r in con.execute("SELECT month FROM dq_months ORDER BY month").fetchall())
    prefectures = tuple(
        r[0]
        for r in con.execute(
            "SELECT prefecture FROM ref_prefectures ORDER BY TRY_CAST(prefecture_no AS INTEGER), prefecture"
        ).fetchall()
    )
    device_rows = con.execute("SELECT coalesce(sum(samples), 0) FROM dq_device_months").fetchall()[0][0]
    return RunContext(
        now=now,
        months=months,
        prefectures=prefectures,
        has_contractor_assignment=bool(pairs),
        device_metric_rows=int(device_rows),
    )


def cleanup(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("dq_device_months", "dq_months", "dq_contractor_months", "dq_ref_contractor_prefectures"):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
