"""What people decided, brought into the build: appeals and rulings, month states, frozen figures.

access.md: appeals, rulings and month states live in the application database
(SQLite or PostgreSQL), never in the warehouse; each run reads them into its build
as the dbt source `appdb`, so an adjusted or frozen number is computed in dbt like
every other. Rows travel through Python (SQLAlchemy → DuckDB), never through a
DuckDB extension (stack-notes: they do not install here). The tables are emptied
and refilled every run: the application database is the record, the build a copy.
"""

from collections.abc import Iterable, Sequence

import duckdb
from dagster import AssetExecutionContext, AssetSpec, MaterializeResult, multi_asset

from appstate import appeal_rows_for_build, connect, frozen_snapshots, month_states
from ingestion.ddl import APPDB_TABLES, create_appdb
from orchestration.assets.ingestion import offered_files
from orchestration.resources import AppDbResource, WarehouseResource
from reporting.freeze import FROZEN


def _refill(con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[dict]) -> int:
    columns = [name for name, _ in APPDB_TABLES[table]]
    values: Sequence[tuple] = [tuple(row.get(c) for c in columns) for row in rows]
    con.execute(f"DELETE FROM {table}")
    if values:
        marks = ", ".join("?" for _ in columns)
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", list(values))
    return len(values)


# One asset per table of the dbt source `appdb` (each dbt source needs its own asset key).
APPDB_ASSETS = {table: "appdb_" + table.split(".", 1)[1] for table in APPDB_TABLES}


@multi_asset(
    specs=[
        AssetSpec(key, deps=[offered_files.key], group_name="raw", kinds={"duckdb", "sqlalchemy"})
        for key in APPDB_ASSETS.values()
    ],
    name="app_state",
)
def app_state(context: AssetExecutionContext, warehouse: WarehouseResource, app_db: AppDbResource):
    """Appeals, month states and closed months' frozen rows, copied into the build for dbt (source appdb)."""
    app = connect(app_db.url_or_default())
    try:
        appeals = appeal_rows_for_build(app)
        states: list[dict[str, object]] = [
            {
                "month": s.month,
                "state": s.state,
                "opened_at": s.opened_at,
                "closed_at": s.closed_at,
                "load_seq_watermark": None,
            }
            for s in month_states(app).values()
            if s.state != "draft"
        ]
        frozen = frozen_snapshots(app)
    finally:
        app.dispose()
    for s in states:
        closed = frozen.get(str(s["month"]))
        if closed is not None:
            s["load_seq_watermark"] = closed.load_seq_watermark
    counts: dict[str, int] = {}
    with warehouse.get().connect_build(context.run.run_id) as con:
        create_appdb(con)
        counts["appdb.appeals"] = _refill(con, "appdb.appeals", appeals)
        counts["appdb.month_states"] = _refill(con, "appdb.month_states", states)
        for relation, table in FROZEN.items():
            rows = [row for month in frozen.values() for row in month.relations.get(relation, [])]
            counts[table] = _refill(con, table, rows)
    for table, key in APPDB_ASSETS.items():
        yield MaterializeResult(asset_key=key, metadata={"rows": counts[table]})
