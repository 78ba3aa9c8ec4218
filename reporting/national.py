"""The national KPI table (scale.md item 4) as `daiwei national` writes it.

`nat_kpi` is built on Spark (models/national); its Parquet files are read here by DuckDB
and written, like every daiwei export, through `exports.write_table` (UTF-8 with BOM,
exact decimals, no live formula) beside a Parquet copy with every column:

    OUT/national_kpi.csv      province, month, kpi_code, contractor, prefecture,
                              numerator, denominator, value ('' = all, as in the KPI export)
    OUT/national_kpi.parquet  the same rows with grain, target, direction, met, name, unit

A row's province is '' when it is pooled across provinces: contractor '' is the whole
country, a contractor's name is that contractor in every province it works in.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from reporting.exports import KPI_HEADER, Table, fmt_number, write_table

NATIONAL_HEADER = ["province", *KPI_HEADER]
CSV_NAME, PARQUET_NAME = "national_kpi.csv", "national_kpi.parquet"


@dataclass(frozen=True)
class NationalFiles:
    csv: Path
    parquet: Path
    rows: int
    provinces: tuple[str, ...]
    pooled_contractors: tuple[str, ...]  # contractors that work in more than one province


def _relation(files: Sequence[Path]) -> str:
    listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    return f"read_parquet([{listed}])"


def national_table(con: duckdb.DuckDBPyConnection, relation: str) -> Table:
    """The CSV's rows: sorted by province ('' last), month, kpi_code, contractor, prefecture."""
    rows = con.execute(
        "SELECT province, month, kpi_code, contractor, prefecture, numerator, denominator, value "
        f"FROM {relation} ORDER BY province = '', province, month, kpi_code, contractor, prefecture"
    ).fetchall()
    body = [[r[0], r[1], r[2], r[3], r[4], fmt_number(r[5]), fmt_number(r[6]), fmt_number(r[7])] for r in rows]
    return Table("national_kpi", NATIONAL_HEADER, body, ("numerator", "denominator", "value"))


def write_national(files: Sequence[Path], out_dir: Path) -> NationalFiles:
    """national_kpi.csv and .parquet in out_dir from nat_kpi's Parquet files (each written aside, then renamed)."""
    if not files:
        raise FileNotFoundError("nat_kpi: Spark wrote no file / Spark 没有写出 nat_kpi")
    out_dir.mkdir(parents=True, exist_ok=True)
    relation = _relation(files)
    con = duckdb.connect()
    try:
        table = national_table(con, relation)
        csv, parquet = out_dir / CSV_NAME, out_dir / PARQUET_NAME
        part = out_dir / f".part.{PARQUET_NAME}"
        con.execute(
            f"COPY (SELECT * FROM {relation} ORDER BY province = '', province, month, kpi_code, grain, contractor, "
            f"prefecture) TO '{str(part).replace(chr(39), chr(39) * 2)}' (FORMAT PARQUET)"
        )
        named = f"SELECT DISTINCT province FROM {relation} WHERE province <> '' ORDER BY 1"
        provinces = tuple(r[0] for r in con.execute(named).fetchall())
        pooled = tuple(
            r[0]
            for r in con.execute(
                f"SELECT contractor FROM {relation} WHERE province <> '' AND grain = 'contractor' "
                "GROUP BY contractor HAVING count(DISTINCT province) > 1 ORDER BY contractor"
            ).fetchall()
        )
    finally:
        con.close()
    tmp_csv = out_dir / f".part.{CSV_NAME}"
    write_table(table, tmp_csv)
    os.replace(tmp_csv, csv)
    os.replace(part, parquet)
    return NationalFiles(csv, parquet, len(table.rows), provinces, pooled)
