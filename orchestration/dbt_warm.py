"""A dbt already imported when the run reaches its dbt step (decision 105).

Starting dbt costs ≈ 1.5 s of a demo-sized run before it reads a file: a new Python process
importing dbt-core, click, agate, the adapter. A run's dbt invocation only comes after loading,
so the dbt resource starts this server when the run starts (`start_server`): a process that imports dbt
once, in the background, and waits on a Unix socket in a private folder. When the dbt step runs,
`orchestration.dbt_in_build` (the executable dagster-dbt starts) hands the server its
standard input, output and error, its arguments, folder and environment; the server forks a
child that is dbt started in that folder, writing to dagster-dbt's pipe. The child's exit status
goes back to the client, which exits with it, so dagster-dbt sees an ordinary dbt process. A
signal sent to the client (Dagster stopping a run) is passed on to the child.

Every invocation is a fresh fork of a process that has imported dbt and done nothing else, so
nothing carries from one invocation to the next. When there is no server (a step in its own
process, `dbt parse` outside a run), or it cannot be reached or fails before forking, the client
starts dbt itself as before. The socket's path is a var (`daiwei_dbt_warm`) taken out before dbt
sees its vars, like the build folder: nothing is written into the environment.

Kept to the standard library but for dbt, imported by the server alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SOCKET_NAME = "dbt.sock"
_MAX_REQUEST = 16 * 1024 * 1024


@dataclass
class WarmDbt:
    """A running server: its process and the socket a client connects to."""

    process: subprocess.Popen
    folder: Path

    @property
    def socket_path(self) -> str:
        return str(self.folder / SOCKET_NAME)

    def stop(self) -> None:
        """Stop the server (and any child still running) and remove its folder."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server() -> WarmDbt | None:
    """Start a server importing dbt in the background; None when no Unix socket can be made."""
    if not hasattr(socket, "AF_UNIX") or not hasattr(socket, "send_fds"):
        return None
    folder = Path(tempfile.mkdtemp(prefix="daiwei-dbt-"))
    path = folder / SOCKET_NAME
    if len(str(path).encode()) >= 100:  # sun_path holds 108 bytes
        shutil.rmtree(folder, ignore_errors=True)
        return None
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.dbt_warm", str(path), str(os.getpid())],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # in the run's process group, as a dbt the run started itself would be: a Ctrl-C or a
        # kill of the group stops it and the dbt it forked
    )
    return WarmDbt(process=process, folder=folder)


# --- client: called by orchestration.dbt_in_build -------------------------------------------


def run_through(path: str, args: list[str], cwd: str, env: dict[str, str]) -> int | None:
    """Run dbt ARGS in a child of the server at PATH; its exit status, or None when the server
    could not start it (the caller then starts dbt itself)."""
    try:
        conn = _connect(path)
    except OSError:
        return None
    with conn:
        request = json.dumps({"args": args, "cwd": cwd, "env": env}, ensure_ascii=False).encode() + b"\n"
        try:
            socket.send_fds(conn, [b"F"], [0, 1, 2])
            conn.sendall(request)
            reader = conn.makefile("rb")
            line = reader.readline()  # the child's pid, once the server has forked it
        except OSError:
            return None
        if not line.strip().isdigit():
            return None
        child = int(line)

        def forward(signum: int, _frame: object) -> None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signum)

        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, forward)
        try:
            status = reader.readline()
        except OSError:
            status = b""
    status = status.strip()
    # a child killed before it could answer (a signal) ends the invocation as a failure
    return int(status) if status.lstrip(b"-").isdigit() else 1


def _connect(path: str) -> socket.socket:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    deadline = time.monotonic() + 2.0  # the server binds as soon as Python runs; it may not have yet
    while True:
        try:
            conn.connect(path)
            return conn
        except (FileNotFoundError, ConnectionRefusedError):
            if time.monotonic() > deadline:
                conn.close()
                raise
            time.sleep(0.02)


# --- server --------------------------------------------------------------------------------


def lean_dbt() -> None:
    """dbt without the work a run's build throws away (decision 116); applied once in the server,
    so every child it forks has it. Both are ≈ 20 % of a demo-sized build's time in dbt.

    * **Events nobody receives are dropped when fired.** dbt turns every event into protobuf twice
      (its payload, then the message with its clock time, thread and invocation), formats it as a
      JSON line, scrubs secrets from that line, and only then does Python's logging drop it for
      its level. A run streams dbt's events at `info` and writes no dbt log file, so the ≈ 15
      debug events of every node (each SQL statement, each connection, each timing) are made for
      nothing. An event is dropped before any of that when its level is below `warn` and below the
      level of every logger dbt set up, and no callback other than dbt's own tracking of
      behaviour changes (which only reads `BehaviorChangeEvent`, a warning) is registered. Warnings,
      errors and anything under `--warn-error` go through unchanged; with `--debug` or
      `--log-level debug` every event is written as before. An event's protobuf payload is built
      when first read instead of when the event is made, so a dropped one never builds it.
    * **No compiled SQL files.** dbt writes every node's compiled and executed SQL under its
      target folder (`compiled/`, `run/`); the dbt step deletes both when the build ends
      (orchestration/assets/dbt.py, `_tidy_target`), and reads failures from the events. The
      server only ever runs a run's build, so the files are not written.

    dbt-core and dbt-common are pinned (uv.lock); tests/test_dbt_warm.py compares a lean build's
    events, warnings and failures with those of plain dbt, so an upgrade that changes these
    internals fails there."""
    from dbt.contracts.graph import nodes
    from dbt_common.events import base_types, event_manager
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.logger import _log_level_map as rank

    fire = event_manager.EventManager.fire_event
    warn = rank[EventLevel.WARN]

    def fire_event(self, e, level=None, node=None, force_warn_or_error_handling=False):  # type: ignore[no-untyped-def]
        if not force_warn_or_error_handling:
            at = rank[level or e.level_tag()]
            if (
                at < warn
                and all(at < rank[logger.level] for logger in self.loggers)
                and all(getattr(cb, "__name__", "") == "track_behavior_change_warn" for cb in self.callbacks)
            ):
                return
        fire(self, e, level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling)

    init = base_types.BaseEvent.__init__

    def deferred_init(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        object.__setattr__(self, "_daiwei_deferred", (args, kwargs))

    def payload(self):  # type: ignore[no-untyped-def]
        state = self.__dict__
        if "_daiwei_pb" not in state:
            args, kwargs = state.pop("_daiwei_deferred")
            init(self, *args, **kwargs)  # sets pb_msg, i.e. the setter below
        return state["_daiwei_pb"]

    def set_payload(self, value) -> None:  # type: ignore[no-untyped-def]
        self.__dict__["_daiwei_pb"] = value

    event_manager.EventManager.fire_event = fire_event  # type: ignore[method-assign]
    base_types.BaseEvent.__init__ = deferred_init  # type: ignore[method-assign]
    base_types.BaseEvent.pb_msg = property(payload, set_payload)  # type: ignore[attr-defined]
    nodes.ParsedNode.write_node = lambda self, project_root, compiled_path, compiled_code: None  # type: ignore[method-assign]


def serve(path: str, parent: int) -> None:
    """Bind PATH, import dbt, then fork a dbt child for every client; end when PARENT (the run's
    process) is gone."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(8)
    listener.settimeout(5.0)
    from dbt.cli.main import cli  # the cost this server exists to pay early

    lean_dbt()

    children: set[int] = set()

    def stop(_signum: int, _frame: object) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            if os.getppid() != parent:  # the run that started it is gone (killed): so is the server
                stop(signal.SIGTERM, None)
            _reap(children)
            continue
        conn.settimeout(30.0)
        try:
            _msg, fds, _flags, _addr = socket.recv_fds(conn, 1, 3)
            request = _read_request(conn)
        except (OSError, ValueError):
            conn.close()
            continue
        if len(fds) != 3 or request is None:
            for fd in fds:
                os.close(fd)
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:
            listener.close()
            conn.settimeout(None)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _child(conn, fds, request, cli)
        children.add(pid)
        for fd in fds:  # only the child may hold dagster-dbt's pipe, or it never sees the end
            os.close(fd)
        conn.close()
        _reap(children)


def _reap(children: set[int]) -> None:
    for done in list(children):
        try:
            if os.waitpid(done, os.WNOHANG)[0]:
                children.discard(done)
        except ChildProcessError:
            children.discard(done)


def _read_request(conn: socket.socket) -> dict | None:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk or len(data) > _MAX_REQUEST:
            return None
        data += chunk
    request = json.loads(data)
    ok = isinstance(request, dict) and isinstance(request.get("args"), list) and isinstance(request.get("env"), dict)
    return request if ok and isinstance(request.get("cwd"), str) else None


def _child(conn: socket.socket, fds: list[int], request: dict, cli) -> None:  # type: ignore[no-untyped-def]
    """dbt in the client's folder, environment and standard streams; ends the child process."""
    code = 1
    try:
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update({str(k): str(v) for k, v in request["env"].items()})
        conn.sendall(f"{os.getpid()}\n".encode())
        sys.argv = ["dbt", *request["args"]]
        try:
            cli.main(args=list(request["args"]), prog_name="dbt", standalone_mode=True)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # the client must get a status whatever happened
        import traceback

        with contextlib.suppress(Exception):
            traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        with contextlib.suppress(OSError):
            conn.sendall(f"{code}\n".encode())
    # the interpreter's own exit, as a dbt process ends: multiprocessing's finalizers release
    # what dbt registered (os._exit would leave its resource tracker warning of leaks)
    raise SystemExit(code)


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
