"""A nightly run on the inbox, so late corrections are picked up even without a new file event."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import daiwei_run_job
from orchestration.sensors import INBOX

nightly_inbox_run = ScheduleDefinition(
    name="nightly_inbox_run",
    job=daiwei_run_job,
    cron_schedule="30 2 * * *",
    execution_timezone="Asia/Shanghai",
    run_config={"ops": {"offered_files": {"config": {"input_dir": str(INBOX.resolve())}}}},
    default_status=DefaultScheduleStatus.STOPPED,
)
