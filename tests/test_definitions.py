"""The one Definitions object: it loads, its graph is what we expect, the inbox sensor fires once."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance, RunRequest, SkipReason, build_sensor_context

from orchestration.definitions import defs
from tests.conftest import TICKET_HEADER, ticket, write_csv

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.txt"


def _graph() -> dict[str, list[str]]:
    graph = defs.resolve_asset_graph()
    out = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        out[key.to_user_string()] = sorted(p.to_user_string() for p in node.parent_keys)
    return out


def test_graph_snapshot() -> None:
    """Every asset with its upstream assets: a change to the graph shows up in review."""
    text = "".join(f"{k} <- {', '.join(v) or '-'}\n" for k, v in _graph().items())
    if os.environ.get("UPDATE_SNAPSHOTS") or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8"), "asset graph changed: UPDATE_SNAPSHOTS=1 to accept"


def test_raw_assets_feed_dbt_and_everything_feeds_the_publish() -> None:
    graph = _graph()
    assert graph["stg_eoms__tickets"] == ["raw_tickets"]
    assert graph["stg_nms__device_metrics"] == ["raw_device_metrics"]
    assert all(p == ["offered_files"] for k, p in graph.items() if k.startswith("raw_"))
    published = set(graph["published_warehouse"])
    assert {"fct_kpi", "load_log", "rejects"} <= published
    models = {k for k in graph if k.startswith(("stg_", "int_", "fct_", "mart_"))}
    assert models - published == set() or all(any(m in graph[p] for p in published) for m in models)


def test_dbt_tests_are_asset_checks() -> None:
    checks = {c.name for c in defs.resolve_asset_graph().asset_check_keys}
    assert any(name.startswith("row_checks_fct_kpi") for name in checks)
    folded = ("unique_", "not_null_", "accepted_values_", "expression_is_true", "relationships_")  # into row_checks
    assert not any(name.startswith(folded) for name in checks)


def test_every_singular_dbt_test_is_an_asset_check() -> None:
    """Decision 115: a singular test reading several models names the model it is about
    (`meta.dagster.ref`), so it is an asset check whose failure reaches the run's summary, not an
    observation with a warning in the run log."""
    from pathlib import Path

    singular = {p.stem for p in (Path(__file__).resolve().parent.parent / "dbt_project" / "tests").glob("*.sql")}
    assert len(singular) >= 13
    checks = {c.name for c in defs.resolve_asset_graph().asset_check_keys}
    assert singular <= checks, sorted(singular - checks)


def test_inbox_sensor_requests_one_run_per_new_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import Settings
    from orchestration.definitions import build_definitions

    sensor = build_definitions(Settings(inbox=tmp_path)).resolve_sensor_def("inbox_sensor")
    with DagsterInstance.ephemeral() as instance:
        ctx = build_sensor_context(instance=instance)
        assert isinstance(sensor.evaluate_tick(ctx).skip_message, str)  # empty inbox: nothing to do
        write_csv(tmp_path / "tickets_2026-10.csv", [TICKET_HEADER, ticket("A")])
        result = sensor.evaluate_tick(build_sensor_context(instance=instance))
        [request] = result.run_requests
        assert isinstance(request, RunRequest)
        assert request.run_config["ops"]["offered_files"]["config"]["input_dir"] == str(tmp_path.resolve())
        again = sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=result.cursor))
        assert not again.run_requests and again.skip_message


def test_schedule_and_job_share_the_one_job() -> None:
    assert defs.resolve_schedule_def("nightly_inbox_run").job_name == "daiwei_run"
    assert defs.resolve_sensor_def("inbox_sensor").job_name == "daiwei_run"
    assert (
        AssetKey("published_warehouse")
        in defs.resolve_job_def("daiwei_run").asset_layer.asset_graph.get_all_asset_keys()
    )


def _unused() -> SkipReason:  # keep the import meaningful for readers: sensors skip with a reason
    return SkipReason("")


def test_every_step_of_the_run_job_has_a_name_for_people() -> None:
    """A failed `daiwei run` names its step in Chinese first (cli.runner.STEP_LABELS)."""
    from cli.runner import STEP_LABELS, step_label

    job = defs.resolve_job_def("daiwei_run")
    steps = {node.name for node in job.graph.nodes}
    assert steps == set(STEP_LABELS), steps ^ set(STEP_LABELS)
    assert step_label("raw_tables") == "加载文件 / loading (raw_tables)"
    assert step_label("kpi_pack") == "kpi_pack"


def _fresh_python(code: str) -> str:
    """What CODE prints in a new interpreter of this environment (nothing imported before it)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_the_run_process_does_not_import_dbt() -> None:
    """Decision 112: dagster-dbt is imported without dbt-core (dbt runs in its own process), so a
    run does not pay dbt's import; dbt still imports normally afterwards for whoever needs it."""
    printed = _fresh_python(
        "import sys\n"
        "import orchestration.definitions\n"
        "import dagster_dbt.compat as c\n"
        "assert c.DBT_PYTHON_VERSION is None, c.DBT_PYTHON_VERSION\n"
        "assert not [m for m in sys.modules if m.startswith('dbt.')], sorted(sys.modules)\n"
        "import dbt.version\n"
        "print('ok', dbt.version.__version__)\n"
    )
    assert printed.startswith("ok 1."), printed


def test_dagster_dbt_without_dbt_core_reads_dbt_events_the_same() -> None:
    """Without dbt-core in its process dagster-dbt compares dbt's events with its own copies of
    dbt's node types and statuses: each member it has carries the value dbt-core gives it."""
    printed = _fresh_python(
        "import json\n"
        "import orchestration.dbt_lib\n"
        "import dagster_dbt.compat as c\n"
        "assert c.DBT_PYTHON_VERSION is None\n"
        "names = ('NodeStatus', 'TestStatus', 'NodeType')\n"
        "out = {name: {m.name: m.value for m in getattr(c, name)} for name in names}\n"
        "out['REFABLE'] = sorted(str(t) for t in c.REFABLE_NODE_TYPES)\n"
        "print(json.dumps(out))\n"
    )
    fallback = json.loads(printed)

    from dbt.contracts.results import NodeStatus, TestStatus
    from dbt.node_types import REFABLE_NODE_TYPES, NodeType

    for name, real in (("NodeStatus", NodeStatus), ("TestStatus", TestStatus), ("NodeType", NodeType)):
        used = set(fallback[name]) & {m.name for m in real}
        assert used, name
        assert {m: fallback[name][m] for m in used} == {m.name: m.value for m in real if m.name in used}, name
    assert {m.name for m in TestStatus} <= set(fallback["TestStatus"])
    assert {m.name for m in NodeStatus} <= set(fallback["NodeStatus"])
    assert fallback["REFABLE"] == sorted(t.value for t in REFABLE_NODE_TYPES)
