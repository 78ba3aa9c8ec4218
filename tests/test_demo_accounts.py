"""`daiwei demo-accounts` on the demo warehouse, then a scripted session; `daiwei audit verify` passes.

The issue's done-when: the demo's accounts sign in, download, a contractor appeals, an
admin rules, and the audit trail still verifies; a contractor account sees only its own
rows through the one reporting layer.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import duckdb
import pytest

import appstate
from cli.main import main
from core.settings import Settings

pytestmark = pytest.mark.slow


def daiwei(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_demo_accounts_then_a_session_keeps_the_trail_intact(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    common = ["--warehouse", str(warehouse), "--app-db", url]
    code, out, err = daiwei(capsys, "demo-accounts", *common)
    assert code == 0, err
    passwords = {m[0]: m[1] for m in re.findall(r"^  (\S+)\s+(\S+)\s", out, flags=re.M)}
    con = duckdb.connect(str(warehouse), read_only=True)
    contractors = [
        r[0] for r in con.execute("SELECT DISTINCT contractor FROM marts.fct_kpi WHERE contractor <> ''").fetchall()
    ]
    late = con.execute(
        "SELECT month, contractor, ticket_id FROM marts.mart_fault_tickets "
        "WHERE NOT is_timely AND contractor IS NOT NULL ORDER BY month DESC, ticket_id LIMIT 1"
    ).fetchone()
    con.close()
    assert {"admin", "analyst", "auditor", *contractors} <= set(passwords)
    assert all(len(p) >= 12 for p in passwords.values())

    app = appstate.connect(url)
    policy = appstate.LockoutPolicy.from_settings(Settings.load(app_db=url))
    try:
        for user, password in passwords.items():
            assert appstate.sign_in(app, user, password, policy=policy).outcome == "ok"
        assert appstate.sign_in(app, "admin", "wrong", policy=policy).outcome == "bad_password"
        # every demo month is open to the contractors
        assert {m.state for m in appstate.month_states(app).values()} == {"open"}
    finally:
        app.dispose()

    month, contractor, ticket_id = late
    code, _, err = daiwei(capsys, "export", "--out", str(tmp_path / "own.csv"), *common, "--user", contractor)
    assert code == 0, err
    rows = (tmp_path / "own.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert rows and {r.split(",")[2] for r in rows} == {contractor}
    code, out, err = daiwei(
        capsys,
        "appeal",
        "file",
        "--month",
        month,
        "--ticket",
        ticket_id,
        "--rule",
        "timeliness",
        "--reason",
        "用户侧断电",
        *common,
        "--user",
        contractor,
    )
    assert code == 0, err
    appeal_id = out.strip()
    code, _, err = daiwei(
        capsys, "appeal", "rule", appeal_id, "--reject", "--note", "证据不足", *common, "--user", "admin"
    )
    assert code == 0, err
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, _ = daiwei(capsys, "audit", "verify", *common, "--user", "auditor")
    assert code == 0 and "完整" in out, out
