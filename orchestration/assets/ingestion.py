"""Raw assets: the files offered, one raw table per dataset, the load log and the rejects."""

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset,
)

from core.settings import DEFAULT_INBOX, Limits
from ingestion.datasets import DATASETS
from ingestion.loader import PlannedFile, claim_province, load_file, plan_files, prepare_connection
from ingestion.model import Dataset
from orchestration.resources import LimitsResource, WarehouseResource

RAW_GROUP = "raw"


class InboxConfig(Config):
    """The folder whose files this run loads (recursively)."""

    input_dir: str = DEFAULT_INBOX


def _planned(con, run_id: str, dataset: str | None) -> list[PlannedFile]:
    where = "dataset IS NULL" if dataset is None else "dataset = ?"
    params = [run_id] if dataset is None else [run_id, dataset]
    rows = con.execute(
        f"SELECT load_seq, file, path, sha256, dataset FROM audit.load_plan WHERE run_id = ? AND {where} "
        "ORDER BY load_seq",
        params,
    ).fetchall()
    return [PlannedFile(r[0], r[1], Path(r[2]), r[3], r[4]) for r in rows]


def record_plan(con: duckdb.DuckDBPyConnection, run_id: str, plan: list[PlannedFile]) -> None:
    """audit.load_plan: the run's planned files, which each raw loader reads back (`_planned`)."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS audit.load_plan (run_id VARCHAR, load_seq BIGINT, file VARCHAR, "
        "path VARCHAR, sha256 VARCHAR, dataset VARCHAR)"
    )
    con.executemany(
        "INSERT INTO audit.load_plan VALUES (?, ?, ?, ?, ?, ?)",
        [(run_id, p.load_seq, p.file, str(p.path), p.sha256, p.dataset) for p in plan],
    )


@asset(group_name=RAW_GROUP, kinds={"duckdb"})
def offered_files(
    context: AssetExecutionContext, config: InboxConfig, warehouse: WarehouseResource, limits: LimitsResource
) -> MaterializeResult:
    """Every file under the input folder, in application order, with its sha256 and dataset.

    Files whose name announces no dataset are recognised by their header and
    loaded here, so each raw asset then loads only the files named for it. Every
    raw asset checks prefectures, counties and contractors against the reference
    rows of the warehouse's province (resource `warehouse`, field `province`).
    """
    root = Path(config.input_dir).expanduser().resolve()
    province = warehouse.get_province()
    wh = warehouse.get()
    wh.begin(context.run.run_id)
    with wh.connect_build(context.run.run_id) as con:
        prepare_connection(con, province=province)
        claim_province(con, province)  # one province per warehouse: another's run fails here, nothing loaded
        plan = plan_files(con, root)
        record_plan(con, context.run.run_id, plan)
        unannounced = [
            load_file(con, pf, context.run.run_id, limits.get()) for pf in _planned(con, context.run.run_id, None)
        ]
    return MaterializeResult(
        metadata={
            "input_dir": str(root),
            "province": province,
            "files": len(plan),
            "recognised_by_header": len([r for r in unannounced if r.status == "loaded"]),
            "rejected_unrecognised": len([r for r in unannounced if r.status == "rejected"]),
        }
    )


# Two datasets load at a time, each on its own cursor of the build copy (its own transactions and
# TEMP tables): a file's load is mostly DuckDB planning and executing its validating SQL, which
# releases the GIL, and the datasets touch disjoint raw tables (load_log and rejects only get
# appends). Measured on the demo delivery: 5.5-5.9 s one dataset after the other, 3.3-3.7 s two at a
# time (decision 111). Within a dataset the files still load one by one in application order.
LOAD_THREADS = 2


def _raw_key(ds: Dataset) -> AssetKey:
    return AssetKey(f"raw_{ds.name}")


class LoadStopped(Exception):
    """The other loader failed or the run was interrupted: this one stops between two files."""


def _load_dataset(
    con: duckdb.DuckDBPyConnection, ds: Dataset, run_id: str, province: str, limits: Limits, stop: threading.Event
) -> MaterializeResult:
    """Load one dataset's planned files (in load order) on `con`, and its asset's metadata."""
    con.execute("SET enable_progress_bar = false")  # a setting of each connection, like connect_build's
    prepare_connection(con, province=province)
    results = []
    for pf in _planned(con, run_id, ds.name):
        if stop.is_set():
            raise LoadStopped(f"raw_{ds.name}: stopped before {pf.file}")
        results.append(load_file(con, pf, run_id, limits))
    total = con.execute(f"SELECT count(*) FROM {ds.table}").fetchall()[0][0]
    # Files recognised by header were loaded by offered_files but count here too.
    read, loaded, rejected = con.execute(
        "SELECT coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), "
        "coalesce(sum(rows_rejected), 0) FROM audit.load_log WHERE run_id = ? AND dataset = ?",
        [run_id, ds.name],
    ).fetchall()[0]
    return MaterializeResult(
        asset_key=_raw_key(ds),
        metadata={
            "rows_read": read,
            "rows_loaded": loaded,
            "rows_rejected": rejected,
            "files_loaded": len([r for r in results if r.status == "loaded"]),
            "files_skipped": len([r for r in results if r.status == "skipped"]),
            "files_rejected": MetadataValue.json(
                [{"file": r.file, "message": r.message} for r in results if r.status == "rejected"]
            ),
            "table_rows": int(total),
        },
    )


def _by_size(datasets: list[Dataset], con: duckdb.DuckDBPyConnection, run_id: str) -> list[Dataset]:
    """The largest delivery first, so the two loaders finish close together."""
    sizes: dict[str, int] = {}
    for dataset, path in con.execute(
        "SELECT dataset, path FROM audit.load_plan WHERE run_id = ? AND dataset IS NOT NULL", [run_id]
    ).fetchall():
        with contextlib.suppress(OSError):
            sizes[dataset] = sizes.get(dataset, 0) + os.stat(path).st_size
    return sorted(datasets, key=lambda ds: -sizes.get(ds.name, 0))


@multi_asset(
    specs=[
        AssetSpec(
            _raw_key(ds),
            deps=[offered_files],
            group_name=RAW_GROUP,
            kinds={"duckdb"},
            description=f"{ds.chinese_name}: the rows currently applied, typed, with file/row lineage "
            f"(table raw.{ds.name}).",
        )
        for ds in DATASETS
    ],
    can_subset=True,
)
def raw_tables(context: AssetExecutionContext, warehouse: WarehouseResource, limits: LimitsResource):
    """One raw table per dataset: each dataset's files, two datasets at a time."""
    run_id, province, lim = context.run.run_id, warehouse.get_province(), limits.get()
    selected = [ds for ds in DATASETS if _raw_key(ds) in context.selected_asset_keys]
    with warehouse.get().connect_build(run_id) as con:
        order = _by_size(selected, con, run_id)
        cursors = [con.cursor() for _ in order]
        stop = threading.Event()
        try:
            with ThreadPoolExecutor(LOAD_THREADS, thread_name_prefix="daiwei-load") as pool:
                futures = [
                    pool.submit(_load_dataset, cur, ds, run_id, province, lim, stop)
                    for cur, ds in zip(cursors, order, strict=True)
                ]
                try:
                    # in the order they finish: the first failure, whichever loader it comes from, is raised at once
                    done = [f.result() for f in as_completed(futures)]
                except BaseException:  # a bug or an interrupt: stop the other loader too
                    stop.set()
                    pool.shutdown(wait=False, cancel_futures=True)
                    for cur in cursors:
                        with contextlib.suppress(duckdb.Error):
                            cur.interrupt()
                    raise
        finally:
            for cur in cursors:
                cur.close()
    by_key = {r.asset_key: r for r in done}
    for ds in selected:  # in the datasets' own order, whatever order they finished in
        yield by_key[_raw_key(ds)]


RAW_ASSETS = [raw_tables]


@asset(deps=RAW_ASSETS, group_name=RAW_GROUP, kinds={"duckdb"})
def load_log(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """audit.load_log: one row per file offered per run (loaded, skipped or rejected with its reason)."""
    with warehouse.get().connect_build(context.run.run_id) as con:
        rows = con.execute(
            "SELECT status, count(*), sum(rows_read), sum(rows_loaded), sum(rows_rejected) "
            "FROM audit.load_log WHERE run_id = ? GROUP BY status ORDER BY status",
            [context.run.run_id],
        ).fetchall()
    summary = {r[0]: {"files": r[1], "rows_read": r[2], "rows_loaded": r[3], "rows_rejected": r[4]} for r in rows}
    return MaterializeResult(metadata={"this_run": MetadataValue.json(summary)})


@asset(deps=RAW_ASSETS, group_name=RAW_GROUP, kinds={"duckdb"})
def rejects(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    """audit.rejects: every row set aside, with file, row, column, reason and the raw cells."""
    with warehouse.get().connect_build(context.run.run_id) as con:
        rows = con.execute(
            "SELECT r.dataset, count(*) FROM audit.rejects r JOIN audit.load_log l USING (load_seq) "
            "WHERE l.run_id = ? GROUP BY r.dataset ORDER BY r.dataset",
            [context.run.run_id],
        ).fetchall()
        total = con.execute("SELECT count(*) FROM audit.rejects").fetchall()[0][0]
    return MaterializeResult(
        metadata={"this_run_by_dataset": MetadataValue.json(dict(rows)), "total_rejects": int(total)}
    )
