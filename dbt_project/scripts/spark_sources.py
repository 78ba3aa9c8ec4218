"""Register a DuckDB warehouse's source tables in a local Spark metastore.

The dbt project's sources (raw.*, audit.*, appdb.*) are written by Python into the DuckDB
warehouse. For a build on Spark (profile target `spark`, docs/decisions.md 94) each one is
copied to Parquet with DuckDB's COPY and registered as an external table of the same
schema and name, with the column types spelled out (DuckDB type -> Spark type below), so
that Spark reads exactly the values DuckDB reads:

    uv run --frozen python dbt_project/scripts/spark_sources.py \
        --warehouse /tmp/sp/wh.duckdb --spark-dir /tmp/sp/spark
    cd dbt_project && uv run --frozen dbt build --target spark \
        --vars '{daiwei_spark_dir: /tmp/sp/spark}' ...

The Spark settings are those of the profile's `spark` output (the same warehouse
directory and Derby metastore under --spark-dir). Derby admits one process at a time:
run this before dbt, not beside it. (The lake of a province's delivery, partitioned by
province / dataset / month, is `daiwei export-raw`; this is the test-and-benchmark path
from one warehouse file.)
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import duckdb

SCHEMAS = ("raw", "audit", "appdb")
# Run bookkeeping of the DuckDB warehouse, not a dbt source (docs/decisions.md 91).
BOOKKEEPING = ("dbt_seeds_loaded",)

# DuckDB column type -> Spark SQL type. Anything else (HUGEINT, UBIGINT, LIST, STRUCT,
# TIMESTAMP WITH TIME ZONE, ...) is refused rather than guessed: no source has one today.
_SIMPLE = {
    "VARCHAR": "string",
    "BIGINT": "bigint",
    "INTEGER": "int",
    "SMALLINT": "smallint",
    "BOOLEAN": "boolean",
    "DOUBLE": "double",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")


def spark_type(duckdb_type: str) -> str:
    """The Spark type that reads a DuckDB column's Parquet values unchanged."""
    if duckdb_type in _SIMPLE:
        return _SIMPLE[duckdb_type]
    decimal = _DECIMAL.fullmatch(duckdb_type.replace(" ", ""))
    if decimal:
        return f"decimal({decimal.group(1)},{decimal.group(2)})"
    raise ValueError(f"no Spark type for DuckDB type {duckdb_type}")


def spark_conf(spark_dir: Path, driver_memory: str = "4g") -> dict[str, str]:
    """The settings of profiles.yml output `spark` for one directory."""
    url = f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true"
    return {
        "spark.master": "local[2]",
        "spark.ui.enabled": "false",
        "spark.driver.memory": driver_memory,
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "4",
        "spark.sql.warehouse.dir": f"{spark_dir}/warehouse",
        "spark.sql.catalogImplementation": "hive",
        "spark.hadoop.javax.jdo.option.ConnectionURL": url,
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={spark_dir}",
        "spark.sql.ansi.enabled": "false",  # as dbt-spark sets it
    }


def dump_sources(warehouse: Path, lake: Path) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """COPY every source table to lake/<schema>/<table>/; returns the columns per table."""
    tables: dict[tuple[str, str], list[tuple[str, str]]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select table_schema, table_name, column_name, data_type from information_schema.columns"
            " where table_schema in ('raw', 'audit', 'appdb') and not (table_schema = 'audit' and table_name in"
            f" ({', '.join(repr(t) for t in BOOKKEEPING)})) order by table_schema, table_name, ordinal_position"
        ).fetchall()
        for schema, table, column, data_type in rows:
            tables.setdefault((schema, table), []).append((column, spark_type(data_type)))
        for schema, table in tables:
            target = lake / schema / table
            target.mkdir(parents=True, exist_ok=True)
            con.execute(f"copy {schema}.{table} to '{target}/part-0.parquet' (format parquet)")
    return tables


def register(spark_dir: Path, tables: dict[tuple[str, str], list[tuple[str, str]]], lake: Path) -> None:
    """CREATE TABLE <schema>.<table> (...) USING parquet LOCATION ... for every dumped table."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_conf(spark_dir).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        for schema in SCHEMAS:
            spark.sql(f"create database if not exists {schema}")
        for (schema, table), columns in tables.items():
            spark.sql(f"drop table if exists {schema}.{table}")
            cols = ", ".join(f"`{name}` {kind}" for name, kind in columns)
            spark.sql(f"create table {schema}.{table} ({cols}) using parquet location '{lake / schema / table}'")
    finally:
        spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="the DuckDB warehouse file")
    parser.add_argument("--spark-dir", type=Path, required=True, help="var daiwei_spark_dir of the dbt run")
    args = parser.parse_args()
    spark_dir = args.spark_dir.resolve()
    lake = spark_dir / "sources"
    shutil.rmtree(lake, ignore_errors=True)
    tables = dump_sources(args.warehouse.resolve(), lake)
    register(spark_dir, tables, lake)
    print(f"{len(tables)} source tables registered in {spark_dir}")


if __name__ == "__main__":
    main()
