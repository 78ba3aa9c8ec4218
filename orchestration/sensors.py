"""New files in the inbox start a run; the cursor remembers which files were seen."""

import hashlib
import json
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorDefinition, SensorEvaluationContext, SkipReason, sensor

from ingestion.files import discover
from orchestration.jobs import daiwei_run_job


def inbox_fingerprint(root: Path) -> dict[str, str]:
    """Relative path -> size and mtime: cheap enough to poll, changes when a file lands or is replaced."""
    out = {}
    for p in discover(root):
        st = p.stat()
        out[p.relative_to(root).as_posix()] = f"{st.st_size}:{int(st.st_mtime)}"
    return out


def build_inbox_sensor(inbox: Path) -> SensorDefinition:
    """The inbox sensor for this deployment's inbox (Settings.inbox, passed in by the definitions)."""

    @sensor(
        name="inbox_sensor",
        job=daiwei_run_job,
        minimum_interval_seconds=30,
        default_status=DefaultSensorStatus.STOPPED,  # on only when asked: make dagster SENSOR=on, or the UI
    )
    def inbox_sensor(context: SensorEvaluationContext):
        return _evaluate(context, inbox.resolve())

    return inbox_sensor


def _evaluate(context: SensorEvaluationContext, root: Path):  # type: ignore[no-untyped-def]
    """Request a run when the inbox holds a file that is new or changed since the last request."""
    if not root.exists():
        return SkipReason(f"inbox {root} does not exist")
    now = inbox_fingerprint(root)
    seen = json.loads(context.cursor) if context.cursor else {}
    new = sorted(f for f, fp in now.items() if seen.get(f) != fp)
    if not new:
        return SkipReason("no new files in the inbox")
    context.update_cursor(json.dumps(now))
    key = hashlib.sha256(json.dumps(now, sort_keys=True).encode()).hexdigest()[:16]
    return RunRequest(
        run_key=f"inbox-{key}",
        run_config={"ops": {"offered_files": {"config": {"input_dir": str(root)}}}},
        tags={"daiwei/new_files": str(len(new))},
    )
