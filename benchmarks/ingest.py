"""Loading device metrics through `daiwei run`, next to a raw DuckDB CTAS of the same file.

    uv run python benchmarks/ingest.py [--sizes 10M,100M] [--work data/bench]

For each size it writes (once) a Parquet file of hourly device metrics, then in
the same run measures, each in a fresh process:

* baseline: `CREATE TABLE t AS SELECT * FROM read_parquet(file)` in raw DuckDB;
* `daiwei run --input <folder with only that file>` into a new warehouse: the whole
  run (Dagster, loading with validation and rejects, the dbt build, publishing),
  and, from the run's step timings, the load step alone (`raw_tables`: this delivery holds only device metrics).

It prints wall time, rows/s and peak RSS (whole process tree, sampled) of each,
and the ratio baseline time / daiwei time (1.0 = as fast as raw DuckDB).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import run_measured

SIZES = {"1M": 1_000_000, "10M": 10_000_000, "20M": 20_000_000, "100M": 100_000_000}
HOURS = {"1M": 720, "10M": 720, "20M": 720, "100M": 8760}


def ensure_parquet(folder: Path, label: str) -> tuple[Path, int]:
    from demo_data import write_device_metrics

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"device_metrics_bench_{label}.parquet"
    hours = HOURS[label]
    n_devices = -(-SIZES[label] // hours)
    if not path.exists():
        write_device_metrics(path, n_devices, dt.datetime(2025, 11, 1), hours, seed=11)
    import pyarrow.parquet as pq

    return path, pq.ParquetFile(path).metadata.num_rows


def step_seconds(log: Path, step: str) -> float | None:
    """The step's duration from the last run line `daiwei run` wrote to its log."""
    lines = [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if " steps: " in ln]
    if not lines:
        return None
    m = re.search(rf"{step} ([0-9.]+)s", lines[-1])
    return float(m.group(1)) if m else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10M,100M")
    ap.add_argument("--work", default="data/bench")
    args = ap.parse_args()
    work = Path(args.work).resolve()
    py = sys.executable
    rows_out = []
    for label in args.sizes.split(","):
        base = work / f"ingest_{label}"
        parquet, rows = ensure_parquet(base / "in", label)
        for stale in ("baseline.duckdb", "wh"):
            p = base / stale
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)
        ctas = (
            f"import duckdb; c = duckdb.connect(r'{base / 'baseline.duckdb'}'); "
            f"c.execute(\"CREATE TABLE t AS SELECT * FROM read_parquet('{parquet}')\"); c.close()"
        )
        b = run_measured([py, "-c", ctas])
        wh = base / "wh" / "warehouse.duckdb"
        d = run_measured([py, "-m", "cli.main", "run", "--input", str(base / "in"), "--warehouse", str(wh)])
        load = step_seconds(wh.parent / "logs" / "daiwei-run.log", "raw_tables")
        rows_out.append((label, rows, b, d, load))
        print(
            f"[{label}] baseline {b.seconds:.1f}s, daiwei run {d.seconds:.1f}s (exit {d.returncode}), "
            f"load step {load}s",
            flush=True,
        )

    print()
    print(
        "| rows | raw DuckDB CTAS | rows/s | peak RSS | `daiwei run` total | load step | rows/s (load) "
        "| peak RSS | ratio (load) | ratio (whole run) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for _label, rows, b, d, load in rows_out:
        load_s = load or float("nan")
        print(
            f"| {rows:,} | {b.seconds:.1f} s | {rows / b.seconds:,.0f} | {b.peak_rss_gib:.2f} GiB "
            f"| {d.seconds:.1f} s | {load_s:.1f} s | {rows / load_s:,.0f} | {d.peak_rss_gib:.2f} GiB "
            f"| {b.seconds / load_s:.2f} | {b.seconds / d.seconds:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
