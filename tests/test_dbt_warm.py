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
