"""Run the suites on an open warehouse connection and store the results.

The same entry point serves the Dagster asset check (on the run's build copy),
the tests (on a file loaded with `load_folder`) and a manual run:

    uv run python -m quality.runner --warehouse data/warehouse.duckdb [--suite ledger_vs_eoms]

Order of work: prepare the connection (UDFs, reference lists), aggregate the
device metrics once in DuckDB, build the run context (month spine, contractor
months), then for each suite and batch fetch one frame (through Arrow: `frames.py`),
validate it with GE, split the results, and finally replace this run's rows in
`audit.dq_results`.
Frames are fetched one at a time and dropped after validation, so memory is
bounded by the largest frame (never the device-metrics table).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from core.settings import DEFAULT_PROVINCE
from ingestion.loader import prepare_connection
from quality import device_suite, frames, gx_engine, reference, storage
from quality.catalog import SUITE_NAMES, SUITES
from quality.results import Result, split

log = logging.getLogger(__name__)

# DuckDB memory while the suites run (its buffer cache would otherwise grow to the writer's 3 GB
# while scanning 100 M device-metric rows); restored afterwards. Larger aggregates spill to disk.
DQ_MEMORY = os.environ.get("DAIWEI_DQ_MEMORY", "384MB")


@dataclass
class SuiteRun:
    name: str
    asset: str
    check_name: str
    results: list[Result] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class RunReport:
    run_id: str
    evaluated_at: datetime
    suites: list[SuiteRun]
    seconds: float = 0.0

    @property
    def results(self) -> list[Result]:
        return [r for s in self.suites for r in s.results]

    def for_check(self, asset: str, check_name: str) -> list[Result]:
        """The results a Dagster asset check (asset, check name) reports."""
        return [r for s in self.suites if s.asset == asset and s.check_name == check_name for r in s.results]


def months_filter(sql: str, months: Collection[str], month_of: str | None = None) -> str:
    """The batch's rows of `months` ('YYYY-MM'); with `month_of` (the column whose month is `month`) also
    that column within the months' overall range, a filter DuckDB checks against each row group's
    min/max. The month test stays, so the rows are exactly those of the months, ranges or not."""
    out = f"SELECT * FROM ({sql}) AS b WHERE b.month IN ({reference.quoted_months(months)})"
    in_range = None if month_of is None else reference.month_range(f'b."{month_of}"', months)
    return out if in_range is None else f"{out} AND {in_range}"


def run_suites(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    *,
    suites: Sequence[str] | None = None,
    now: datetime | None = None,
    store: bool = True,
    months: Collection[str] | None = None,
    province: str = DEFAULT_PROVINCE,
) -> RunReport:
    """Validate the raw tables on `con`; store the results under `run_id` unless store=False.

    `province`: the warehouse's province, whose rows of the reference seeds the checks read.

    `months` ('YYYY-MM'): validate the per-month batches only for these months (the months a
    run loaded rows for), so a run that adds one month does not re-validate the year, and draw
    the province-wide device sample from those months' samples only (decision 107); batches
    without a month (the registers) always run. None: every month.
    """
    unknown = sorted(set(suites or ()) - set(SUITE_NAMES))
    if unknown:
        raise ValueError(f"unknown suite(s): {', '.join(unknown)}; known: {', '.join(SUITE_NAMES)}")
    started = time.perf_counter()
    now = (now or datetime.now()).replace(microsecond=0)
    selected = [sd for sd in SUITES if suites is None or sd.name in suites]
    prepare_connection(con, province=province)
    runs: list[SuiteRun] = []
    memory = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    con.execute(f"SET memory_limit = '{DQ_MEMORY}'")
    try:
        device_suite.aggregate(con)
        ctx = reference.prepare(con, now, province, sample_months=months)
        for sd in selected:
            t0 = time.perf_counter()
            run = SuiteRun(sd.name, sd.asset, sd.check_name)
            for batch in sd.suite(ctx).batches:
                sql = batch.sql
                if months is not None and "month" in batch.grain:
                    if not months:
                        continue
                    sql = months_filter(sql, months, batch.month_of)
                frame = frames.fetch(con, sql)
                if len(frame) == 0:
                    continue
                outcomes = gx_engine.validate(frame, batch.checks, f"{sd.name}.{batch.name}")
                run.results.extend(split(sd.name, batch, frame, outcomes))
                del frame
            run.seconds = time.perf_counter() - t0
            log.info("suite %s: %d results in %.2f s", sd.name, len(run.results), run.seconds)
            runs.append(run)
    finally:
        reference.cleanup(con)
        con.execute(f"SET memory_limit = '{memory}'")
    report = RunReport(run_id, now, runs)
    dupes = [
        k for k, n in Counter((r.suite, r.expectation, r.contractor, r.month) for r in report.results).items() if n > 1
    ]
    if dupes:
        raise AssertionError(f"duplicate result keys: {dupes[:3]}")
    if store:
        storage.save(con, run_id, report.results, now)
    report.seconds = time.perf_counter() - started
    return report


def main(argv: Sequence[str] | None = None) -> int:
    from core.settings import Settings
    from core.warehouse import warehouse_path, writer_config

    parser = argparse.ArgumentParser(description="Run the data-quality suites on a warehouse file.")
    parser.add_argument("--warehouse", default=None, help="DuckDB file (default: $DAIWEI_WAREHOUSE or data/...)")
    parser.add_argument("--run-id", default=None, help="run id to store the results under (default: manual-<time>)")
    parser.add_argument("--suite", action="append", choices=SUITE_NAMES, help="only this suite (repeatable)")
    parser.add_argument("--no-store", action="store_true", help="validate only, do not write audit.dq_results")
    parser.add_argument("--province", default=None, help="the warehouse's province (default: $DAIWEI_PROVINCE or 贵州)")
    args = parser.parse_args(argv)
    province = Settings.load(province=args.province).province
    run_id = args.run_id or "manual-" + datetime.now().strftime("%Y%m%dT%H%M%S")
    con = duckdb.connect(str(warehouse_path(args.warehouse)), config=writer_config())
    try:
        report = run_suites(con, run_id, suites=args.suite, store=not args.no_store, province=province)
    finally:
        con.close()
    for s in report.suites:
        failed = [r for r in s.results if not r.success]
        print(f"{s.name:24} {len(s.results):5} results {len(failed):4} failed {s.seconds:6.2f} s")
    print(f"run {run_id}: {len(report.results)} results in {report.seconds:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
