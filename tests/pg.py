"""A real PostgreSQL server for the tests, from Debian's `postgresql` package (the Makefile installs it).

`pg_server` (session) runs initdb + pg_ctl into a fresh folder under /tmp with trust
authentication, a Unix socket in that folder and a free TCP port on 127.0.0.1, and stops
it when the session ends. `pg_url` (per test) creates a fresh database on it and drops it
afterwards, so every test starts from nothing. initdb refuses to run as root, so as root
the server runs as the package's `postgres` user (`runuser`). Without the binaries, or
when the server cannot start, the tests that need it are skipped with the reason.

Import both fixtures into a test module: `from tests.pg import pg_server, pg_url`.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

START_TIMEOUT_S = 60


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user() -> list[str]:
    """As root: run the server commands as `postgres` (initdb refuses root)."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The base URL (database `postgres`) of a PostgreSQL server running for this test session."""
    bindir = _bin_dir()
    if bindir is None:
        pytest.skip("没有 PostgreSQL / PostgreSQL binaries not found (apt-get install postgresql)")
    wrap = _as_server_user()
    root = Path(tempfile.mkdtemp(prefix="daiwei-pg-"))  # under /tmp: the postgres user can reach it
    data, log = root / "data", root / "server.log"
    if wrap:
        shutil.chown(root, user="postgres", group="postgres")
    port = _free_port()
    init = _run(
        [
            *wrap,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "-N",
        ]
    )
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"initdb 失败 / initdb failed: {(init.stderr or init.stdout).strip().splitlines()[-1:]}")
    opts = f"-k {root} -p {port} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    start = _run(
        [
            *wrap,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(log),
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "-o",
            opts,
            "start",
        ]
    )
    if start.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else start.stderr
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"PostgreSQL 无法启动 / PostgreSQL server did not start: {tail}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run([*wrap, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the session's server, dropped after the test."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = pg_server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
