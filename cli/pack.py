"""`daiwei pack`: run the Dagster job `kpi_pack_job` in this process and return the two files.

`--month` takes a month (2026-10), a quarter (2026-Q3) or a year (2026): KPI月报_2026-Q3.xlsx / .pdf
hold the period's figures (reporting/pack/content.py). The month is checked here, before Dagster
starts, so a month without data is a one-line usage error (exit 2) rather than a failed run. Dagster's and the
libraries' chatter goes to the run log next to the warehouse, like `daiwei run`.
"""

from __future__ import annotations

import os
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from cli.runner import failure_line, instance, quiet, resources_config, run_log_path
from core.warehouse import warehouse_path
from reporting.exports import NoData


class PackFailed(RuntimeError):
    """The pack job failed after it started (the run log has the traceback)."""


def _job() -> Any:
    """kpi_pack_job of the project's one Definitions (the same asset the schedule and the UI run)."""
    from orchestration.assets.pack import PACK_JOB
    from orchestration.definitions import defs

    return defs.resolve_job_def(PACK_JOB)


def is_label(value: str | None) -> bool:
    """A month (2026-10), a quarter (2026-Q3) or a year (2026): what `pack --month` accepts."""
    from core.months import BadPeriod, parse_period

    try:
        parse_period(value or "")
    except BadPeriod:
        return False
    return True


def validate(month: str, warehouse: Path) -> None:
    """NoData (one line, Chinese and English) unless the published warehouse holds the month."""
    from reporting.pack.content import check_month

    if not is_label(month):
        raise NoData(f"月份格式应为 YYYY-MM、YYYY-Qn 或 YYYY / month must be YYYY-MM, YYYY-Qn or YYYY: {month}")
    if not warehouse.exists():
        raise NoData(f"{warehouse}: 仓库不存在，请先运行 daiwei run / warehouse not found, run `daiwei run` first")
    check_month(warehouse, month)


def run_pack(
    month: str, out_dir: Path, warehouse: str | os.PathLike[str] | None = None, contractor: str | None = None
) -> list[Path]:
    """Materialise `kpi_pack` for the month into out_dir; returns [xlsx, pdf] (a contractor's: its rows only)."""
    from reporting.pack import file_names

    wh = warehouse_path(warehouse)
    validate(month, wh)
    quiet()
    out = Path(out_dir).expanduser().resolve()
    log_path = run_log_path(wh)
    with open(log_path, "a", encoding="utf-8") as log, redirect_stdout(log), redirect_stderr(log):
        result = _job().execute_in_process(
            run_config={
                "ops": {"kpi_pack": {"config": {"month": month, "out_dir": str(out), "contractor": contractor or ""}}},
                "loggers": {"console": {"config": {"log_level": "WARNING"}}},
                "resources": resources_config(wh),
            },
            instance=instance(),
            raise_on_error=False,
        )
    if not result.success:
        raise PackFailed(f"月报生成失败 / pack failed: {failure_line(result)} (log: {log_path})")
    return [out / name for name in file_names(month, contractor)]
