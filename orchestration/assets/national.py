"""The national roll-up (scale.md item 4) as a Dagster asset: `daiwei national` runs this one asset.

From a lake written by `daiwei export-raw` (several provinces' partitions), on Spark:

1. for each province, its partitions are registered as the project's sources in a Spark
   metastore of its own (`dbt_project/scripts/spark_sources.py --lake`) and the same dbt
   project builds every model the KPI table needs (`+fct_kpi`, the exact units and the
   contractor months) with `--target spark`: a province's figures on Spark are its DuckDB
   figures (tests/test_spark_parity.py);
2. the provinces' tables are registered as the sources of models/national
   (`spark_sources.py --national`), and `nat_kpi` is built with its unit and data tests;
3. reporting/national.py writes national_kpi.csv and .parquet into the out folder.

Each step is a subprocess (Derby, the embedded metastore, admits one process at a time);
their output goes to OUT/national.log. The working folders go once the files are written.
No `from __future__ import annotations` here: Dagster inspects the annotations.
"""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from dagster import AssetExecutionContext, Config, Failure, MaterializeResult, MetadataValue, asset, define_asset_job
from pydantic import Field

from orchestration.dbt_in_build import dbt_executable
from orchestration.resources import DBT_PROJECT_DIR
from reporting.lake import provinces_in
from reporting.national import write_national

NATIONAL_JOB = "national_job"
LOG_NAME = "national.log"
WORK_NAME = "_national_build"
# what a province's build on Spark must hold for the national model: the KPI rows and their exact inputs
PROVINCE_SELECTION = ("+fct_kpi", "+int_kpi_measures", "+int_contractor_months_scored")


class NationalConfig(Config):
    """Which lake, which provinces (none: every province in the lake), where the table goes."""

    lake: str
    out_dir: str
    provinces: list[str] = Field(default_factory=list)
    driver_memory: str = "4g"  # Spark's driver (local mode: the whole engine)
    keep_build: bool = False  # keep OUT/_national_build (the provinces' Spark warehouses) for inspection


def _tail(text: str, lines: int = 12) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _step(context: AssetExecutionContext, log: Path, what: str, argv: list[str], cwd: Path | None = None) -> None:
    """Run one subprocess, its output appended to the log; a failure names the step and its last lines."""
    started = time.monotonic()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"\n=== {what} ({time.monotonic() - started:.1f} s, exit {done.returncode})\n$ {' '.join(argv)}\n")
        f.write(done.stdout)
        f.write(done.stderr)
    if done.returncode != 0:
        raise Failure(
            description=f"{what}: 失败 / failed (exit {done.returncode}), log: {log}",
            metadata={"output": MetadataValue.text(_tail(done.stdout + done.stderr))},
        )
    context.log.info(f"{what}: {time.monotonic() - started:.1f} s")


def _dbt(args: list[str], spark_dir: Path, variables: dict[str, object], driver_memory: str) -> list[str]:
    project = DBT_PROJECT_DIR
    settings = {"daiwei_spark_dir": str(spark_dir), "daiwei_spark_driver_memory": driver_memory, **variables}
    return [
        dbt_executable(),
        *args,
        "--target",
        "spark",
        "--profiles-dir",
        str(project),
        "--project-dir",
        str(project),
        "--target-path",
        str(spark_dir / "target"),
        "--log-path",
        str(spark_dir / "logs"),
        "--vars",
        json.dumps(settings, ensure_ascii=False),
    ]


_national_asset = asset(
    name="national_kpi",
    group_name="national",
    kinds={"spark", "dbt", "parquet"},
    description="national_kpi.csv + .parquet: every province's KPI rows with its province, and the rows pooled "
    "across provinces (a contractor on its summed exact units; the whole country), built on Spark from a lake.",
)


@_national_asset
def national_kpi(context: AssetExecutionContext, config: NationalConfig) -> MaterializeResult:
    lake = Path(config.lake).expanduser().resolve()
    out = Path(config.out_dir).expanduser().resolve()
    provinces = list(config.provinces) or provinces_in(lake)
    if not provinces:
        raise Failure(description=f"{lake}: 数据湖中没有省份 / the lake holds no province")
    out.mkdir(parents=True, exist_ok=True)
    log, work = out / LOG_NAME, out / WORK_NAME
    log.write_text("", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    sources = str(DBT_PROJECT_DIR / "scripts" / "spark_sources.py")
    builds: list[tuple[str, Path]] = []
    for i, province in enumerate(provinces):
        spark_dir = work / f"p{i}"
        _step(
            context,
            log,
            f"{province}: 注册数据湖 / lake registered",
            [sys.executable, sources, "--lake", str(lake), "--province", province, "--spark-dir", str(spark_dir)],
        )
        build = ["build", "--select", *PROVINCE_SELECTION, "--exclude", "resource_type:test", "resource_type:unit_test"]
        _step(
            context,
            log,
            f"{province}: dbt build (Spark)",
            _dbt(build, spark_dir, {"daiwei_province": province}, config.driver_memory),
            cwd=DBT_PROJECT_DIR,
        )
        builds.append((province, spark_dir))
    national_dir = work / "national"
    _step(
        context,
        log,
        "national: 注册各省结果 / provinces registered",
        [
            sys.executable,
            sources,
            "--national",
            "--spark-dir",
            str(national_dir),
            *(f"--build={p}={d}" for p, d in builds),
        ],
    )
    _step(
        context,
        log,
        "national: dbt build nat_kpi (Spark)",
        _dbt(
            ["build", "--select", "+nat_kpi", "--indirect-selection", "cautious"],
            national_dir,
            {"daiwei_national": True},
            config.driver_memory,
        ),
        cwd=DBT_PROJECT_DIR,
    )
    files = sorted((national_dir / "warehouse" / "national.db" / "nat_kpi").glob("*.parquet"))
    written = write_national(files, out)
    if not config.keep_build:
        shutil.rmtree(work, ignore_errors=True)
    context.log.info(f"national_kpi: {written.rows} rows, provinces {', '.join(written.provinces)}")
    return MaterializeResult(
        metadata={
            "csv": MetadataValue.path(str(written.csv)),
            "parquet": MetadataValue.path(str(written.parquet)),
            "rows": written.rows,
            "provinces": ", ".join(written.provinces),
            "contractors_in_several_provinces": ", ".join(written.pooled_contractors),
            "log": MetadataValue.path(str(log)),
        }
    )


national_job = define_asset_job(NATIONAL_JOB, selection=[national_kpi.key])
