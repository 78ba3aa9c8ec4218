"""The dbt project as Dagster assets: every model an asset, every dbt test an asset check."""

import hashlib
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Failure
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.dbt_manifest import ensure_manifest
from orchestration.resources import WarehouseResource, dbt_project

PARTIAL_PARSE = "partial_parse.msgpack"


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


def macros_sha256() -> str:
    """One hash of the project's macros: part of the rules fingerprint of the incremental ticket
    models (macros/incremental.sql), so editing a macro they use recomputes every ticket."""
    digest = hashlib.sha256()
    for path in sorted((dbt_project.project_dir / "macros").rglob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _tidy_target(target_path: Path) -> None:
    """Keep only dbt's saved parse of the project: the compiled SQL and results of a run (~15 MB) are
    of no use once its failures are read, and the parse lets the next run skip parsing (~10 s)."""
    if not target_path.is_dir():
        return
    for entry in target_path.iterdir():
        if entry.name == PARTIAL_PARSE:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


@dbt_assets(
    manifest=ensure_manifest(dbt_project),
    project=dbt_project,
    dagster_dbt_translator=DaiweiTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def daiwei_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """One `dbt build` per run, against this run's private copy of the warehouse."""
    wh = warehouse.get()
    build = wh.ensure_build(context.run.run_id)
    # The build copy reaches dbt's profile as a variable (profiles.yml), never through os.environ.
    # Unit tests check the SQL, not the data: they run in `make test`, not in every load.
    # dbt's own log file is not kept: the run log has its progress, the failures are read below.
    variables = json.dumps({"daiwei_db_path": str(build), "daiwei_macros_sha256": macros_sha256()})
    args = ["build", "--log-level-file", "none", "--exclude-resource-type", "unit_test", "--vars", variables]
    invocation = dbt.cli(args, context=context, raise_on_error=False, target_path=wh.dbt_target)
    try:
        yield from invocation.stream()
    finally:  # never leave a dbt process holding the build file's lock
        if invocation.process.poll() is None:
            invocation.process.terminate()
            invocation.process.wait(timeout=30)
    failed = _failed_nodes(invocation.target_path)
    _tidy_target(invocation.target_path)
    if failed:
        raise Failure(description="dbt 模型构建失败 / dbt models failed: " + "; ".join(failed[:5]))
