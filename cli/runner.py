"""Run the Dagster job in this process, as the CLI and the tests do, and read back its outcome."""

from __future__ import annotations

import logging
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import Limits, Mail, Settings, province_name
from core.warehouse import RunLocked, Warehouse, open_published, warehouse_path


@dataclass
class RunOutcome:
    success: bool
    run_id: str
    error: str = ""
    files: list[tuple] = field(default_factory=list)  # load-log rows of this run
    failed_checks: list[str] = field(default_factory=list)
    log: str = ""
    step_seconds: dict[str, float] = field(default_factory=dict)  # for benchmarks and the run log
    restatements: int = 0  # KPI rows of closed months a re-run would have changed (kept frozen)
    restatement_file: str = ""  # the restatement report written beside the warehouse

    @property
    def rejected_files(self) -> list[tuple]:
        return [f for f in self.files if f[6] == "rejected"]


def run_log_path(warehouse: Path) -> Path:
    """Where a run's full log (dbt progress, warnings, tracebacks) is kept."""
    logs = warehouse.parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    return logs / "daiwei-run.log"


def quiet() -> None:
    """Keep library chatter (progress bars, Dagster's console logger) off the user's terminal.

    dbt's usage statistics are off in dbt_project.yml (`flags`), Dagster's telemetry in the
    instance settings (`instance()`): nothing is written into the process environment.
    """
    for name in ("dagster", "great_expectations", "dbt"):
        logging.getLogger(name).setLevel(logging.ERROR)


def instance():  # type: ignore[no-untyped-def]
    """$DAGSTER_HOME's instance when one is configured, else an ephemeral one without telemetry."""
    from dagster import DagsterInstance

    from orchestration.instance import ephemeral_instance

    if os.environ.get("DAGSTER_HOME"):
        return DagsterInstance.get()
    return ephemeral_instance()


def _error_line(err) -> str:  # type: ignore[no-untyped-def]
    """The last line of an error's message, from the error that caused it when Dagster wrapped one
    ("Error occurred while executing op …" names the step, not what went wrong)."""
    from dagster import Failure  # imported by the run that failed already

    while err is not None and err.cause is not None and "DagsterExecutionStepExecutionError" in err.cls_name:
        err = err.cause
    lines = (err.message if err else "unknown error").strip().splitlines()
    line = lines[-1] if lines else ""
    if err is not None and err.cls_name == Failure.__name__:  # a step's own message, without Dagster's class path
        line = line.removeprefix(f"{Failure.__module__}.{Failure.__name__}: ")
    return line


# The steps of `daiwei run`, named for the person reading a failure (the key stays, for the log).
STEP_LABELS = {
    "offered_files": "文件清单 / file plan",
    "app_state": "申诉与关账 / appeals and closed months",
    "raw_tables": "加载文件 / loading",
    "daiwei_dbt_models": "指标构建 / dbt build",
    "load_log": "加载日志 / load log",
    "rejects": "拒绝行 / rejects",
    "data_quality": "数据质量 / data quality",
    "published_warehouse": "发布 / publish",
}


def step_label(step_key: str | None) -> str:
    """`加载文件 / loading (raw_tables)` for a step of the run job, the key itself otherwise."""
    label = STEP_LABELS.get(step_key or "")
    return f"{label} ({step_key})" if label else str(step_key or "")


def failure_line(result) -> str:  # type: ignore[no-untyped-def]
    """The last line of a failed Dagster run's first step failure (the message a command prints)."""
    failures = result.get_step_failure_events()
    return _error_line(failures[0].step_failure_data.error if failures else None)


def resources_config(
    warehouse: Path,
    limits: Limits | None = None,
    app_db: str | None = None,
    mail: Mail | None = None,
    province: str | None = None,
) -> dict:
    """The run config that hands a job this command's settings (as resources, not as environment).

    The mail settings travel without the SMTP password (read from the environment where it is sent)."""
    from orchestration.resources import limits_run_config, mail_run_config

    config: dict = {"warehouse": {"config": {"path": str(warehouse)}}}
    if province is not None:  # the province the warehouse holds (the reference rows a run reads)
        config["warehouse"]["config"]["province"] = province
    if app_db is not None:
        config["app_db"] = {"config": {"url": app_db}}
    if limits is not None:
        config.update(limits_run_config(limits))
    if mail is not None:
        config.update(mail_run_config(mail))
    return config


def _tell_waiting(path: Path) -> None:
    print(
        f"另一个运行正在进行，等待其结束… / another run holds {path}.lock: waiting for it to finish…",
        file=sys.stderr,
        flush=True,
    )


def run_pipeline(
    input_dir: Path,
    warehouse: Path | None = None,
    limits: Limits | None = None,
    wait_seconds: float = 600.0,
    app_db: str | None = None,
    province: str | None = None,
) -> RunOutcome:
    """Materialise every asset on the files under input_dir; the published warehouse is updated only on success.

    `province`: whose rows of the reference seeds the run reads (None: Settings' province, $DAIWEI_PROVINCE
    else 贵州). It reaches the run as the config of the `warehouse` resource (the province the warehouse
    holds), never through the environment."""
    quiet()
    wh = warehouse_path(warehouse)
    province = province_name(province) if province is not None else Settings.load().province
    # Take the run lock before Dagster starts, so a second run says it waits instead of waiting in silence.
    try:
        Warehouse(wh).acquire(wait_seconds, on_wait=lambda: _tell_waiting(wh))
    except RunLocked:
        return RunOutcome(
            success=False,
            run_id="",
            error=f"另一个运行仍在进行，已等待{wait_seconds:.0f}秒 / another run still holds {wh}.lock",
        )
    try:
        Warehouse(wh).prefetch()  # the run's copy of the warehouse, while Dagster is imported
        return _execute(input_dir, wh, limits or Limits(), app_db, province)
    finally:
        Warehouse(wh).release()  # published runs released it already; a failed run gives it back here


def _execute(input_dir: Path, wh: Path, limits: Limits, app_db: str | None, province: str) -> RunOutcome:
    from dagster import AssetCheckEvaluation

    from orchestration.definitions import defs

    job = defs.resolve_job_def("daiwei_run")
    log_path = run_log_path(wh)
    # dbt's progress and library warnings go to the run log; the user gets the summary.
    with open(log_path, "a", encoding="utf-8") as log, redirect_stdout(log), redirect_stderr(log):
        result = job.execute_in_process(
            run_config={
                "ops": {"offered_files": {"config": {"input_dir": str(Path(input_dir).resolve())}}},
                "loggers": {"console": {"config": {"log_level": "WARNING"}}},
                "resources": resources_config(wh, limits, app_db, province=province),
            },
            instance=instance(),
            raise_on_error=False,
        )
    outcome = RunOutcome(success=result.success, run_id=result.run_id, log=str(log_path))
    for ev in result.all_events:
        duration = getattr(ev.event_specific_data, "duration_ms", None)
        if ev.event_type_value == "STEP_SUCCESS" and ev.step_key and duration is not None:
            outcome.step_seconds[ev.step_key] = duration / 1000
    with open(log_path, "a", encoding="utf-8") as log:
        steps = ", ".join(f"{k} {v:.1f}s" for k, v in outcome.step_seconds.items())
        log.write(f"run {result.run_id} success={result.success} steps: {steps}\n")
    if not result.success:
        failures = result.get_step_failure_events()
        if failures:
            ev = failures[0]
            outcome.error = f"{step_label(ev.step_key)}: {_error_line(ev.step_failure_data.error)}"[:400]
        return outcome
    for ev in result.all_events:
        data = ev.event_specific_data
        if isinstance(data, AssetCheckEvaluation) and not data.passed:
            outcome.failed_checks.append(f"{data.asset_key.to_user_string()}: {data.check_name}")
    con = open_published(wh)
    try:
        outcome.files = con.execute(
            "SELECT file, dataset, sha256, rows_read, rows_loaded, rows_rejected, status, message "
            "FROM audit.load_log WHERE run_id = ? ORDER BY load_seq",
            [result.run_id],
        ).fetchall()
        _restatement_report(con, wh, outcome)
    finally:
        con.close()
    return outcome


def _restatement_report(con, wh: Path, outcome: RunOutcome) -> None:  # type: ignore[no-untyped-def]
    """Closed months keep their published figures; what this run would have changed is written as a report."""
    from reporting.appeals import restatement_table
    from reporting.exports import write_table

    table = restatement_table(con)
    outcome.restatements = len(table.rows)
    if table.rows:
        target = wh.parent / "restatements" / f"restatement_{outcome.run_id}.csv"
        write_table(table, target)
        outcome.restatement_file = str(target)
