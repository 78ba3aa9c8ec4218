"""The dbt project as Dagster assets: every model an asset, every dbt test an asset check."""

import hashlib
import importlib.metadata
import json
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetExecutionContext, AssetKey, Failure, Output

from core.warehouse import Warehouse
from orchestration.dbt_in_build import BUILD_DIR_VAR
from orchestration.dbt_inputs import all_passed, inputs_sha256, last_built, project_sha256, record_built
from orchestration.dbt_lib import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliInvocation, dbt_assets
from orchestration.dbt_manifest import ensure_manifest, run_vars
from orchestration.resources import DaiweiDbtCliResource, WarehouseResource, dbt_project
from quality import gx_engine

PARTIAL_PARSE = "partial_parse.msgpack"

# The seeds a warehouse holds, loaded and tested (decision 91): one row, written after a build
# whose seeds all loaded and whose seed-only tests all passed.
SEEDS_LOADED = "audit.dbt_seeds_loaded"


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


def _stream_noting_results(invocation: DbtCliInvocation, results: dict[str, Any]) -> Iterator[Any]:
    """dagster-dbt's events of an invocation, noting each node's status and error in RESULTS
    (shaped as run_results.json, which dbt does not write: `--no-write-json`, decision 105)."""
    rows: dict[str, dict[str, Any]] = {}
    messages: dict[str, str] = {}
    for event in invocation.stream_raw_events():
        data = event.raw_event.get("data", {})
        node = data.get("node_info") or {}
        unique_id = node.get("unique_id")
        if unique_id and event.raw_event.get("info", {}).get("name") == "RunResultError":
            messages[unique_id] = str(data.get("msg") or "")
        if unique_id and event.is_result_event:
            rows[unique_id] = {"unique_id": unique_id, "status": node.get("node_status")}
        yield from event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=invocation.context,
            target_path=invocation.target_path,
            project=invocation.project,
        )
    for unique_id, message in messages.items():
        if unique_id in rows:
            rows[unique_id]["message"] = message
    results["results"] = list(rows.values())


def _unchanged_outputs(context: AssetExecutionContext, manifest: Mapping[str, Any], run_id: str) -> Iterator[Output]:
    """Every selected model and seed, as kept (decision 104), parents before children."""
    nodes, parents = manifest.get("nodes", {}), manifest.get("parent_map", {})
    selected = set(context.selected_output_names)
    order: list[str] = []
    seen: set[str] = set()

    def visit(unique_id: str) -> None:
        if unique_id in seen:
            return
        seen.add(unique_id)
        for parent in parents.get(unique_id, []):
            visit(parent)
        order.append(unique_id)

    for unique_id in sorted(nodes):
        visit(unique_id)
    for unique_id in order:
        node = nodes.get(unique_id, {})
        if node.get("resource_type") not in ("model", "seed", "snapshot"):
            continue
        name = context.assets_def.get_output_name_for_asset_key(AssetKey(node["name"]))
        if name in selected:
            yield Output(None, output_name=name, metadata={"dbt": f"inputs unchanged since run {run_id}: kept"})


def _failed_nodes(data: Mapping[str, Any]) -> list[str]:
    """Models and seeds that errored (failing tests only warn: they never stop the KPIs)."""
    return [
        f"{r['unique_id']}: {(r.get('message') or '').splitlines()[0] if r.get('message') else 'error'}"
        for r in data.get("results", [])
        if r.get("status") == "error"
        and not r["unique_id"].startswith("test.")
        and not r["unique_id"].startswith("unit_test.")
    ]


def seeds_sha256() -> str:
    """Everything that decides what the seeds hold and what their tests say: the seed files and
    their configs, the project file, the schema files, singular and generic tests, the macros, and
    the versions of dbt and its DuckDB adapter."""
    root = Path(dbt_project.project_dir)
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        digest.update(f"{package}=={importlib.metadata.version(package)}\0".encode())
    files = [root / "dbt_project.yml"]
    for folder, pattern in (("seeds", "*"), ("tests", "*"), ("macros", "*.sql"), ("models", "*.yml")):
        files += sorted(p for p in (root / folder).rglob(pattern) if p.is_file())
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _seeds_already_loaded(wh: Warehouse, run_id: str, fingerprint: str) -> bool:
    with wh.connect_build(run_id) as con:
        try:
            row = con.execute(f"SELECT fingerprint FROM {SEEDS_LOADED}").fetchone()
        except duckdb.CatalogException:
            return False
    return row is not None and row[0] == fingerprint


def _seeds_passed(results: Mapping[str, Any], manifest: Mapping[str, Any]) -> bool:
    """Every seed loaded and every test that reads only seeds passed, in this invocation."""
    nodes = manifest.get("nodes", {})

    def on_seeds_only(unique_id: str) -> bool:
        if unique_id.startswith("seed."):
            return True
        parents = nodes.get(unique_id, {}).get("depends_on", {}).get("nodes", [])
        return unique_id.startswith("test.") and bool(parents) and all(p.startswith("seed.") for p in parents)

    wanted = {uid for uid in nodes if on_seeds_only(uid)}
    statuses = {r["unique_id"]: r.get("status") for r in results.get("results", []) if r["unique_id"] in wanted}
    return statuses.keys() == wanted and all(status in ("success", "pass") for status in statuses.values())


def _kept_seed_outputs(context: AssetExecutionContext, manifest: Mapping[str, Any]) -> Iterator[Output]:
    """The seeds this build kept are part of its result: without their outputs Dagster would skip
    every step downstream of a seed (the quality suites, the publish)."""
    selected = set(context.selected_output_names)
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "seed":
            continue
        name = context.assets_def.get_output_name_for_asset_key(AssetKey(node["name"]))
        if name in selected:
            yield Output(None, output_name=name, metadata={"seed": "unchanged since the build that loaded it"})


def _record_seeds(wh: Warehouse, run_id: str, fingerprint: str) -> None:
    with wh.connect_build(run_id) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS audit")
        con.execute(
            f"CREATE OR REPLACE TABLE {SEEDS_LOADED} AS SELECT ? AS fingerprint, CAST(now() AS TIMESTAMP) AS loaded_at",
            [fingerprint],
        )


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
def daiwei_dbt_models(context: AssetExecutionContext, dbt: DaiweiDbtCliResource, warehouse: WarehouseResource):
    """One `dbt build` per run, against this run's private copy of the warehouse."""
    wh = warehouse.get()
    build = wh.ensure_build(context.run.run_id)
    # dbt works in the build copy's folder (`daiwei_build_dir`, taken out of the vars by
    # orchestration/dbt_in_build.py before dbt sees them), never told through os.environ; the
    # warehouse's province is a var (`daiwei_province`: whose contracts mart_settlement prices).
    # Unit tests check the SQL, not the data: they run in `make test`, not in every load.
    # dbt's own log file is not kept: the run log has its progress, the failures are read below.
    province = warehouse.get_province()
    variables = json.dumps(
        {BUILD_DIR_VAR: str(build.parent), **dbt.run_vars(), **run_vars(Path(dbt_project.project_dir), province)},
        ensure_ascii=False,
        sort_keys=True,
    )
    # Nor are manifest.json (≈ 1.2 s, written twice) and run_results.json: the statuses come from
    # dbt's events (_stream_noting_results); dbt's saved parse is still written.
    args = [
        *("build", "--log-level-file", "none", "--no-write-json"),
        *("--exclude-resource-type", "unit_test", "--vars", variables),
    ]
    # Seeds the warehouse already holds, unchanged and tested, are neither loaded nor tested again
    # (a third of the nodes). `cautious` keeps the tests of models that also read a seed.
    fingerprint = seeds_sha256()
    seeds_kept = _seeds_already_loaded(wh, context.run.run_id, fingerprint)
    if seeds_kept:
        args += ["--exclude", "resource_type:seed", "--indirect-selection", "cautious"]
    # The data-quality step comes next, in this process: Great Expectations loads while dbt works.
    gx_engine.warm_up()
    # Nothing a build reads changed since the last complete build whose tests all passed: it would
    # write the same rows (no model reads the clock), so it is not run (decision 104).
    manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
    # everything selected: every model, seed and test (a partial materialisation from the UI builds as asked)
    complete = set(context.selected_output_names) >= {
        *context.assets_def.keys_by_output_name,
        *context.assets_def.check_specs_by_output_name,
    }
    with wh.connect_build(context.run.run_id) as con:
        inputs = inputs_sha256(
            con, manifest, project_sha256(Path(dbt_project.project_dir)), [f"daiwei_province={province}"]
        )
        built = last_built(con)
    if complete and built is not None and built[0] == inputs:
        context.log.info(f"dbt: 输入未变 / inputs unchanged since run {built[1]}: the models are kept as built")
        yield from _unchanged_outputs(context, manifest, built[1])
        return
    invocation = dbt.cli(args, context=context, raise_on_error=False, target_path=wh.dbt_target)
    results: dict[str, Any] = {}
    try:
        if seeds_kept:  # first: Dagster wants a multi-asset's outputs in the order of the graph
            yield from _kept_seed_outputs(context, invocation.manifest)
        yield from _stream_noting_results(invocation, results)
    finally:  # never leave a dbt process holding the build file's lock
        if invocation.process.poll() is None:
            invocation.process.terminate()
            invocation.process.wait(timeout=30)
    failed = _failed_nodes(results)
    if not seeds_kept and _seeds_passed(results, invocation.manifest):
        _record_seeds(wh, context.run.run_id, fingerprint)
    passed = complete and not failed and all_passed(results)
    with wh.connect_build(context.run.run_id) as con:
        record_built(con, inputs if passed else None, context.run.run_id)
    _tidy_target(invocation.target_path)
    if failed:
        raise Failure(description="dbt 模型构建失败 / dbt models failed: " + "; ".join(failed[:5]))
    if invocation.process.returncode not in (0, 1):  # 1: a node failed, named above or a test (a warning)
        raise Failure(description=f"dbt 未能运行 / dbt did not run (exit {invocation.process.returncode})")
