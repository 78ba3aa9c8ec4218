"""New files in the inbox start a run; the cursor remembers which files were seen."""

import hashlib
import json
import os
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from ingestion.files import discover
from orchestration.jobs import daiwei_run_job

INBOX = Path(os.environ.get("DAIWEI_INBOX", "data/inbox"))


def inbox_fingerprint(root: Path) -> dict[str, str]:
    """Relative path -> size and mtime: cheap enough to poll, changes when a file lands or is replaced."""
    out = {}
    for p in discover(root):
        st = p.stat()
        out[p.relative_to(root).as_posix()] = f"{st.st_size}:{int(st.st_mtime)}"
    return out


@sensor(job=daiwei_run_job, minimum_interval_seconds=30, default_status=DefaultSensorStatus.RUNNING)
def inbox_sensor(context: SensorEvaluationContext):
    """Request a run when the inbox holds a file that is new or changed since the last request."""
    root = INBOX.resolve()
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
