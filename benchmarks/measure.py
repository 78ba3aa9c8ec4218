"""Wall time and peak resident memory of a command and all its children.

Peak RSS is sampled (every 50 ms) over the whole process tree, because
`daiwei run` starts dbt in a subprocess; ru_maxrss would only see one process.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass
class Measured:
    seconds: float
    peak_rss_bytes: int
    returncode: int

    @property
    def peak_rss_gib(self) -> float:
        return self.peak_rss_bytes / 2**30


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def run_measured(cmd: list[str], log: Path | None = None, env: dict[str, str] | None = None) -> Measured:
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        ps = psutil.Process(child.pid)
        while not done.is_set():
            peak = max(peak, _tree_rss(ps))
            time.sleep(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    rc = child.wait()
    seconds = time.perf_counter() - start
    done.set()
    t.join()
    if log:
        out.close()  # type: ignore[union-attr]
    return Measured(seconds, peak, rc)


def steps(log: Path) -> str:
    """The per-step times of the last run `daiwei run` wrote to its log."""
    lines = [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if " steps: " in ln]
    return re.sub(r"^run \S+ ", "", lines[-1]) if lines else "(no step timings)"


def row(name: str, m: Measured) -> str:
    """One Markdown table row: wall time, peak RSS, exit code."""
    return f"| {name} | {m.seconds:.1f} s | {m.peak_rss_gib:.2f} GiB | {m.returncode} |"
