"""A demo-sized delivery through `daiwei run` into a new warehouse, next to a raw load of the same files.

    uv run python benchmarks/demo_run.py [--work data/bench/demo] [--repeat 3]

1. Writes (once) the demo delivery (`daiwei demo-data`: 3 months, ~60 files, ~40 k rows).
2. Baseline in the same run, in a fresh process: every CSV, Parquet and Excel file of the
   delivery read into its own DuckDB table (DuckDB's CSV and Parquet readers, polars'
   calamine reader for .xlsx), nothing checked — the cost of merely loading the rows.
3. `--repeat` times: `daiwei run` on the delivery into a new warehouse (Dagster start-up,
   loading with validation and rejects, the dbt build, the data-quality suites, publishing).
4. Once more on the same warehouse with nothing new: the fixed cost of a run.

Prints wall time and peak RSS (whole process tree) of each, the median, the per-step
times of the median run and the ratio to the target (<= 20 s).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measured, row, run_measured, steps

RAW = """
import sys
from pathlib import Path
import duckdb, polars as pl
con = duckdb.connect(sys.argv[2])
rows = 0
for i, f in enumerate(sorted(Path(sys.argv[1]).rglob("*"))):
    if not f.is_file():
        continue
    name = f"t{i}"
    try:
        if f.suffix == ".parquet":
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?)", [str(f)])
        elif f.suffix == ".csv":
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv(?, all_varchar=true)", [str(f)])
        elif f.suffix == ".xlsx":
            frame = pl.read_excel(f, infer_schema_length=0)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
        else:
            continue
    except Exception as exc:  # the delivery holds broken files on purpose
        print(f"skipped {f.name}: {type(exc).__name__}", file=sys.stderr)
        continue
    rows += con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
print(rows)
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="data/bench/demo")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = Path(args.work).resolve()
    delivery = work / "delivery"
    if not (work / "delivery.manifest.json").exists():
        from demo_data import generate

        generate(delivery)
    py = sys.executable
    raw_db = work / "raw.duckdb"
    raw_db.unlink(missing_ok=True)
    raw = run_measured([py, "-c", RAW, str(delivery), str(raw_db)], log=work / "raw.log")
    runs: list[tuple[Measured, str]] = []
    for i in range(args.repeat):
        wh = work / f"wh{i}" / "warehouse.duckdb"
        shutil.rmtree(wh.parent, ignore_errors=True)
        m = run_measured([py, "-m", "cli.main", "run", "--input", str(delivery), "--warehouse", str(wh)])
        runs.append((m, steps(wh.parent / "logs" / "daiwei-run.log")))
    wh = work / "wh0" / "warehouse.duckdb"
    again = run_measured([py, "-m", "cli.main", "run", "--input", str(delivery), "--warehouse", str(wh)])
    again_steps = steps(wh.parent / "logs" / "daiwei-run.log")
    ordered = sorted(runs, key=lambda r: r[0].seconds)
    median_steps = ordered[len(ordered) // 2][1]

    files = sum(1 for f in delivery.rglob("*") if f.is_file())
    print(f"demo delivery: {files} files")
    print("| step | wall time | peak RSS | exit |")
    print("|---|---|---|---|")
    print(row("raw load of the same files (DuckDB / polars, nothing checked)", raw))
    for i, (m, _) in enumerate(runs):
        print(row(f"`daiwei run` into a new warehouse, run {i + 1}", m))
    print(row("`daiwei run` again, nothing new", again))
    print()
    seconds = [m.seconds for m, _ in runs]
    print(f"median of {len(runs)}: {statistics.median(seconds):.1f} s (target <= 20 s); raw load {raw.seconds:.1f} s")
    print(f"steps of the median run: {median_steps}")
    print(f"steps of the run with nothing new: {again_steps}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
