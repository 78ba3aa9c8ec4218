"""Where results live: `audit.dq_results` (every run kept), scored by dbt's `mart_dq_scores`.

They are written into the warehouse the run is building (Dagster: the run's
build copy, published with everything else), so the dashboard reads data
quality from the same file as the KPIs it qualifies. Results of earlier runs
are kept; saving a run again (a retried step) replaces only that run's rows.

dbt's `marts.mart_dq_scores` (a view over source audit.dq_results), one row
per (run, contractor, month):

    score = 100 * passed / evaluated

where *evaluated* counts the result rows of that run for that contractor whose
month is that month, plus the contractor's rows without a month (registers
that hold for every month: EOMS 专线资源, 仪器仪表), and *passed* those with
success = true. Each expectation counts once per batch it ran on, unweighted.
Results with no contractor (province-wide batches such as the device-metrics
sample, or rows whose contractor is blank / unknown to EOMS) are not scored.
`is_latest_run` marks, for each contractor and month, the latest run that
validated that month (a run validates only the months it loaded rows for), the
one the dashboard shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb
import pyarrow as pa

from ingestion.ddl import DQ_RESULT_COLUMNS as RESULT_COLUMNS
from ingestion.ddl import create_dq_results
from quality.results import Result

_ARROW = {
    "VARCHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "TIMESTAMP": pa.timestamp("us"),
}


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create `audit.dq_results` if missing (the loader creates it with the other audit tables)."""
    create_dq_results(con)


def save(con: duckdb.DuckDBPyConnection, run_id: str, results: Sequence[Result], evaluated_at: datetime) -> int:
    """Replace this run's rows with `results` (in the given, deterministic order)."""
    ensure_tables(con)
    rows = {
        "run_id": [run_id] * len(results),
        "suite": [r.suite for r in results],
        "expectation": [r.expectation for r in results],
        "column": [r.column for r in results],
        "contractor": [r.contractor for r in results],
        "month": [r.month for r in results],
        "success": [r.success for r in results],
        "observed_value": [r.observed_value for r in results],
        "element_count": [r.element_count for r in results],
        "unexpected_count": [r.unexpected_count for r in results],
        "unexpected_percent": [r.unexpected_percent for r in results],
        "unexpected_sample": [r.sample_json for r in results],
        "evaluated_at": [evaluated_at] * len(results),
    }
    table = pa.table({n: pa.array(rows[n], type=_ARROW[t]) for n, t in RESULT_COLUMNS})
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM audit.dq_results WHERE run_id = ?", [run_id])
        con.register("dq_results_new", table)
        con.execute("INSERT INTO audit.dq_results SELECT * FROM dq_results_new")
        con.unregister("dq_results_new")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(results)
