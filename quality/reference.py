"""What every suite of a run shares: the reference lists, the month spine and "now".

The rules behind them are written once, in dbt, and read here from the warehouse
the run builds (the data-quality step runs after the dbt models it reads):

* `dq_ref_prefectures`, `dq_ref_counties` (TEMP): the reference seeds
  `ref.ref_prefectures`, `ref.ref_counties`, the rows of the run's province (the
  seeds hold every province's rows, keyed by their column `province`).
* `dq_ref_contractor_prefectures` (TEMP): seed `ref.ref_contractor_prefectures`,
  the contractor -> prefecture assignment of the run's province. It is
  documentation for the KPIs, so here it only raises warnings ("this record's
  prefecture is not one its contractor maintains"); a province without rows
  there switches those checks off.
* `dq_months` (TEMP): the month spine of kpis.md edge rule 2, model `int_months`,
  with first and last day and the 'YYYY-MM' label used in `audit.dq_results.month`.
* `dq_device_months` (TEMP, quality/device_suite.py): the device-months of model
  `int_device_months_aggregated`.
* `dq_circuit_months` (TEMP): the EOMS circuits in service at each month end
  (edge rule 8), model `int_circuit_months_in_service`.
* `dq_contractor_months` (TEMP): the (contractor, month) pairs of those circuits:
  the deliveries each such contractor owes that month.

TEMP tables vanish with the connection and never reach the published file.
`now` bounds "not in the future" checks. It is the evaluation time, so those
checks are shown as `now+1d` in expectation names, which stay stable run to run.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from core.settings import DEFAULT_PROVINCE

SPINE = "intermediate.int_months"
IN_SERVICE = "intermediate.int_circuit_months_in_service"
DEVICE_MONTHS = "intermediate.int_device_months_aggregated"
HEALTH = "ref.health_thresholds"
# The ping size device_health_rate assesses (seed health_thresholds), as SQL.
ASSESSED_PING_SIZE = f"(SELECT CAST(threshold AS INTEGER) FROM {HEALTH} WHERE metric = 'ping_size_bytes')"
PREFECTURES, COUNTIES, ASSIGNMENT = "ref.ref_prefectures", "ref.ref_counties", "ref.ref_contractor_prefectures"
# The run's province's rows of those seeds (TEMP tables made by `prepare`): what the checks read,
# as (seed, columns kept, columns that must not be blank).
PROVINCE_TABLES = {
    "dq_ref_prefectures": (PREFECTURES, "prefecture_no, prefecture", ("prefecture",)),
    "dq_ref_counties": (COUNTIES, "prefecture, county", ("prefecture", "county")),
    "dq_ref_contractor_prefectures": (ASSIGNMENT, "contractor, prefecture", ("contractor", "prefecture")),
}


@dataclass(frozen=True)
class RunContext:
    now: datetime
    months: tuple[str, ...]
    prefectures: tuple[str, ...]
    has_contractor_assignment: bool
    device_metric_rows: int  # samples of the sampled months (sample_months), every month's when None
    assessed_ping_size: int  # seed health_thresholds: the ping size device_health_rate judges
    # The months ('YYYY-MM') a run validates: those it loaded (runner.run_suites' `months`), or every
    # month when None. The province-wide device sample draws from them (decision 107), and the
    # month batches read only their range of the raw rows (`rows_of_months`, decision 117).
    sample_months: tuple[str, ...] | None = None

    def rows_of_months(self, table: str, column: str) -> str:
        """`table` for a FROM clause: only its rows with `column` in the overall range of the months
        this run validates (`sample_months`), or all of them. The runner still keeps exactly those
        months' rows (`runner.months_filter`); filtering here, on the table itself, lets DuckDB skip
        the other months' row groups before the batch's joins and correlated subqueries, above which
        it does not push the runner's filter (a year of tickets joined, then one month kept)."""
        in_range = None if self.sample_months is None else month_range(column, self.sample_months)
        return table if in_range is None else f"(SELECT * FROM {table} WHERE {in_range})"


def month_label(expr: str) -> str:
    """'YYYY-MM' of a DATE/TIMESTAMP expression."""
    return f"strftime({expr}, '%Y-%m')"


def quoted_months(months: Collection[str]) -> str:
    """The months as an SQL list of string literals, sorted."""
    return ", ".join("'" + m.replace("'", "''") + "'" for m in sorted(months))


def month_range(expr: str, months: Collection[str]) -> str | None:
    """`expr` (a DATE/TIMESTAMP) within the overall range of `months` ('YYYY-MM'): a filter DuckDB
    checks against each row group's min/max. None when there is no month or one is not 'YYYY-MM'."""
    try:
        starts = sorted(date.fromisoformat(m + "-01") for m in months)
    except ValueError:
        return None
    if not starts:
        return None
    last = starts[-1]
    end = date(last.year + last.month // 12, last.month % 12 + 1, 1)
    return f"{expr} >= '{starts[0].isoformat()}' AND {expr} < '{end.isoformat()}'"


def month_start(expr: str) -> str:
    return f"CAST(date_trunc('month', {expr}) AS DATE)"


def county_in_prefecture(t: str = "t") -> str:
    """Same rule as the loader's (ingestion.datasets.COUNTY_IN_PREFECTURE); NULL when no county."""
    return (
        f"CASE WHEN {t}.county IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM dq_ref_counties rc "
        f"WHERE rc.county = {t}.county AND ({t}.prefecture IS NULL OR rc.prefecture = {t}.prefecture)) END"
    )


def contractor_covers_prefecture(t: str = "t") -> str:
    """NULL when either side is blank; true when the assignment seed pairs them."""
    return (
        f"CASE WHEN {t}.contractor IS NULL OR {t}.prefecture IS NULL THEN NULL ELSE EXISTS ("
        f"SELECT 1 FROM dq_ref_contractor_prefectures cp WHERE cp.contractor = {t}.contractor "
        f"AND cp.prefecture = {t}.prefecture) END"
    )


def prepare(
    con: duckdb.DuckDBPyConnection,
    now: datetime,
    province: str = DEFAULT_PROVINCE,
    sample_months: Collection[str] | None = None,
) -> RunContext:
    """Create the run's TEMP tables from the dbt models and seeds of the warehouse on `con`.

    Expects `ingestion.loader.prepare_connection` to have run on `con` (the UDFs) and
    `dq_device_months` to exist (device_suite.aggregate). The reference lists are the rows of
    `province`: a prefecture or county of another province is not one of this warehouse's.
    `sample_months`: the months the device sample draws from (None: every month).
    """
    for temp, (seed, columns, required) in PROVINCE_TABLES.items():
        present = " AND ".join(f"{c} IS NOT NULL" for c in required)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {temp} AS SELECT DISTINCT {columns} FROM {seed} "
            f"WHERE province = $province AND {present}",
            {"province": province},
        )
    pairs = con.execute("SELECT count(*) FROM dq_ref_contractor_prefectures").fetchall()[0][0]
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dq_months AS
        SELECT month AS month_start, month_end_on AS month_end, month_label AS month
        FROM {SPINE} ORDER BY month
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dq_circuit_months AS
        SELECT month_label AS month, s.month AS month_start, s.month_end_on AS month_end,
            c.circuit_id, c.contractor, c.prefecture
        FROM {IN_SERVICE} c JOIN {SPINE} s USING (month)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dq_contractor_months AS
        SELECT DISTINCT contractor, month, month_start, month_end
        FROM dq_circuit_months WHERE contractor IS NOT NULL
        """
    )
    months = tuple(r[0] for r in con.execute("SELECT month FROM dq_months ORDER BY month").fetchall())
    prefectures = tuple(
        r[0]
        for r in con.execute(
            "SELECT prefecture FROM dq_ref_prefectures ORDER BY TRY_CAST(prefecture_no AS INTEGER), prefecture"
        ).fetchall()
    )
    sampled = None if sample_months is None else tuple(sorted(set(sample_months)))
    device_rows = con.execute(
        "SELECT coalesce(sum(samples), 0) FROM dq_device_months"
        + ("" if sampled is None else f" WHERE {month_label('month_start')} IN (SELECT unnest($months))"),
        {} if sampled is None else {"months": list(sampled)},
    ).fetchall()[0][0]
    ping_size = con.execute(f"SELECT {ASSESSED_PING_SIZE}").fetchall()[0][0]
    return RunContext(
        now=now,
        months=months,
        prefectures=prefectures,
        has_contractor_assignment=bool(pairs),
        device_metric_rows=int(device_rows),
        assessed_ping_size=int(ping_size),
        sample_months=sampled,
    )


def cleanup(con: duckdb.DuckDBPyConnection) -> None:
    for table in (
        "dq_device_months",
        "dq_months",
        "dq_circuit_months",
        "dq_contractor_months",
        *PROVINCE_TABLES,
    ):
        con.execute(f"DROP TABLE IF EXISTS temp.{table}")
