"""The Dagster instance of a run that has no $DAGSTER_HOME: Dagster's ephemeral one, with an event log
that keeps its SQLite connections (decision 114).

Dagster's in-memory event log opens a new SQLAlchemy connection to its shared-cache SQLite database,
and sets two PRAGMAs on it, for every event it stores and every lookup it makes. A run of the demo
delivery stores ≈ 720 events (a planned, an output and a materialisation event per asset, a planned
and an evaluation event per dbt test) and opens the log ≈ 1 700 times with the lookups (each
output's parents, for its data version; each check's asset): under py-spy the run's main thread
spent 3.0 s in Dagster's log handling, 2.2 s with this log. This log
opens one connection per thread, the first time that thread stores or reads, and keeps it until the
instance is disposed, and remembers which tables its schema has; everything else (schema,
transactions, watchers, the lock) is Dagster's own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster import DagsterInstance
from dagster._core.instance import InstanceType
from dagster._core.launcher.sync_in_memory_run_launcher import SyncInMemoryRunLauncher
from dagster._core.run_coordinator import DefaultRunCoordinator
from dagster._core.storage.event_log import InMemoryEventLogStorage
from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager
from dagster._core.storage.root import TemporaryLocalArtifactStorage
from dagster._core.storage.runs import InMemoryRunStorage


class HeldConnectionEventLogStorage(InMemoryEventLogStorage):
    """Dagster's in-memory event log with one open connection per thread instead of one per call."""

    def __init__(self, inst_data: Any = None, preload: Any = None) -> None:
        self._local = threading.local()
        self._opened: list[db.Connection] = []
        self._tables: dict[str, bool] = {}
        super().__init__(inst_data, preload)

    def _thread_connection(self) -> db.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._engine.connect()
            with conn.begin():  # as Dagster's own: WAL is a no-op in memory, foreign keys are per connection
                conn.execute(db.text("PRAGMA journal_mode=WAL;")).close()
                conn.execute(db.text("PRAGMA foreign_keys=ON;")).close()
            self._local.conn = conn
            self._opened.append(conn)
        return conn

    @contextmanager
    def _connect(self) -> Iterator[db.Connection]:  # type: ignore[override]
        with self._db_lock:
            conn = self._thread_connection()
            with conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        """Asked on every stored asset event; the schema of an in-memory log does not change after start."""
        if table_name not in self._tables:
            self._tables[table_name] = super().has_table(table_name)
        return self._tables[table_name]

    def dispose(self) -> None:
        with self._db_lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()
        super().dispose()


def ephemeral_instance() -> DagsterInstance:
    """What `DagsterInstance.ephemeral()` builds, with the event log above and telemetry off."""
    return DagsterInstance(
        instance_type=InstanceType.EPHEMERAL,
        local_artifact_storage=TemporaryLocalArtifactStorage(),
        run_storage=InMemoryRunStorage(),
        event_storage=HeldConnectionEventLogStorage(),
        compute_log_manager=NoOpComputeLogManager(),
        run_coordinator=DefaultRunCoordinator(),
        run_launcher=SyncInMemoryRunLauncher(),
        settings={"telemetry": {"enabled": False}},
    )
