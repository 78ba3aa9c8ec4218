"""The dbt project as Dagster assets: every model an asset, every dbt test an asset check."""

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Failure
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.dbt_manifest import ensure_manifest
from orchestration.resources import WarehouseResource, dbt_project


class DaiweiTranslator(DagsterDbtTranslator):
    """Assets are named after the model (`fct_kpi`); groups follow the dbt layers; seeds are the rules."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props.get("resource_type") in ("model", "seed", "snapshot"):
            return AssetKey(dbt_resource_props["name"])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "seed":
            return "rules"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "marts"


def _failed_nodes(target_path: Path) -> list[str]:
    """Models and seeds that errored (failing tests only warn: they never stop the KPIs)."""
    results = target_path / "run_results.json"
    if not results.exists():
        return []
    data = json.loads(results.read_text(encoding="utf-8"))
    return [
        f"{r['unique_id']}: {(r.get('message') or '').splitlines()[0] if r.get('message') else 'error'}"
        for r in data.get("results", [])
        if r.get("status") == "error"
        and not r["unique_id"].startswith("test.")
        and not r["unique_id"].startswith("unit_test.")
    ]


def _drop_target(target_path: Path) -> None:
    """dagster-dbt gives every invocation its own target folder (~15 MB of compiled SQL and results):
    once the failures are read it is of no use, and keeping it grew dbt_project/target by 15 MB a run."""
    project_target = (dbt_project.project_dir / "target").resolve()
    resolved = Path(target_path).resolve()
    if resolved != project_target and project_target in resolved.parents:
        shutil.rmtree(resolved, ignore_errors=True)


@dbt_assets(
    manifest=ensure_manifest(dbt_project),
    project=dbt_project,
    dagster_dbt_translator=DaiweiTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def daiwei_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """One `dbt build` per run, against this run's private copy of the warehouse."""
    build = warehouse.get().ensure_build(context.run.run_id)
    # The build copy reaches dbt's profile as a variable (profiles.yml), never through os.environ.
    # Unit tests check the SQL, not the data: they run in `make test`, not in every load.
    args = ["build", "--exclude-resource-type", "unit_test", "--vars", json.dumps({"daiwei_db_path": str(build)})]
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    try:
        yield from invocation.stream()
    finally:  # never leave a dbt process holding the build file's lock
        if invocation.process.poll() is None:
            invocation.process.terminate()
            invocation.process.wait(timeout=30)
    failed = _failed_nodes(invocation.target_path)
    _drop_target(invocation.target_path)
    if failed:
        raise Failure(description="dbt 模型构建失败 / dbt models failed: " + "; ".join(failed[:5]))
