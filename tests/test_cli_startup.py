"""What `make demo` and `make dagster` start with: one address printed once, automation off until asked."""

from __future__ import annotations

import posixpath
import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest
from dagster import DefaultScheduleStatus, DefaultSensorStatus

from cli import main as cli
from orchestration.definitions import defs

ROOT = Path(__file__).resolve().parent.parent


def test_the_inbox_sensor_is_off_until_asked() -> None:
    """It starts a run that republishes the warehouse for every new file: nobody gets that by surprise."""
    assert defs.resolve_sensor_def("inbox_sensor").default_status == DefaultSensorStatus.STOPPED


def test_every_schedule_is_off_until_asked() -> None:
    for schedule in defs.schedules or []:
        assert schedule.default_status == DefaultScheduleStatus.STOPPED, schedule.name  # type: ignore[union-attr]


def test_make_dagster_sets_the_sensor_as_asked() -> None:
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\ndagster:", 1)[1].split("\n\n", 1)[0]
    assert "SENSOR ?= off" in (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "dagster sensor $(if $(filter on,$(SENSOR)),start,stop) inbox_sensor" in recipe
    assert recipe.index("dagster sensor") < recipe.index("dagster dev")  # set before the daemon ticks


def test_serve_prints_the_address_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DAIWEI_HOST", raising=False)
    calls: list[list[str]] = []
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, **kw: calls.append(cmd) or 0)
    assert cli.main(["serve", "--port", "8600", "--warehouse", str(tmp_path / "w.duckdb")]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"https?://\S+", out) == ["http://localhost:8600"]
    [cmd] = calls
    assert cmd[cmd.index("--logger.hideWelcomeMessage") + 1] == "true"  # Streamlit does not print it again
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    serve = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "http" not in serve.replace("daiwei serve", "")  # nor does make


def test_serve_on_every_interface_prints_an_address_to_open(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, **kw: 0)
    assert cli.main(["serve", "--host", "0.0.0.0", "--warehouse", str(tmp_path / "w.duckdb")]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"https?://\S+", out) == ["http://localhost:8501"] and "0.0.0.0" in out


def test_readme_and_docs_link_only_what_a_clone_has() -> None:
    """Every relative link of README.md and docs/*.md names a file (or folder) that a clone has: tracked, or
    new and not ignored (committed with the page); never an ignored file or one outside the repository."""
    done = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip("not a git checkout")
    tracked = set(done.stdout.splitlines())
    folders = {p.as_posix() for f in tracked for p in PurePosixPath(f).parents}
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        here = page.relative_to(ROOT).parent.as_posix()
        for target in re.findall(r"\]\(<?([^)\s>]+)>?\)", page.read_text(encoding="utf-8")):
            path = target.split("#", 1)[0]
            if not path or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", path):  # an anchor on the page, or a URL
                continue
            resolved = posixpath.normpath(posixpath.join(here, path))
            if resolved not in tracked and resolved not in folders:
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, broken


ENTRY_PROBE = """
import atexit, sys, threading, time
from pathlib import Path
import cli.main as m
out = Path(sys.argv[1])
def main():
    atexit.register(lambda: (out / "atexit").write_text("ran"))
    threading.Thread(target=lambda: (time.sleep(0.3), (out / "thread").write_text("done"))).start()
    print("buffered, not yet flushed", end="")
    print("on stderr", end="", file=sys.stderr)
    return 3
m.main = main
m.entry()
raise SystemExit("entry returned")
"""


def test_the_quick_exit_keeps_what_a_normal_exit_does(tmp_path: Path) -> None:
    """`daiwei` skips the interpreter's teardown (decision 107), but not the exit code, the buffered
    output, the threads still working or the exit handlers (the temporary folders of Dagster and GE)."""
    import sys

    done = subprocess.run(
        [sys.executable, "-c", ENTRY_PROBE, str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout == "buffered, not yet flushed"
    assert done.stderr == "on stderr"
    assert (tmp_path / "thread").read_text() == "done"
    assert (tmp_path / "atexit").read_text() == "ran"


def test_the_console_script_is_the_quick_exit() -> None:
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["daiwei"] == "cli.main:entry"
    assert (ROOT / "cli" / "main.py").read_text(encoding="utf-8").rstrip().endswith("entry()")
