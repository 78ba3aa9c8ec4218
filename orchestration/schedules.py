"""A nightly run on the inbox (late corrections are picked up even without a new file event), and the monthly pack."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    schedule,
)

from orchestration.assets.pack import kpi_pack_job
from orchestration.jobs import daiwei_run_job


def build_nightly_inbox_run(inbox: Path) -> ScheduleDefinition:
    """The nightly run on this deployment's inbox (Settings.inbox)."""
    return ScheduleDefinition(
        name="nightly_inbox_run",
        job=daiwei_run_job,
        cron_schedule="30 2 * * *",
        execution_timezone="Asia/Shanghai",
        run_config={"ops": {"offered_files": {"config": {"input_dir": str(inbox.resolve())}}}},
        default_status=DefaultScheduleStatus.STOPPED,
    )


@schedule(
    job=kpi_pack_job,
    cron_schedule="0 7 5 * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
)
def monthly_kpi_pack(context: ScheduleEvaluationContext) -> RunRequest:
    """On the 5th, the pack of the month just closed (late corrections have had four days), e-mailed to its
    recipients (docs/delivery.md: the SMTP host of the settings, else the outbox folder)."""
    month = (context.scheduled_execution_time.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    return RunRequest(
        run_key=f"pack-{month}",
        run_config={"ops": {"kpi_pack": {"config": {"month": month, "out_dir": "data/packs", "deliver": True}}}},
    )
