"""`daiwei pack --send`: build the month's pack through Dagster and e-mail it to its recipients.

The same job and asset as `daiwei pack` and the monthly schedule (`kpi_pack` with `deliver`),
with this command's Settings handed to the run as resource config (warehouse, app db, mail;
never the SMTP password, which the run reads from $DAIWEI_SMTP_PASSWORD). What happened to
each recipient group comes back from the asset's metadata as one line each.
"""

from __future__ import annotations

from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

from cli.pack import PackFailed, _job, validate
from cli.runner import failure_line, instance, quiet, resources_config, run_log_path
from core.settings import Settings


@dataclass
class Delivered:
    """The pack's two files and one line per recipient group (sent, written to the outbox, failed, skipped)."""

    files: list[Path]
    lines: list[str] = field(default_factory=list)
    delivered: int = 0
    failed: int = 0


def send_pack(month: str, out_dir: Path, settings: Settings, contractor: str | None = None) -> Delivered:
    """Materialise `kpi_pack` with `deliver` for the month; a failed group is a line, not an exception."""
    from reporting.pack import file_names

    wh = settings.warehouse
    validate(month, wh)
    quiet()
    out = Path(out_dir).expanduser().resolve()
    log_path = run_log_path(wh)
    op_config = {"month": month, "out_dir": str(out), "contractor": contractor or "", "deliver": True}
    with open(log_path, "a", encoding="utf-8") as log, redirect_stdout(log), redirect_stderr(log):
        result = _job().execute_in_process(
            run_config={
                "ops": {"kpi_pack": {"config": op_config}},
                "loggers": {"console": {"config": {"log_level": "WARNING"}}},
                "resources": resources_config(wh, app_db=settings.app_db, mail=settings.mail),
            },
            instance=instance(),
            raise_on_error=False,
        )
    if not result.success:
        raise PackFailed(f"月报生成失败 / pack failed: {failure_line(result)} (log: {log_path})")
    meta = result.asset_materializations_for_node("kpi_pack")[-1].metadata
    text = meta.get("delivery")
    return Delivered(
        files=[out / name for name in file_names(month, contractor)],
        lines=[ln for ln in str(text.value if text is not None else "").splitlines() if ln],
        delivered=_value(meta.get("delivered_groups")),
        failed=_value(meta.get("failed_groups")),
    )


def _value(entry: object) -> int:
    value = getattr(entry, "value", 0)
    return value if isinstance(value, int) else 0
