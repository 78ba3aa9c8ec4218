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

Two more modes serve `daiwei national` (docs/decisions.md 99):

* `--lake DIR --province NAME --spark-dir D`: the province's partitions of a lake written by
  `daiwei export-raw`, as the same source tables (an external table per dataset over its
  folder, read recursively, and a view of the warehouse's table name and column names);
* `--national --spark-dir D --build NAME=DIR ...`: each province's own Spark build (its
  --spark-dir) as the sources of models/national (schema national_sources): one view per
  table, the union of the provinces' with the province's name first.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

SCHEMAS = ("raw", "audit", "appdb")
# Run bookkeeping of the DuckDB warehouse, not a dbt source (docs/decisions.md 91, 100, 102, 104);
# load_plan and file_stats also hold the inbox's paths.
BOOKKEEPING = ("dbt_seeds_loaded", "warehouse_province", "load_plan", "file_stats", "dbt_inputs_built")

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
        "spark.ui.showConsoleProgress": "false",
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


def _session(spark_dir: Path):  # type: ignore[no-untyped-def]
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_conf(spark_dir).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _text(value: str | Path) -> str:
    """A Spark SQL string literal."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def register(spark_dir: Path, tables: dict[tuple[str, str], list[tuple[str, str]]], lake: Path) -> None:
    """CREATE TABLE <schema>.<table> (...) USING parquet LOCATION ... for every dumped table."""
    spark = _session(spark_dir)
    try:
        for schema in SCHEMAS:
            spark.sql(f"create database if not exists {schema}")
        for (schema, table), columns in tables.items():
            spark.sql(f"drop table if exists {schema}.{table}")
            cols = ", ".join(f"`{name}` {kind}" for name, kind in columns)
            spark.sql(f"create table {schema}.{table} ({cols}) using parquet location {_text(lake / schema / table)}")
    finally:
        spark.stop()


# --- a province's partitions of a lake (daiwei export-raw) -------------------------------------------------
LAKE_SCHEMA = "lake_files"  # the external tables over the lake's folders; the sources are views over them
# what the dbt project reads, by lake dataset: an export without one of these is refused (re-export it)
REQUIRED = (
    "load_log",
    "rejects",
    "appdb_appeals",
    "appdb_month_states",
    "appdb_frozen_kpi",
    "appdb_frozen_penalty_items",
    "dq_results",
)


@dataclass(frozen=True)
class LakeTable:
    dataset: str
    table: str  # schema.name in the warehouse
    columns: tuple[tuple[str, str, str], ...]  # (name in the lake, Spark type, name in the warehouse)
    location: Path | None  # None: no rows, no folder


def lake_tables(lake: Path, province: str) -> list[LakeTable]:
    """The datasets of one province's export, from its manifest."""
    folder = lake / f"province={province}"
    manifest_path = folder / "_manifest.json"
    if not manifest_path.is_file():
        raise SystemExit(f"{folder}: 数据湖中没有这个省份的导出 / no export of this province in the lake")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    datasets = manifest["datasets"]
    missing = [d for d in REQUIRED if d not in datasets]
    if missing:
        raise SystemExit(
            f"{folder}: 导出缺少 {', '.join(missing)}，请用当前版本重新导出 / the export lacks {', '.join(missing)}: "
            "export it again with this version (daiwei export-raw)"
        )
    out = []
    for dataset, entry in sorted(datasets.items()):
        columns = tuple((c["name"], spark_type(c["type"]), c.get("source", c["name"])) for c in entry["columns"])
        location = folder / f"dataset={dataset}"
        out.append(
            LakeTable(dataset, entry["table"], columns, location if entry["rows"] and location.is_dir() else None)
        )
    return out


def register_lake(spark_dir: Path, tables: list[LakeTable]) -> None:
    """An external table per dataset over its folder (every month partition, read recursively: the month is
    the rows' own column already), and the warehouse's table as a view with the warehouse's column names."""
    spark = _session(spark_dir)
    try:
        for schema in {LAKE_SCHEMA, *(t.table.split(".")[0] for t in tables)}:
            spark.sql(f"create database if not exists {schema}")
        for t in tables:
            files = f"{LAKE_SCHEMA}.{t.dataset}"
            cols = ", ".join(f"`{name}` {kind}" for name, kind, _ in t.columns)
            spark.sql(f"drop view if exists {t.table}")
            spark.sql(f"drop table if exists {files}")
            if t.location is None:  # an empty table: nothing to read, the same columns
                spark.sql(f"create table {files} ({cols}) using parquet")
            else:
                spark.sql(
                    f"create table {files} ({cols}) using parquet options (recursiveFileLookup 'true') "
                    f"location {_text(t.location)}"
                )
            named = ", ".join(f"`{name}` as `{source}`" for name, _, source in t.columns)
            spark.sql(f"create view {t.table} as select {named} from {files}")
    finally:
        spark.stop()


# --- the provinces' builds as the national sources ----------------------------------------------------------
NATIONAL_SCHEMA = "national_sources"
# source table -> the province build's table (its Spark warehouse folder)
NATIONAL_TABLES = {
    "province_kpi": "marts.fct_kpi",
    "province_kpi_measures": "intermediate.int_kpi_measures",
    "province_contractor_months": "intermediate.int_contractor_months_scored",
}


def register_national(spark_dir: Path, builds: list[tuple[str, Path]]) -> None:
    """p<i>.<table> over each province build's files; national_sources.<source> = their union, province first."""
    spark = _session(spark_dir)
    try:
        spark.sql(f"create database if not exists {NATIONAL_SCHEMA}")
        for source, table in NATIONAL_TABLES.items():
            schema, name = table.split(".")
            parts = []
            for i, (province, build_dir) in enumerate(builds):
                spark.sql(f"create database if not exists p{i}")
                spark.sql(f"drop table if exists p{i}.{name}")
                location = build_dir / "warehouse" / f"{schema}.db" / name
                spark.sql(f"create table p{i}.{name} using parquet location {_text(location)}")
                parts.append(f"select {_text(province)} as province, * from p{i}.{name}")
            spark.sql(f"create or replace view {NATIONAL_SCHEMA}.{source} as {' union all '.join(parts)}")
    finally:
        spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spark-dir", type=Path, required=True, help="var daiwei_spark_dir of the dbt run")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--warehouse", type=Path, help="the DuckDB warehouse file")
    mode.add_argument("--lake", type=Path, help="a lake written by daiwei export-raw (with --province)")
    mode.add_argument("--national", action="store_true", help="the provinces' builds (with --build NAME=DIR ...)")
    parser.add_argument("--province", help="the province whose partitions --lake registers")
    parser.add_argument("--build", action="append", default=[], metavar="NAME=DIR", help="a province's --spark-dir")
    args = parser.parse_args()
    spark_dir = args.spark_dir.resolve()
    if args.lake is not None:
        if not args.province:
            parser.error("--lake needs --province")
        tables = lake_tables(args.lake.resolve(), args.province)
        register_lake(spark_dir, tables)
        print(f"{len(tables)} lake tables of {args.province} registered in {spark_dir}")
        return
    if args.national:
        builds = [(name, Path(folder).resolve()) for name, _, folder in (b.partition("=") for b in args.build)]
        if not builds or any(not name or not folder.is_dir() for name, folder in builds):
            parser.error("--national needs --build NAME=DIR for each province (an existing folder)")
        register_national(spark_dir, builds)
        print(f"{len(builds)} province builds registered in {spark_dir}")
        return
    lake = spark_dir / "sources"
    shutil.rmtree(lake, ignore_errors=True)
    tables = dump_sources(args.warehouse.resolve(), lake)
    register(spark_dir, tables, lake)
    print(f"{len(tables)} source tables registered in {spark_dir}")


if __name__ == "__main__":
    main()
