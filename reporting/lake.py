"""The raw tables as a lake (scale.md item 2): what `daiwei export-raw` writes for Spark to read.

Every `raw.<dataset>` table of the published warehouse, the load log and the rejects,
and the other tables the dbt project reads as sources (`DECIDED`: appeals, month states,
frozen figures, data-quality results, so that a build from the lake publishes the
province's own figures) are written by DuckDB's own `COPY … TO … (FORMAT PARQUET, PARTITION_BY
(month))` — never a Python row loop — as hive-style partitions:

    DIR/province=<name>/dataset=<dataset>/month=<YYYY-MM | unknown>/data_<n>.parquet

with every column the table has, the lineage columns (`_file`, `_load_seq`, `_row`,
`_extra`) included. The choices (docs/decisions.md 92, 93):

* `month` is the dataset's own month column as `YYYY-MM`; a row without one (a NULL, or a
  register such as `eoms_circuits` that has no month column) goes to `month=unknown`. A
  load-log row (and each reject, through its load) takes the month of its file's path
  (`file_month_sql`), else the month of `offered_at`.
* A column named like a partition key (the audit tables' `dataset`) is written as
  `source_<name>`: Spark would otherwise replace its values with the partition's.
* Types Spark cannot read are cast (`SPARK_CASTS`); TIMESTAMP stays a timestamp without
  time zone (Parquet `isAdjustedToUTC=false`), which Spark ≥ 3.4 reads as TIMESTAMP_NTZ:
  the delivered local (Asia/Shanghai) wall-clock time, unshifted by any session zone.
* The province's folder is written by us, unescaped: DuckDB percent-encodes a non-ASCII
  partition value and Spark decodes `%XX` byte by byte, which would garble `贵州`.
* DIR is a lake that can hold several provinces. An export writes the province into a
  folder beside DIR, then swaps it in for that province's folder (two renames): the old
  partitions go as a whole, so a re-export leaves none behind, and other provinces stay.
  A non-empty DIR that is not a daiwei lake (no `LAKE_MARKER`) is refused.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

import duckdb

from core.settings import province_name

LAKE_MARKER = "_daiwei_lake.json"  # at DIR's top: this folder is a daiwei lake (Spark skips `_` files)
MANIFEST = "_manifest.json"  # in a province's folder: what the export wrote
UNKNOWN_MONTH = "unknown"
PARTITION_KEYS = ("province", "dataset", "month")
RENAMED_PREFIX = "source_"
# DuckDB types Spark's Parquet reader refuses or misreads -> the nearest type it reads exactly
SPARK_CASTS: dict[str, str] = {
    "HUGEINT": "DECIMAL(38,0)",
    "UHUGEINT": "DECIMAL(38,0)",
    "UBIGINT": "DECIMAL(20,0)",
    "UINTEGER": "BIGINT",
    "USMALLINT": "INTEGER",
    "UTINYINT": "SMALLINT",
    "TIMESTAMP_NS": "TIMESTAMP",  # Spark does not read TIMESTAMP(NANOS)
    "TIMESTAMP_MS": "TIMESTAMP",
    "TIMESTAMP_S": "TIMESTAMP",
}
# The tables besides raw.* and the load log / rejects that the dbt project reads as sources: the build
# copies them from the application database (appdb.*) and the quality run (audit.dq_results). Each has a
# `month` column 'YYYY-MM'. (dataset name in the lake, table)
DECIDED: tuple[tuple[str, str], ...] = (
    ("appdb_appeals", "appdb.appeals"),
    ("appdb_month_states", "appdb.month_states"),
    ("appdb_frozen_kpi", "appdb.frozen_kpi"),
    ("appdb_frozen_penalty_items", "appdb.frozen_penalty_items"),
    ("dq_results", "audit.dq_results"),
)
# 'YYYY-MM' (1900-2099, months 01-12) between non-digits, as deliveries name their period
_MONTH_IN_NAME = r"(?:^|[^0-9])((?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2]))(?:[^0-9]|$)"


class NotALake(ValueError):
    """--out names something export-raw will not write into (a usage error, exit 2)."""


class Source(Protocol):
    """What the lake needs of a dataset (`ingestion.model.Dataset` has it; passed in by the CLI)."""

    @property
    def name(self) -> str: ...

    @property
    def table(self) -> str: ...

    @property
    def month_column(self) -> str | None: ...


@dataclass(frozen=True)
class Part:
    """What one table contributed: its rows, its Parquet files and their months."""

    dataset: str
    table: str
    rows: int
    files: int
    months: tuple[str, ...]
    columns: tuple[tuple[str, str], ...] = field(default=())  # (name in the lake, DuckDB type written)
    sources: tuple[str, ...] = field(default=())  # each column's name in the warehouse table, in order


@dataclass(frozen=True)
class LakeExport:
    out: Path  # the lake (DIR)
    province: str
    parts: tuple[Part, ...]

    @property
    def folder(self) -> Path:
        return self.out / f"province={self.province}"

    @property
    def files(self) -> int:
        return sum(p.files for p in self.parts)

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.parts)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def file_month_sql(path_sql: str) -> str:
    """SQL for the month a delivered file's path names: the first `YYYY-MM` of the innermost part of the
    path that has one (`2026-10/天龙讯10月备件库存.csv` and `tickets_2026-10_20261105.csv` give 2026-10);
    NULL when no part has one (`eoms_circuits_20261101.csv`: an export date is not a period)."""
    parts = f"list_reverse(string_split({path_sql}, '/'))"
    found = f"list_transform({parts}, lambda s: regexp_extract(s, {_literal(_MONTH_IN_NAME)}, 1))"
    return f"list_filter({found}, lambda m: m <> '')[1]"


def _month_of(column_sql: str) -> str:
    return f"strftime({column_sql}, '%Y-%m')"


def _label_month(column_sql: str) -> str:
    """A 'YYYY-MM' text column as the partition's month; NULL (-> unknown) when it is anything else."""
    return f"CASE WHEN regexp_full_match({column_sql}, '(19|20)[0-9]{{2}}-(0[1-9]|1[0-2])') THEN {column_sql} END"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    schema, _, name = table.partition(".")
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    if not rows:
        raise LookupError(f"{table}: 仓库中没有这张表 / the warehouse has no such table")
    return [(str(n), str(t)) for n, t in rows]


def lake_name(column: str, taken: Sequence[str]) -> str:
    """The column's name in the lake: `source_<name>` for a partition key's name (never two alike)."""
    if column not in PARTITION_KEYS:
        return column
    renamed = RENAMED_PREFIX + column
    if renamed in taken:
        raise ValueError(f"{column} 与 {renamed} 重名 / cannot rename {column}: {renamed} exists")
    return renamed


def _select(con: duckdb.DuckDBPyConnection, table: str, month_sql: str, joins: str = "") -> tuple[str, list]:
    """`SELECT <every column, renamed and cast for Spark>, <month> AS month FROM <table> t …`."""
    cols = _columns(con, table)
    names = [n for n, _ in cols]
    items, written = [], []
    for name, dtype in cols:
        target = SPARK_CASTS.get(dtype.upper())
        expr = f"t.{_ident(name)}" if target is None else f"CAST(t.{_ident(name)} AS {target})"
        out = lake_name(name, names)
        items.append(f"{expr} AS {_ident(out)}")
        written.append((out, target or dtype, name))
    sql = f"SELECT {', '.join(items)}, coalesce({month_sql}, {_literal(UNKNOWN_MONTH)}) AS month FROM {table} t{joins}"
    return sql, written


def _statements(con: duckdb.DuckDBPyConnection, datasets: Sequence[Source]) -> list[tuple[str, str, str, list]]:
    """(dataset, table, select, columns) for the nine raw tables, the load log, the rejects, then DECIDED."""
    out = []
    for d in datasets:
        month = _month_of(f"t.{_ident(d.month_column)}") if d.month_column else "NULL"
        out.append((d.name, d.table, *_select(con, d.table, month)))
    file_month = file_month_sql('t."file"')
    out.append(
        (
            "load_log",
            "audit.load_log",
            *_select(con, "audit.load_log", f"coalesce({file_month}, {_month_of('t.offered_at')})"),
        )
    )
    # a reject sits in the month partition of its file's load-log row (joined on its load)
    offered = " LEFT JOIN (SELECT load_seq, min(offered_at) AS offered_at FROM audit.load_log GROUP BY load_seq) l "
    offered += "ON l.load_seq = t.load_seq"
    out.append(
        (
            "rejects",
            "audit.rejects",
            *_select(con, "audit.rejects", f"coalesce({file_month}, {_month_of('l.offered_at')})", offered),
        )
    )
    # What people decided, as the build read it (docs/decisions.md 98): the appeals and month states, the
    # figures frozen at a month's close, and the data-quality results; each in its own month's partition.

    present = {
        f"{r[0]}.{r[1]}"
        for r in con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
    }
    for dataset, table in DECIDED:
        if table not in present:  # a warehouse from before these tables existed: Spark gets them empty
            continue
        out.append((dataset, table, *_select(con, table, _label_month("t.month"))))
    return out


def check_out(out: Path) -> None:
    """--out may be absent, an empty folder or a daiwei lake; anything else is refused, untouched."""
    out = Path(out)
    if not out.exists():
        return
    if not out.is_dir():
        raise NotALake(f"{out}: 这是文件，--out 应为文件夹 / is a file: --out names a folder here")
    if (out / LAKE_MARKER).is_file() or not any(out.iterdir()):
        return
    raise NotALake(
        f"{out}: 文件夹非空且不是 daiwei 数据湖，未写入任何文件 / folder is not empty and is not a daiwei lake "
        f"(no {LAKE_MARKER}): nothing written, name a new or empty folder"
    )


def _copy(con: duckdb.DuckDBPyConnection, folder: Path, dataset: str, table: str, sql: str, cols: list) -> Part:
    dest = folder / f"dataset={dataset}"
    copy = f"COPY ({sql}) TO {_literal(str(dest))} (FORMAT PARQUET, PARTITION_BY (month), RETURN_FILES true)"
    rows, files = con.execute(copy).fetchone() or (0, [])
    if dest.is_dir() and not any(dest.iterdir()):
        dest.rmdir()  # an empty table: no partition at all (the manifest says 0 rows)
    months = sorted({Path(f).parent.name.removeprefix("month=") for f in files or []})
    columns = tuple((out, kind) for out, kind, _ in cols)
    return Part(dataset, table, int(rows), len(files or []), tuple(months), columns, tuple(n for _, _, n in cols))


def _write_json(path: Path, value: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _swap_in(out: Path, province: str, staged: Path, staging: Path) -> None:
    """Put the staged province folder in place of the old one: the old one goes whole, others stay."""
    out.mkdir(parents=True, exist_ok=True)
    if not (out / LAKE_MARKER).is_file():
        _write_json(
            out / LAKE_MARKER,
            {"format": "daiwei raw lake", "layout": "province=<name>/dataset=<dataset>/month=<YYYY-MM|unknown>"},
        )
    final = out / f"province={province}"
    previous = staging / "previous"
    if final.exists():
        os.rename(final, previous)
    try:
        os.rename(staged, final)
    except OSError:
        if previous.exists() and not final.exists():
            os.rename(previous, final)  # put the old export back: never leave the province missing
        raise


def export_raw(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    province: str,
    datasets: Sequence[Source],
    *,
    now: datetime | None = None,
) -> LakeExport:
    """Write the raw tables, the load log and the rejects of the warehouse behind `con` (read-only) into the
    lake `out` as `province=<province>/dataset=…/month=…` Parquet, replacing that province's earlier export."""
    province = province_name(province)
    out = Path(out).absolute()
    check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.export-", dir=out.parent))
    try:
        folder = staging / f"province={province}"
        folder.mkdir()
        parts = tuple(_copy(con, folder, *s) for s in _statements(con, datasets))
        _write_json(
            folder / MANIFEST,
            {
                "province": province,
                "exported_at": (now or datetime.now()).isoformat(timespec="seconds"),
                "datasets": {
                    p.dataset: {
                        "table": p.table,
                        "rows": p.rows,
                        "files": p.files,
                        "months": list(p.months),
                        "columns": [
                            {"name": n, "type": t, "source": source}
                            for (n, t), source in zip(p.columns, p.sources, strict=True)
                        ],
                    }
                    for p in parts
                },
            },
        )
        _swap_in(out, province, folder, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return LakeExport(out, province, parts)


def provinces_in(lake: Path) -> list[str]:
    """The provinces a lake holds (a `province=NAME` folder with its manifest), sorted by name."""
    lake = Path(lake)
    if not (lake / LAKE_MARKER).is_file():
        raise NotALake(f"{lake}: 不是 daiwei 数据湖（没有 {LAKE_MARKER}） / not a daiwei lake (no {LAKE_MARKER})")
    return sorted(
        p.name.removeprefix("province=")
        for p in lake.iterdir()
        if p.is_dir() and p.name.startswith("province=") and (p / MANIFEST).is_file()
    )


def missing_datasets(lake: Path, province: str, required: Sequence[str]) -> list[str]:
    """The datasets of `required` that the province's export lacks (an export from an older version)."""
    manifest = json.loads((Path(lake) / f"province={province}" / MANIFEST).read_text(encoding="utf-8"))
    have = manifest.get("datasets", {})
    return [d for d in required if d not in have]
