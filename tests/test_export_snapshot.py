"""What the CLI writes from the demo delivery stays byte for byte what it was.

Code moves between packages (core, reporting, app, cli) must change nothing a user
sees: the KPI export, the areas export, the rejects and the load log of the demo
delivery are compared by sha256 with tests/snapshots/demo_exports.txt. A change that
is meant to change them (a new KPI, a rule fix) updates the snapshot with
UPDATE_SNAPSHOTS=1 and shows the difference in review.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SNAPSHOT = Path(__file__).parent / "snapshots" / "demo_exports.txt"
EXPORTS = {
    "kpi.csv": ["export"],
    "areas.csv": ["export", "--table", "areas"],
    "rejects.csv": ["rejects"],
    "loads.csv": ["loads"],
}


def test_demo_exports_are_unchanged(demo_run: dict, tmp_path: Path) -> None:
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    lines = []
    for name, args in EXPORTS.items():
        out = tmp_path / name
        p = subprocess.run(
            [sys.executable, "-m", "cli.main", *args, "--warehouse", str(demo_run["wh"]), "--out", str(out)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert p.returncode == 0, p.stderr
        data = out.read_bytes()
        rows = data.count(b"\n")
        lines.append(f"{name} {rows} {hashlib.sha256(data).hexdigest()}")
    text = "\n".join(lines) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8"), "the demo exports changed: UPDATE_SNAPSHOTS=1 to accept"
