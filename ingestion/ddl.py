"""Tables of the raw layer and the audit tables, derived from the schemas.

`raw.<dataset>` holds the rows currently applied for each natural key (or
snapshot), typed, with the lineage of each row. `audit.load_log` and
`audit.rejects` are the reconciliation: every row read is in one or the other.
`audit.dq_results` receives the data-quality results (quality/storage.py); it is
created here with the other audit tables because dbt reads it as a source
(the `mart_dq_scores` view) from the first build on.
"""

from __future__ import annotations

import duckdb

from ingestion.datasets import DATASETS
from ingestion.model import Dataset
from ingestion.textnorm import register_udfs

LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_file", "VARCHAR"),  # path relative to the input folder: the ordering key
    ("_load_seq", "BIGINT"),  # the load (audit.load_log, which holds the sha256); tie-break for a path reloaded
    ("_row", "BIGINT"),  # 1-based spreadsheet row (header = row 1)
    ("_extra", "VARCHAR"),  # JSON of the unknown extra columns, NULL when none
)

LOAD_LOG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("load_seq", "BIGINT"),
    ("run_id", "VARCHAR"),
    ("file", "VARCHAR"),
    ("dataset", "VARCHAR"),
    ("sha256", "VARCHAR"),
    ("rows_read", "BIGINT"),
    ("rows_loaded", "BIGINT"),
    ("rows_rejected", "BIGINT"),
    ("status", "VARCHAR"),
    ("message", "VARCHAR"),
    ("offered_at", "TIMESTAMP"),
)

REJECT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("load_seq", "BIGINT"),
    ("file", "VARCHAR"),
    ("dataset", "VARCHAR"),
    ("row", "BIGINT"),
    ("column", "VARCHAR"),
    ("reason", "VARCHAR"),
    ("raw", "VARCHAR"),
)


def nfkc_twins(dataset: Dataset) -> list[tuple[str, str]]:
    """(column, twin) for each column stored with an NFKC twin `<name>_nfkc` (docs/decisions.md 95)."""
    return [(c.name, c.twin) for c in dataset.columns if c.twin is not None]


def raw_columns(dataset: Dataset) -> list[tuple[str, str]]:
    """The columns of `raw.<dataset>`, in order.

    The NFKC twins come last, after the lineage columns: a warehouse made before they existed
    gains them by ALTER TABLE … ADD COLUMN (`add_nfkc_twins`), which appends, so an old
    warehouse and a new one have the same column order.
    """
    cols: list[tuple[str, str]] = []
    for c in dataset.columns:
        cols.append((c.name, c.sql_type))
        if c.keeps_raw:
            cols.append((f"{c.name}_raw", "VARCHAR"))
        if c.keeps_text:
            cols.append((f"{c.name}_text", "VARCHAR"))
    return cols + list(LINEAGE_COLUMNS) + [(twin, "VARCHAR") for _, twin in nfkc_twins(dataset)]


def _create(con: duckdb.DuckDBPyConnection, table: str, cols: list[tuple[str, str]]) -> None:
    body = ", ".join(f'"{n}" {t}' for n, t in cols)
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({body})")


def add_nfkc_twins(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> list[str]:
    """Migrate a raw table made before its NFKC twins: add each missing twin and fill it once.

    The fill is NFKC of the stored value through ingestion's own function (`dw_nfkc`: pure
    ASCII as it is, the rest through the Arrow kernel), what the models computed per build
    before the twins were stored. Returns the twins added (none on a current table).
    """
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema = 'raw' AND table_name = ?",
            [dataset.name],
        ).fetchall()
    }
    missing = [(col, twin) for col, twin in nfkc_twins(dataset) if twin not in have]
    if not missing:
        return []
    register_udfs(con)  # dw_nfkc; idempotent
    for _, twin in missing:
        con.execute(f'ALTER TABLE {dataset.table} ADD COLUMN "{twin}" VARCHAR')
    sets = ", ".join(f'"{twin}" = dw_nfkc("{col}")' for col, twin in missing)
    con.execute(f"UPDATE {dataset.table} SET {sets}")
    return [twin for _, twin in missing]


DQ_RESULT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "VARCHAR"),
    ("suite", "VARCHAR"),
    ("expectation", "VARCHAR"),
    ("column", "VARCHAR"),
    ("contractor", "VARCHAR"),
    ("month", "VARCHAR"),
    ("success", "BOOLEAN"),
    ("observed_value", "VARCHAR"),
    ("element_count", "BIGINT"),
    ("unexpected_count", "BIGINT"),
    ("unexpected_percent", "DOUBLE"),
    ("unexpected_sample", "VARCHAR"),
    ("evaluated_at", "TIMESTAMP"),
)


def create_dq_results(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    _create(con, "audit.dq_results", list(DQ_RESULT_COLUMNS))


# The application database's rows a build reads (access.md): written into the build by the `app_state`
# asset before dbt runs, declared as the dbt source `appdb`. Types match the marts they freeze.
_KPI_ROW = (
    ("month", "VARCHAR"),
    ("kpi_code", "VARCHAR"),
    ("grain", "VARCHAR"),
    ("contractor", "VARCHAR"),
    ("prefecture", "VARCHAR"),
    ("numerator", "DECIMAL(38,6)"),
    ("denominator", "DECIMAL(38,6)"),
    ("value", "DECIMAL(38,6)"),
    ("target", "DECIMAL(38,6)"),
    ("direction", "VARCHAR"),
    ("met", "BOOLEAN"),
    ("kpi_name_zh", "VARCHAR"),
    ("unit", "VARCHAR"),
)
_PENALTY_ROW = (
    ("month", "VARCHAR"),
    ("contractor", "VARCHAR"),
    ("prefecture", "VARCHAR"),
    ("reason_code", "VARCHAR"),
    ("reason_zh", "VARCHAR"),
    ("ticket_id", "VARCHAR"),
    ("technician_id", "VARCHAR"),
    ("item_count", "BIGINT"),
    ("unit_amount_yuan", "DECIMAL(18,2)"),
    ("amount_yuan", "DECIMAL(18,2)"),
    ("detail", "VARCHAR"),
)
APPDB_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "appdb.appeals": (
        ("appeal_id", "BIGINT"),
        ("month", "VARCHAR"),
        ("ticket_id", "VARCHAR"),
        ("contractor", "VARCHAR"),
        ("rule", "VARCHAR"),
        ("item", "VARCHAR"),
        ("state", "VARCHAR"),
        ("filed_at", "TIMESTAMP"),
        ("ruled_at", "TIMESTAMP"),
    ),
    "appdb.month_states": (
        ("month", "VARCHAR"),
        ("state", "VARCHAR"),
        ("opened_at", "TIMESTAMP"),
        ("closed_at", "TIMESTAMP"),
        ("load_seq_watermark", "BIGINT"),
    ),
    "appdb.frozen_kpi": _KPI_ROW,
    "appdb.frozen_penalty_items": _PENALTY_ROW,
}


def create_appdb(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS appdb")
    for table, columns in APPDB_TABLES.items():
        _create(con, table, list(columns))


# The province a warehouse holds (decision 100): one row, written by the first run that loads into it.
PROVINCE_TABLE = "audit.warehouse_province"
PROVINCE_COLUMNS = (("province", "VARCHAR"), ("recorded_at", "TIMESTAMP"))


# What a file looked like when its sha256 was last computed (ingestion/loader.py `plan_files`): a file
# whose path, size, modification time, inode change time and inode are all unchanged is not read again
# to hash it. The change time (ctime) is set by the kernel on every write or metadata change and cannot
# be set back by hand, so a file rewritten in place is always hashed again. One row per offered path.
FILE_STATS_TABLE = "audit.file_stats"
FILE_STATS_COLUMNS = (
    ("path", "VARCHAR"),
    ("size", "BIGINT"),
    ("mtime_ns", "BIGINT"),
    ("ctime_ns", "BIGINT"),
    ("inode", "BIGINT"),
    ("sha256", "VARCHAR"),
)


def create_all(con: duckdb.DuckDBPyConnection) -> None:
    """Create every raw and audit table that does not exist yet; add missing NFKC twins to raw ones."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    _create(con, PROVINCE_TABLE, list(PROVINCE_COLUMNS))
    for d in DATASETS:
        _create(con, d.table, raw_columns(d))
        add_nfkc_twins(con, d)
    _create(con, "audit.load_log", list(LOAD_LOG_COLUMNS))
    _create(con, FILE_STATS_TABLE, list(FILE_STATS_COLUMNS))
    _create(con, "audit.rejects", list(REJECT_COLUMNS))
    create_dq_results(con)
    create_appdb(con)
