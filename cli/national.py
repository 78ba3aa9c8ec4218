"""`daiwei national --lake DIR --out DIR [--province NAME ...]`: the national roll-up (scale.md item 4).

Runs the Dagster job `national_job` in this process (orchestration/assets/national.py): every
province of the lake (or those named) built on Spark by the same dbt project, then `nat_kpi`,
written as OUT/national_kpi.csv and .parquet. The lake and the provinces are checked here,
before Spark starts, so a wrong folder or an unknown province is a one-line usage error (exit 2).
The lake holds every contractor's rows, so only a role that sees everything may build from it
(access.md); a contractor account is refused, on the record, like `export-raw`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from core.settings import Settings

Handler = Callable[[argparse.Namespace], int]
MakeCommand = Callable[[str, str], argparse.ArgumentParser]


def register(command: MakeCommand, settings_of: Callable[[argparse.Namespace], Settings]) -> dict[str, Handler]:
    """Add `national` to the parser; returns its handler by command name."""
    n = command(
        "national",
        "全国汇总：各省数据湖在 Spark 上计算 KPI，含跨省代维公司 / the national KPI table on Spark from several "
        "provinces' lake partitions, contractors pooled across provinces",
    )
    n.add_argument(
        "--lake",
        required=True,
        metavar="DIR",
        help="daiwei export-raw 写出的数据湖 / a lake written by daiwei export-raw (required)",
    )
    n.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="输出文件夹，写入 national_kpi.csv 与 .parquet / folder for national_kpi.csv and .parquet (required)",
    )
    n.add_argument(
        "--province",
        action="append",
        dest="provinces",
        metavar="NAME",
        help="只汇总这些省份，可重复 / only these provinces, repeatable (default: every province in the lake)",
    )

    def handler(args: argparse.Namespace) -> int:
        return cmd_national(args, settings_of(args))

    return {"national": handler}


def cmd_national(args: argparse.Namespace, settings: Settings) -> int:
    from cli.acting import require_everything
    from cli.errors import EXIT_OK, EXIT_REJECTED, UsageError
    from cli.runner import failure_line, instance, quiet
    from reporting.lake import NotALake, provinces_in

    lake, out = Path(args.lake).expanduser(), Path(args.out).expanduser()
    try:
        held = provinces_in(lake)
    except (NotALake, OSError) as exc:
        raise UsageError(str(exc) if isinstance(exc, NotALake) else f"{lake}: 无法读取 / cannot read: {exc}") from None
    wanted = list(dict.fromkeys(args.provinces or held))
    unknown = [p for p in wanted if p not in held]
    if unknown or not wanted:
        have = ", ".join(held) or "无 / none"
        raise UsageError(
            f"{lake}: 数据湖中没有省份 {', '.join(unknown) or '(空)'}，已有：{have} / the lake holds no such province: "
            f"{', '.join(unknown) or '(none)'}; it holds: {have}"
        )
    from ingestion.datasets import DATASETS
    from reporting.lake import DECIDED, missing_datasets

    required = [d.name for d in DATASETS] + ["load_log", "rejects"] + [name for name, _ in DECIDED]
    for province in wanted:
        missing = missing_datasets(lake, province, required)
        if missing:
            lacks = ", ".join(missing)
            raise UsageError(
                f"{lake}: 「{province}」的导出缺少 {lacks}，请用当前版本重新导出 / {province}'s export lacks "
                f"{lacks}: export it again with this version (daiwei export-raw)"
            )
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: 这是文件，--out 应为文件夹 / is a file: --out names a folder here")
    target = f"national --lake {lake} --province {','.join(wanted)} -> {out}"
    require_everything(
        settings,
        target,
        "无权做全国汇总：数据湖含所有代维公司的数据 / a contractor account may not build the national table "
        "(the lake holds every contractor's rows): national",
    )

    from orchestration.assets.national import LOG_NAME, NATIONAL_JOB
    from orchestration.definitions import defs
    from reporting.national import CSV_NAME, PARQUET_NAME

    quiet()
    out.mkdir(parents=True, exist_ok=True)
    log = out / LOG_NAME
    started = time.monotonic()
    print(f"全国汇总开始 / national build started: {len(wanted)} 个省份 provinces ({', '.join(wanted)}), Spark")
    config = {"lake": str(lake.resolve()), "out_dir": str(out.resolve()), "provinces": wanted}
    with (
        open(out / ".national.dagster.log", "w", encoding="utf-8") as chatter,
        redirect_stdout(chatter),
        redirect_stderr(chatter),
    ):
        result = defs.resolve_job_def(NATIONAL_JOB).execute_in_process(
            run_config={
                "ops": {"national_kpi": {"config": config}},
                "loggers": {"console": {"config": {"log_level": "WARNING"}}},
            },
            instance=instance(),
            raise_on_error=False,
        )
    if not result.success:
        print(f"全国汇总失败 / national build failed: {failure_line(result)} (log: {log})", file=sys.stderr)
        return EXIT_REJECTED
    meta = result.asset_materializations_for_node("national_kpi")[0].metadata
    seconds = time.monotonic() - started
    print(f"全国 KPI 表已写出 / national KPI table written: {out / CSV_NAME}, {out / PARQUET_NAME}")
    print(f"  行 rows: {meta['rows'].value:,}   省份 provinces: {meta['provinces'].value}")
    pooled = meta["contractors_in_several_provinces"].value or "无 / none"
    print(f"  跨省代维公司 / contractors in several provinces (pooled, province ''): {pooled}")
    print(f"  用时 / took {seconds:.0f} s; 日志 / log: {log}")
    return EXIT_OK
