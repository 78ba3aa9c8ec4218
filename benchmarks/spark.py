"""The same dbt build on DuckDB and on Spark local, at two data sizes, in one run.

    uv run python benchmarks/spark.py [--work data/bench/spark] [--months 3,12]

For each size (a demo delivery of N months, `daiwei demo-data --months N`):

1. `daiwei run` builds the DuckDB warehouse (loading, the dbt build, the quality suites): the
   source tables both engines read.
2. DuckDB: `dbt build --resource-type seed --resource-type model` on a copy of that warehouse
   (every seed and model, no data tests): the engine's share of a run.
3. Spark local (`local[2]`, dbt-spark session method): the source tables registered as
   external Parquet tables (`dbt_project/scripts/spark_sources.py`), then the same
   `dbt build` with `--target spark`.

Prints wall time, peak RSS (whole process tree, the JVM included) and source rows per second
for each, next to each other. docs/scaling.md records the figures.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measured, row, run_measured

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "dbt_project"
BUILD = ["build", "--resource-type", "seed", "--resource-type", "model", "--profiles-dir", str(PROJECT)]


def source_rows(warehouse: Path) -> int:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'audit', 'appdb') AND table_type = 'BASE TABLE'"
        ).fetchall()
        return sum(con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchall()[0][0] for s, t in tables)
    finally:
        con.close()


def dbt(target: str, variables: dict[str, str], work: Path) -> list[str]:
    return [
        str(Path(sys.executable).parent / "dbt"),
        *BUILD,
        "--target",
        target,
        "--project-dir",
        str(PROJECT),
        "--target-path",
        str(work / f"target_{target}"),
        "--log-path",
        str(work / f"logs_{target}"),
        "--vars",
        json.dumps(variables),
    ]


def one_size(work: Path, months: int) -> list[tuple[str, Measured, int]]:
    py = sys.executable
    delivery = work / "delivery"
    if not (work / "delivery.manifest.json").exists():
        from demo_data import generate

        generate(delivery, months=months)
    wh = work / "warehouse.duckdb"
    if not wh.exists():
        built = run_measured([py, "-m", "cli.main", "run", "--input", str(delivery), "--warehouse", str(wh)])
        if built.returncode not in (0, 1):
            raise SystemExit(f"daiwei run failed ({built.returncode}) for {months} months")
    rows = source_rows(wh)
    copy = work / "duckdb_build.duckdb"
    shutil.copyfile(wh, copy)
    duck = run_measured(dbt("dev", {"daiwei_db_path": str(copy)}, work), log=work / "duckdb.log")
    spark_dir = work / "spark"
    shutil.rmtree(spark_dir, ignore_errors=True)
    register = run_measured(
        [py, str(PROJECT / "scripts" / "spark_sources.py"), "--warehouse", str(wh), "--spark-dir", str(spark_dir)],
        log=work / "spark_sources.log",
    )
    spark = run_measured(dbt("spark", {"daiwei_spark_dir": str(spark_dir)}, work), log=work / "spark.log")
    return [
        (f"{months} months: DuckDB dbt build (seeds + models)", duck, rows),
        (f"{months} months: Spark, registering the sources", register, rows),
        (f"{months} months: Spark dbt build (seeds + models)", spark, rows),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="data/bench/spark")
    ap.add_argument("--months", default="3,12", help="the sizes: months of demo delivery, comma-separated")
    args = ap.parse_args()
    results: list[tuple[str, Measured, int]] = []
    for months in (int(m) for m in args.months.split(",")):
        results += one_size(Path(args.work).resolve() / f"m{months}", months)
    print("| build | wall time | peak RSS | exit | source rows | rows/s |")
    print("|---|---|---|---|---|---|")
    for name, m, rows in results:
        print(f"{row(name, m)} {rows:,} | {rows / m.seconds:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
