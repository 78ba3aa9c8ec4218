"""The ephemeral Dagster instance of a CLI run (decision 114): Dagster's, with an event log that keeps one
SQLite connection per thread instead of opening one for every event it stores or reads."""

from __future__ import annotations

import threading
import time

import pytest


def _materialization(run_id: str, i: int):  # type: ignore[no-untyped-def]
    from dagster import AssetKey, AssetMaterialization
    from dagster._core.events import DagsterEvent, DagsterEventType, StepMaterializationData
    from dagster._core.events.log import EventLogEntry

    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_MATERIALIZATION.value,
        job_name="j",
        event_specific_data=StepMaterializationData(AssetMaterialization(asset_key=AssetKey(["m", str(i % 5)]))),
        step_key="s",
    )
    return EventLogEntry(
        error_info=None,
        level=20,
        user_message="",
        run_id=run_id,
        timestamp=time.time(),
        step_key="s",
        job_name="j",
        dagster_event=event,
    )


def test_events_from_two_threads_are_stored_and_read_back_through_one_connection_each() -> None:
    from dagster import AssetKey
    from dagster._core.event_api import EventRecordsFilter
    from dagster._core.events import DagsterEventType

    from orchestration.instance import HeldConnectionEventLogStorage

    storage = HeldConnectionEventLogStorage()
    for i in range(20):
        storage.store_event(_materialization("r1", i))
    worker = threading.Thread(target=lambda: [storage.store_event(_materialization("r1", i)) for i in range(20, 30)])
    worker.start()
    worker.join(30)

    assert len(storage._opened) == 2, "one connection per thread, not one per event"
    assert len(storage.get_logs_for_run("r1")) == 30
    records = storage.get_event_records(EventRecordsFilter(DagsterEventType.ASSET_MATERIALIZATION), limit=100)
    assert len(records) == 30
    [record] = storage.get_asset_records([AssetKey(["m", "3"])])
    assert record.asset_entry.last_materialization is not None
    assert len(storage._opened) == 2
    storage.dispose()
    assert storage._opened == []


def test_a_cli_run_without_dagster_home_uses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.runner import instance
    from orchestration.instance import HeldConnectionEventLogStorage

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    inst = instance()
    assert isinstance(inst.event_log_storage, HeldConnectionEventLogStorage)
    assert inst.is_ephemeral and not inst.event_log_storage.is_persistent
    assert inst.get_settings("telemetry") == {"enabled": False}
