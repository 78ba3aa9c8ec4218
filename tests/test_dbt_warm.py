"""A dbt imported in the background from the start of a run (orchestration/dbt_warm.py, decision 105).

The client (`python -m orchestration.dbt_in_build`, what dagster-dbt starts) hands its arguments,
folder, environment and standard streams to the server, which forks a child that is dbt. What the
caller sees must be an ordinary dbt process: the same output on its pipe, the same exit status,
the pipe closed when dbt ends. Without a server, dbt is started directly.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration import dbt_warm
from orchestration.dbt_in_build import BUILD_DIR_VAR, WARM_VAR, split_run_vars

ROOT = Path(__file__).resolve().parent.parent


def _dbt(args: list[str], warm: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    run_vars = {WARM_VAR: warm} if warm else {}
    extra = ["--vars", json.dumps(run_vars)] if run_vars else []
    return subprocess.run(
        [sys.executable, "-m", "orchestration.dbt_in_build", *args, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # as dagster-dbt starts it
        text=True,
        cwd=cwd,
        timeout=120,
    )


FELL_BACK = 99
CLIENT = (
    "import os, sys\n"
    "from orchestration.dbt_warm import run_through\n"
    "code = run_through(sys.argv[1], sys.argv[2:], os.getcwd(), dict(os.environ))\n"
    f"sys.exit({FELL_BACK} if code is None else code)\n"
)


def _through_server(socket_path: str, args: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """dbt ARGS run by the server only: exit FELL_BACK when the server did not run it (the real
    client would then start dbt itself, with the same output, hiding a broken warm path)."""
    return subprocess.run(
        [sys.executable, "-c", CLIENT, socket_path, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )


@pytest.fixture()
def server():
    warm = dbt_warm.start_server()
    assert warm is not None
    yield warm
    warm.stop()
    assert warm.process.poll() is not None and not warm.folder.exists()


def test_the_runs_vars_never_reach_dbt() -> None:
    variables = {BUILD_DIR_VAR: "/w/.build/x", WARM_VAR: "/tmp/s", "daiwei_province": "贵州"}
    args = ["build", "--vars", json.dumps(variables)]
    rest, taken = split_run_vars(args)
    assert taken == {BUILD_DIR_VAR: "/w/.build/x", WARM_VAR: "/tmp/s"}
    assert json.loads(rest[2]) == {"daiwei_province": "贵州"}


def test_a_warm_dbt_answers_as_a_new_one(server: dbt_warm.WarmDbt) -> None:
    # `dbt debug --config-dir` reads the folder and environment the client sent; a bad option exits 2
    for args, code in ((["debug", "--config-dir"], 0), (["build", "--no-such-option"], 2)):
        cold, warm = _dbt(args), _through_server(server.socket_path, args)
        assert cold.returncode == warm.returncode == code, (cold.stdout, warm.stdout)
        assert _untimed(warm.stdout) == _untimed(cold.stdout)
    in_project = _through_server(server.socket_path, ["debug", "--config-dir"], cwd=ROOT / "dbt_project")
    assert in_project.returncode == 0 and "dbt_project" in in_project.stdout
    # and the wrapper dagster-dbt starts goes the same way
    assert _dbt(["build", "--no-such-option"], warm=server.socket_path).returncode == 2


def _untimed(output: str) -> list[str]:
    """dbt's lines without the clock time it starts each with."""
    return [re.sub(r"^(\x1b\[0m)?\d\d:\d\d:\d\d\s+", "", line) for line in output.splitlines()]


def test_the_server_is_in_the_runs_process_group(server: dbt_warm.WarmDbt) -> None:
    """A kill of the run's group (tests/test_pipeline.py) stops the server and the dbt it forked."""
    assert os.getpgid(server.process.pid) == os.getpgid(0)


def test_a_warm_dbt_is_faster_to_start(server: dbt_warm.WarmDbt) -> None:
    _dbt(["--version"], warm=server.socket_path)  # waits for the server's import
    started = time.monotonic()
    assert _dbt(["debug", "--config-dir"], warm=server.socket_path).returncode == 0
    warm = time.monotonic() - started
    started = time.monotonic()
    assert _dbt(["debug", "--config-dir"]).returncode == 0
    cold = time.monotonic() - started
    assert warm < cold, (warm, cold)


def test_without_a_server_dbt_starts_as_before(tmp_path: Path) -> None:
    gone = tmp_path / "dbt.sock"
    assert dbt_warm.run_through(str(gone), ["--version"], str(tmp_path), dict(os.environ)) is None
    result = _dbt(["debug", "--config-dir"], warm=str(gone))
    assert result.returncode == 0 and "dbt_project" not in result.stdout.split()[0]


def test_the_server_ends_with_the_run_that_started_it(tmp_path: Path) -> None:
    """A run killed outright (no teardown) leaves no server behind."""
    script = (
        "import sys, time\n"
        "from orchestration import dbt_warm\n"
        "w = dbt_warm.start_server()\n"
        "print(w.process.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    run = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert run.stdout is not None
    server_pid = int(run.stdout.readline())
    run.kill()
    run.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{server_pid}/status").read_text()
        except FileNotFoundError:
            break
        if "State:\tZ" in status:  # exited, waiting for init to reap it
            break
        time.sleep(0.2)
    else:
        os.kill(server_pid, 9)
        pytest.fail("the dbt server outlived the run that started it")


def _tiny_project(root: Path) -> Path:
    """A dbt project of one model with a passing test and a warning test (severity warn)."""
    project = root / "tiny"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: tiny\nversion: '1.0'\nprofile: tiny\nconfig-version: 2\n", encoding="utf-8"
    )
    (project / "profiles.yml").write_text(
        f"tiny:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: '{root / 'tiny.duckdb'}'\n"
        "      threads: 1\n",
        encoding="utf-8",
    )
    (project / "models" / "m.sql").write_text("select 1 as id union all select 2 as id\n", encoding="utf-8")
    (project / "models" / "m.yml").write_text(
        "version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        data_tests:\n"
        "          - unique\n          - accepted_values:\n              arguments: {values: [1]}\n"
        "              config: {severity: warn}\n",
        encoding="utf-8",
    )
    return project


def _events(output: str) -> list[tuple[str, str, str]]:
    """(name, level, node status) of every JSON event dbt printed, in order."""
    events = []
    for line in output.splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            status = event["data"].get("node_info", {}).get("node_status", "")
            events.append((event["info"]["name"], event["info"]["level"], status))
    return events


def test_a_lean_warm_build_reports_as_plain_dbt(server: dbt_warm.WarmDbt, tmp_path: Path) -> None:
    """decision 116: the server's dbt drops the events nobody receives and writes no compiled SQL.
    Its builds must print the same events, warnings and failures as plain dbt."""
    project = _tiny_project(tmp_path)

    def build(how: str, *extra: str) -> subprocess.CompletedProcess:
        target = tmp_path / f"target_{how}_{len(extra)}"
        args = [
            *("--log-format", "json", "build", "--log-level-file", "none", "--project-dir", str(project)),
            *("--profiles-dir", str(project), "--target-path", str(target), *extra),
        ]
        if how == "cold":
            return subprocess.run(
                [sys.executable, "-m", "dbt.cli.main", *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                cwd=tmp_path,
                timeout=120,
            )
        result = _through_server(server.socket_path, args, cwd=tmp_path)
        assert result.returncode != FELL_BACK
        return result

    cold, warm = build("cold"), build("warm")
    assert cold.returncode == warm.returncode == 0, (cold.stdout, warm.stdout)
    assert _events(warm.stdout) == _events(cold.stdout)
    names = [name for name, _level, _status in _events(warm.stdout)]
    assert "SQLQuery" not in names and ("LogTestResult", "warn", "warn") in _events(warm.stdout)
    assert (tmp_path / "target_cold_0" / "compiled").is_dir()
    assert not (tmp_path / "target_warm_0" / "compiled").exists()
    assert not (tmp_path / "target_warm_0" / "run").exists()

    # --warn-error: the warning fails the build, in both
    cold, warm = build("cold", "--warn-error"), build("warm", "--warn-error")
    assert cold.returncode == warm.returncode == 1, (cold.stdout, warm.stdout)
    assert _events(warm.stdout) == _events(cold.stdout)

    # asked for, the debug events are written: each SQL statement, as plain dbt does (which debug
    # events a build fires, and in what order, varies from one build to the next: connections are
    # reused or closed as the threads go; the compiled SQL files are not written)
    cold, warm = build("cold", "--log-level", "debug"), build("warm", "--log-level", "debug")
    assert cold.returncode == warm.returncode == 0

    def above_debug(events: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
        return [e for e in events if e[1] != "debug"]

    assert above_debug(_events(warm.stdout)) == above_debug(_events(cold.stdout))

    def statements(output: str) -> int:
        return sum(1 for name, _level, _status in _events(output) if name == "SQLQuery")

    assert statements(warm.stdout) == statements(cold.stdout) > 0


LEAN_EVENTS = """
import io, json
from orchestration.dbt_warm import lean_dbt
lean_dbt()
from dbt_common.events.base_types import EventLevel
from dbt_common.events.event_manager import EventManager
from dbt_common.events.functions import get_stdout_config
from dbt_common.events.logger import LineFormat
from dbt.adapters.events.types import SQLQuery
from dbt_common.events.types import Note

def fired(level):
    manager, out = EventManager(), io.StringIO()
    config = get_stdout_config(LineFormat.Json, False, level, False)
    config.output_stream = out
    manager.add_logger(config)
    debug = SQLQuery(conn_name="c", sql="select 1", node_info={})
    manager.fire_event(debug)
    manager.fire_event(Note(msg="careful"), level=EventLevel.WARN)
    names = [json.loads(line)["info"]["name"] for line in out.getvalue().splitlines()]
    return names, "_daiwei_pb" in debug.__dict__

print(json.dumps([fired(EventLevel.INFO), fired(EventLevel.DEBUG)]))
"""


def test_a_lean_dbt_never_serialises_an_event_nobody_receives() -> None:
    """At `info` a debug event is dropped before its payload is even built; the warning is written;
    at `debug` both are written."""
    result = subprocess.run([sys.executable, "-c", LEAN_EVENTS], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    (info_names, info_built), (debug_names, debug_built) = json.loads(result.stdout.splitlines()[-1])
    assert info_names == ["Note"] and not info_built
    assert debug_names == ["SQLQuery", "Note"] and debug_built


def _forked_by(pid: int) -> set[int]:
    """The live (not yet exited) children of process `pid`."""
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return set()
    alive = set()
    for child in map(int, listed):
        try:
            if "State:\tZ" not in Path(f"/proc/{child}/status").read_text():
                alive.add(child)
        except FileNotFoundError:
            pass
    return alive


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
def test_a_signal_to_the_client_stops_the_dbt_it_runs(server: dbt_warm.WarmDbt, tmp_path: Path) -> None:
    """Dagster stops a run's dbt by signalling the process it started (the client): the dbt the server
    forked for it must end too, and the client exit as a failed dbt."""
    project = _tiny_project(tmp_path)
    (project / "models" / "slow.sql").write_text(
        "{{ config(materialized='table') }}\nselect sum(i % 7) as s from range(100000000000) as t(i)\n"
    )
    args = [
        *("build", "--select", "slow", "--log-level-file", "none", "--project-dir", str(project)),
        *("--profiles-dir", str(project), "--target-path", str(tmp_path / "target")),
    ]
    client = subprocess.Popen(
        [sys.executable, "-c", CLIENT, server.socket_path, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert client.stdout is not None
        seen = []
        for line in client.stdout:  # dbt has started the slow model
            seen.append(line)
            if "START sql table model" in line:
                break
        assert any("START sql table model" in line for line in seen), seen
        forked = _forked_by(server.process.pid)
        assert len(forked) == 1, forked
        client.send_signal(signal.SIGTERM)
        assert client.wait(timeout=60) not in (0, FELL_BACK)
        deadline = time.monotonic() + 30
        while forked & _forked_by(server.process.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not forked & _forked_by(server.process.pid), "the forked dbt outlived the signal"
        assert server.process.poll() is None  # the server itself goes on serving
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
