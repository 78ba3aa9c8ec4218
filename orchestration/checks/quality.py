"""Great Expectations over the raw assets: one Dagster step per run, warnings only.

One `@multi_asset_check` runs every suite of `quality/` in a single step
(GE is imported once, the device metrics aggregated once) on the run's build
copy, the same file the raw assets wrote and the publish step later moves
into place, and stores the results in its `audit.dq_results`. It reports one
check per raw asset (`data_quality`) plus `ledger_matches_eoms` on raw_ledger.

Why `blocking=True` with `AssetCheckSeverity.WARN` (checked in the installed
Dagster 1.13.27 source):

* `_core/definitions/assets/job/asset_job.py` wires every asset downstream of
  a checked asset (load_log, rejects, the dbt models through their sources) to
  the outputs of that asset's *blocking* checks, so this step always runs
  after all nine raw assets and before any dbt model;
* `_core/execution/plan/execute_step.py` fails the step only for an
  evaluation that is `not passed and severity == ERROR and blocking`; a failed
  WARN evaluation is just recorded, and downstream steps run. (With ERROR the
  step raises DagsterAssetCheckFailedError and every downstream step is
  skipped, which is what must not happen to the KPIs.)

For the same reason an exception inside the suites (a bug, a locked file) is
caught and reported as failed WARN evaluations carrying the error: a data
quality problem in the checks never stops the KPIs from building.

No `from __future__ import annotations` here: Dagster inspects the `context`
annotation when the check is defined.
"""

import time
import traceback
from collections.abc import Iterator, Sequence

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from orchestration.assets.ingestion import RAW_ASSETS
from orchestration.resources import WarehouseResource
from quality.catalog import checks as suite_checks

WORST_SHOWN = 5
_RAW_BY_NAME = {a.key.to_user_string(): a for a in RAW_ASSETS}
# Checks that read other raw tables than their own asset's (lineage shown in the UI).
_EXTRA_DEPS = {("raw_ledger", "ledger_matches_eoms"): ["raw_eoms_circuits"]}


def _specs() -> list[AssetCheckSpec]:
    specs = []
    for (asset, check_name), suites in suite_checks().items():
        specs.append(
            AssetCheckSpec(
                name=check_name,
                asset=_RAW_BY_NAME[asset],
                blocking=True,
                additional_deps=[_RAW_BY_NAME[a] for a in _EXTRA_DEPS.get((asset, check_name), [])],
                description="Great Expectations (warn only; results in audit.dq_results): "
                + "; ".join(f"{sd.name}: {sd.doc}" for sd in suites),
            )
        )
    return specs


RAW_QUALITY_SPECS = _specs()
_SUITES_BY_CHECK = {
    AssetCheckKey(AssetKey(asset), name): [sd.name for sd in suites] for (asset, name), suites in suite_checks().items()
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


@multi_asset_check(
    specs=RAW_QUALITY_SPECS,
    name="raw_data_quality",
    description="Great Expectations suites over the raw tables (quality/); warnings never stop the KPIs.",
    can_subset=True,
)
def raw_data_quality(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator[AssetCheckResult]:
    selected = [k for k in context.selected_asset_check_keys if k in _SUITES_BY_CHECK]
    suites = sorted({s for k in selected for s in _SUITES_BY_CHECK[k]})
    run_id = context.run.run_id
    started = time.perf_counter()
    try:
        from ingestion.loader import months_loaded
        from quality.runner import run_suites  # pandas / GE only when checks actually run

        with warehouse.get().connect_build(run_id) as con:
            # Only the months this run loaded rows for: adding a month does not re-validate the year.
            report = run_suites(con, run_id, suites=suites, months=months_loaded(con, run_id))
    except Exception as exc:  # never let the checks stop the KPIs
        context.log.warning("data-quality suites failed: %s\n%s", exc, traceback.format_exc())
        for key in selected:
            yield AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=False,
                severity=AssetCheckSeverity.WARN,
                description=f"data-quality suites could not run: {exc}"[:500],
                metadata={"error": MetadataValue.text(traceback.format_exc()[-4000:])},
            )
        return
    seconds = time.perf_counter() - started
    for key in sorted(selected, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        yield _result(key, report.for_check(key.asset_key.to_user_string(), key.name), seconds, run_id)
