"""Great Expectations over the loaded data: one Dagster step per run, warnings only.

`data_quality` is an asset (the run's rows of `audit.dq_results`) with one check per
raw dataset and check name. It runs every suite of `quality/` in a single step (GE
imported once, the device metrics aggregated once) on the run's build copy, after
the dbt models it reads: the month spine (`int_months`), the circuits in service
at month end (`int_circuit_months_in_service`), the device-month aggregate
(`int_device_months_aggregated`, incremental) and the reference seeds, so those
rules are written once, in dbt. The publish step waits for it, so the published
file always carries the run's results (read through the `mart_dq_scores` view).

Severity is WARN: a failed expectation is recorded and shown, never stops the
KPIs; the dbt data tests are what block a publish. An exception inside the suites
(a bug, a locked file) is reported as failed WARN evaluations carrying the error,
and the asset still materializes, so the publish goes ahead.

No `from __future__ import annotations` here: Dagster inspects the `context`
annotation when the asset is defined.
"""

import time
import traceback
from collections.abc import Sequence

from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration.assets.ingestion import RAW_ASSETS
from orchestration.resources import WarehouseResource
from quality.catalog import checks as suite_checks

WORST_SHOWN = 5
QUALITY_KEY = AssetKey("data_quality")
# The dbt models and seeds the suites read (quality/reference.py): rules written once, in dbt.
# (The reference seeds hold every province's rows; the suites read those of the warehouse's province.)
DBT_INPUTS = (
    "int_months",
    "int_circuit_months_in_service",
    "int_device_months_aggregated",
    "ref_prefectures",
    "ref_counties",
    "ref_contractor_prefectures",
    "health_thresholds",
)


def check_name(asset_name: str, name: str) -> str:
    """`tickets` for a dataset's general check, the check's own name otherwise (`ledger_matches_eoms`)."""
    return asset_name.removeprefix("raw_") if name == "data_quality" else name


def _specs() -> list[AssetCheckSpec]:
    return [
        AssetCheckSpec(
            name=check_name(asset_name, name),
            asset=QUALITY_KEY,
            description=f"Great Expectations over {asset_name} (warn only; results in audit.dq_results): "
            + "; ".join(f"{sd.name}: {sd.doc}" for sd in suites),
        )
        for (asset_name, name), suites in suite_checks().items()
    ]


QUALITY_SPECS = _specs()
_SOURCE = {AssetCheckKey(QUALITY_KEY, check_name(a, n)): (a, n) for (a, n) in suite_checks()}
_SUITES_BY_CHECK = {
    AssetCheckKey(QUALITY_KEY, check_name(a, n)): [sd.name for sd in suites]
    for (a, n), suites in suite_checks().items()
}


def _worst(results: Sequence) -> list[dict]:
    failed = [r for r in results if not r.success]
    failed.sort(
        key=lambda r: (
            -(r.unexpected_percent or 0.0),
            -(r.unexpected_count or 0),
            r.suite,
            r.expectation,
            r.contractor or "",
            r.month or "",
        )
    )
    return [
        {
            "suite": r.suite,
            "expectation": r.expectation,
            "contractor": r.contractor,
            "month": r.month,
            "observed": r.observed_value,
            "first_unexpected": r.unexpected_sample[0] if r.unexpected_sample else None,
        }
        for r in failed[:WORST_SHOWN]
    ]


def _result(key: AssetCheckKey, results: Sequence, seconds: float, run_id: str) -> AssetCheckResult:
    failed = [r for r in results if not r.success]
    contractor_months = sorted({f"{r.contractor or '-'} {r.month or ''}".strip() for r in failed})
    return AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=not failed,
        severity=AssetCheckSeverity.WARN,
        description=f"{len(failed)} of {len(results)} expectations failed (warning only)",
        metadata={
            "suites": MetadataValue.json(_SUITES_BY_CHECK[key]),
            "expectations_evaluated": len(results),
            "expectations_failed": len(failed),
            "failed_in": MetadataValue.json(contractor_months[:50]),
            "worst": MetadataValue.json(_worst(results)),
            "results_table": "audit.dq_results",
            "dq_run_id": run_id,
            "suite_seconds": round(seconds, 2),
        },
    )


@asset(
    key=QUALITY_KEY,
    deps=[*RAW_ASSETS, *(AssetKey(name) for name in DBT_INPUTS)],
    check_specs=QUALITY_SPECS,
    group_name="quality",
    kinds={"duckdb"},
    description="数据质量检查 (Great Expectations, warn only): this run's rows of audit.dq_results.",
)
def data_quality(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    keys = sorted(_SUITES_BY_CHECK, key=lambda k: k.name)
    run_id = context.run.run_id
    started = time.perf_counter()
    try:
        from ingestion.loader import months_loaded
        from quality.runner import run_suites  # pandas / GE only when the step actually runs

        with warehouse.get().connect_build(run_id) as con:
            # Only the months this run loaded rows for: adding a month does not re-validate the year.
            # The reference seeds' rows of the warehouse's province (resource `warehouse`, field `province`).
            province = warehouse.get_province()
            report = run_suites(con, run_id, months=months_loaded(con, run_id), province=province)
    except Exception as exc:  # never let the checks stop the KPIs
        context.log.warning("data-quality suites failed: %s\n%s", exc, traceback.format_exc())
        failed = [
            AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=False,
                severity=AssetCheckSeverity.WARN,
                description=f"data-quality suites could not run: {exc}"[:500],
                metadata={"error": MetadataValue.text(traceback.format_exc()[-4000:])},
            )
            for key in keys
        ]
        return MaterializeResult(metadata={"error": str(exc)[:500]}, check_results=failed)
    seconds = time.perf_counter() - started
    results = [_result(key, report.for_check(*_SOURCE[key]), seconds, run_id) for key in keys]
    return MaterializeResult(
        metadata={
            "expectations_evaluated": len(report.results),
            "expectations_failed": sum(not r.success for r in report.results),
            "results_table": "audit.dq_results",
            "seconds": round(seconds, 2),
        },
        check_results=results,
    )
