"""The same dbt project on Spark gives the same numbers as on DuckDB (spec/scale.md item 3).

The demo delivery is built by `daiwei run` (DuckDB, the session fixture `demo_run`); its
source tables are registered in a local Spark metastore (`dbt_project/scripts/spark_sources.py`)
and every seed and model is built again by dbt-spark (session method, PySpark local). Spark's
tables are then read back and written by the very functions `daiwei export` uses: the KPI
table and the ten-areas table must be byte for byte the DuckDB build's, and so must every
penalty item (values and column types).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from reporting import exports

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "dbt_project"
MARTS = ("fct_kpi", "mart_area_export", "fct_penalty_items")


def _dbt(args: list[str], spark_dir: Path, work: Path) -> subprocess.CompletedProcess:
    variables = json.dumps({"daiwei_spark_dir": str(spark_dir)})
    return subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), *args, "--target", "spark", "--profiles-dir", str(PROJECT)]
        + ["--target-path", str(work / "target"), "--log-path", str(work / "logs"), "--vars", variables],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=2400,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )


@pytest.fixture(scope="module")
def spark_build(demo_run: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Spark's warehouse directory after `dbt build` of every seed and model."""
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    work = tmp_path_factory.mktemp("spark")
    spark_dir = work / "spark"
    sources = subprocess.run(
        [sys.executable, str(PROJECT / "scripts" / "spark_sources.py")]
        + ["--warehouse", str(demo_run["wh"]), "--spark-dir", str(spark_dir)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert sources.returncode == 0, sources.stdout[-2000:] + sources.stderr[-4000:]
    build = _dbt(["build", "--resource-type", "seed", "--resource-type", "model"], spark_dir, work)
    assert build.returncode == 0, build.stdout[-6000:]
    results = json.loads((work / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    built = {r["unique_id"].split(".")[0] for r in results if r["status"] == "success"}
    assert built == {"seed", "model"}
    return spark_dir / "warehouse"


@pytest.fixture(scope="module")
def spark_marts(spark_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Spark build's marts, as tables of a DuckDB file the exports can read."""
    path = tmp_path_factory.mktemp("spark_marts") / "spark_marts.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts")
    for table in MARTS:
        files = sorted(str(p) for p in (spark_build / "marts.db" / table).glob("*.parquet"))
        assert files, f"Spark wrote no files for marts.{table}"
        con.execute(f"CREATE TABLE marts.{table} AS SELECT * FROM read_parquet(?)", [files])
    con.close()
    return path


def _written(table: exports.Table, out: Path) -> bytes:
    exports.write_table(table, out)
    return out.read_bytes()


@pytest.mark.parametrize("name", ["kpi_table", "areas_table"])
def test_spark_export_equals_duckdb_byte_for_byte(name: str, demo_run: dict, spark_marts: Path, tmp_path) -> None:
    make = getattr(exports, name)
    duck = duckdb.connect(str(demo_run["wh"]), read_only=True)
    spark = duckdb.connect(str(spark_marts), read_only=True)
    try:
        expected, got = make(duck), make(spark)
    finally:
        duck.close()
        spark.close()
    assert len(expected.rows) > 100
    missing = sorted(set(map(tuple, expected.rows)) - set(map(tuple, got.rows)))[:5]
    extra = sorted(set(map(tuple, got.rows)) - set(map(tuple, expected.rows)))[:5]
    assert not missing and not extra, f"DuckDB only: {missing}; Spark only: {extra}"
    assert _written(got, tmp_path / "spark.csv") == _written(expected, tmp_path / "duckdb.csv")


def test_spark_penalty_items_equal_duckdb(demo_run: dict, spark_marts: Path) -> None:
    duck = duckdb.connect(str(demo_run["wh"]), read_only=True)
    spark = duckdb.connect(str(spark_marts), read_only=True)
    try:
        kinds = duck.execute("DESCRIBE marts.fct_penalty_items").fetchall()
        assert [k[:2] for k in spark.execute("DESCRIBE marts.fct_penalty_items").fetchall()] == [k[:2] for k in kinds]
        columns = ", ".join(f'"{k[0]}"' for k in kinds)
        sql = f"SELECT {columns} FROM marts.fct_penalty_items ORDER BY ALL"
        expected, got = duck.execute(sql).fetchall(), spark.execute(sql).fetchall()
    finally:
        duck.close()
        spark.close()
    assert expected, "the demo has penalty items"
    assert got == expected


def test_run_bookkeeping_stays_out_of_spark(demo_run: dict, spark_build: Path) -> None:
    """The warehouse's own bookkeeping (which seeds and inputs a build had, the inbox's paths and
    stats) is not a dbt source: it is not copied to Spark's sources."""
    sources = spark_build.parent / "sources"
    con = duckdb.connect(str(demo_run["wh"]), read_only=True)
    try:
        audit = {
            r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'audit'").fetchall()
        }
    finally:
        con.close()
    bookkeeping = {"dbt_seeds_loaded", "warehouse_province", "load_plan", "file_stats", "dbt_inputs_built"}
    assert bookkeeping <= audit, "the demo run writes every bookkeeping table"
    copied = {p.name for p in (sources / "audit").iterdir()}
    assert copied and not copied & bookkeeping and {"load_log", "rejects", "dq_results"} <= copied
