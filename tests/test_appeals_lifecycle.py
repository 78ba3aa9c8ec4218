"""Two parties, one record, end to end through the real CLI and real runs (access.md).

A contractor appeals a late ticket of an open month, an admin accepts it, and the
next run counts the ticket as timely: the KPI numerator, the penalty and the
adjustments mart change exactly. Then the month is closed, a correction file is
delivered and the re-run keeps the published figures and writes the restatement.
A contractor's export holds only its rows; the audit trail verifies.
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from cli.main import main
from tests.conftest import TICKET_HEADER, ticket, write_csv

pytestmark = pytest.mark.slow


def daiwei(capsys: pytest.CaptureFixture[str], *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    old = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(args))
    finally:
        sys.stdin = old
    out = capsys.readouterr()
    return code, out.out, out.err


def kpis(path: Path) -> dict[tuple[str, str, str, str], dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return {(r["month"], r["kpi_code"], r["contractor"], r["prefecture"]): r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def world(demo_run: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("appeals")
    inbox = root / "in"
    shutil.copytree(demo_run["inbox"], inbox)
    return {"root": root, "inbox": inbox, "wh": root / "wh.duckdb", "app": f"sqlite:///{root / 'app.db'}"}


def test_appeal_ruling_close_and_restatement(world: dict, capsys: pytest.CaptureFixture[str]) -> None:
    wh, app, inbox, root = str(world["wh"]), world["app"], world["inbox"], world["root"]
    common = ["--warehouse", wh, "--app-db", app]
    code, _, err = daiwei(capsys, "run", "--input", str(inbox), *common)
    assert code in (0, 1) and "运行失败" not in err, err
    con = duckdb.connect(wh, read_only=True)
    month, contractor, ticket_id, prefecture, county = con.execute(
        "SELECT month, contractor, ticket_id, prefecture, county FROM marts.mart_fault_tickets WHERE NOT is_timely "
        "AND contractor IS NOT NULL ORDER BY month DESC, contractor, ticket_id LIMIT 1"
    ).fetchone()
    con.close()
    base = root / "before.csv"
    assert daiwei(capsys, "export", "--out", str(base), *common)[0] == 0
    before = kpis(base)

    # accounts: the OS user acts as local admin; a contractor account for the ticket's contractor
    assert (
        daiwei(capsys, "users", "add", "boss", "--role", "admin", "--password-stdin", *common, stdin="pw-boss-1\n")[0]
        == 0
    )
    code, _, err = daiwei(
        capsys,
        "users",
        "add",
        "c1",
        "--role",
        "contractor",
        "--contractor",
        contractor,
        "--password-stdin",
        *common,
        stdin="pw-c1-1\n",
    )
    assert code == 0, err
    # a draft month: the contractor cannot appeal yet
    appeal = ["appeal", "file", "--month", month, "--ticket", ticket_id, "--rule", "timeliness", "--reason", "客户原因"]
    assert daiwei(capsys, *appeal, *common, "--user", "c1")[0] == 2
    assert daiwei(capsys, "month", "open", month, *common, "--user", "boss")[0] == 0
    code, out, err = daiwei(capsys, *appeal, "--evidence", "客户机房断电记录", *common, "--user", "c1")
    assert code == 0, err
    appeal_id = "".join(ch for ch in out if ch.isdigit())
    assert appeal_id
    # only an admin rules
    assert daiwei(capsys, "appeal", "rule", appeal_id, "--accept", "--note", "x", *common, "--user", "c1")[0] == 2
    code, _, err = daiwei(
        capsys, "appeal", "rule", appeal_id, "--accept", "--note", "证据充分", *common, "--user", "boss"
    )
    assert code == 0, err

    # the next run applies the ruling
    assert daiwei(capsys, "run", "--input", str(inbox), *common)[0] in (0, 1)
    after_path = root / "after.csv"
    assert daiwei(capsys, "export", "--out", str(after_path), *common)[0] == 0
    after = kpis(after_path)
    key = (month, "fault_timely_rate", contractor, "")
    assert Decimal(after[key]["numerator"]) == Decimal(before[key]["numerator"]) + 1
    assert after[key]["denominator"] == before[key]["denominator"]
    province = (month, "fault_timely_rate", "", "")
    assert Decimal(after[province]["numerator"]) == Decimal(before[province]["numerator"]) + 1
    # the 200 元 timeout is gone (and a technician bonus may come back): the penalty falls by at least 200
    pen = (month, "penalty_yuan", contractor, "")
    assert Decimal(before[pen]["value"]) - Decimal(after[pen]["value"]) >= 200
    con = duckdb.connect(wh, read_only=True)
    adj = con.execute(
        "SELECT numerator_before, numerator_after, appeal_ids FROM marts.mart_kpi_adjustments "
        "WHERE month = ? AND kpi_code = 'fault_timely_rate' AND grain = 'contractor' AND contractor = ?",
        [month, contractor],
    ).fetchone()
    con.close()
    assert adj is not None and adj[1] == adj[0] + 1 and adj[2] == appeal_id
    # the appeal list names the figures the ruling changed (the contractor sees its own appeal)
    listed = root / "appeals.csv"
    assert daiwei(capsys, "appeal", "list", "--out", str(listed), *common, "--user", "c1")[0] == 0
    with open(listed, encoding="utf-8-sig", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["state"] == "accepted" and "fault_timely_rate" in row["changed_figures"]
    # everything else is as before (a ticket timely by ruling joins suspension_rescue_rate's population, not rescued)
    changed = {k for k in before if before[k] != after.get(k)}
    assert {k[1] for k in changed} <= {
        "fault_timely_rate",
        "activation_timely_rate",
        "suspension_rescue_rate",
        "penalty_yuan",
        "composite_score",
    }

    # the contractor's own export: its rows only, no other name, no province rows
    own = root / "own.csv"
    assert daiwei(capsys, "export", "--out", str(own), *common, "--user", "c1")[0] == 0
    assert {r[2] for r in kpis(own)} == {contractor}

    # close the month, deliver a correction, re-run: the month's export is unchanged, the restatement lists it
    code, _, err = daiwei(capsys, "month", "close", month, *common, "--user", "boss")
    assert code == 0, err
    frozen_path = root / "frozen.csv"
    assert daiwei(capsys, "export", "--month", month, "--out", str(frozen_path), *common)[0] == 0
    extra = [
        ticket(
            f"FIX-{i}",
            f"{month}-05 09:00:00",
            代维公司=contractor,
            地市=prefecture,
            区县=county,
            完成时间=f"{month}-06 09:00:00",
        )
        for i in range(3)
    ]
    write_csv(inbox / month / f"tickets_{month}_更正.csv", [TICKET_HEADER, *extra])
    code, out, _ = daiwei(capsys, "run", "--input", str(inbox), *common)
    assert code in (0, 1) and "重算差异 / restatement" in out, out
    report = next((root / "restatements").glob("restatement_*.csv"))
    assert f"tickets_{month}_更正.csv" in report.read_text(encoding="utf-8")
    again = root / "again.csv"
    assert daiwei(capsys, "export", "--month", month, "--out", str(again), *common)[0] == 0
    assert again.read_bytes() == frozen_path.read_bytes()
    con = duckdb.connect(wh, read_only=True)
    rows = con.execute(
        "SELECT kpi_code, contractor, frozen_denominator, computed_denominator, files FROM marts.mart_restatements "
        "WHERE month = ? AND kpi_code = 'fault_timely_rate' AND grain = 'contractor' AND contractor = ?",
        [month, contractor],
    ).fetchall()
    con.close()
    assert rows and rows[0][3] == rows[0][2] + 3 and f"tickets_{month}_更正.csv" in rows[0][4]

    # reopening needs a reason; the trail is intact
    assert daiwei(capsys, "month", "reopen", month, "--reason", "", *common, "--user", "boss")[0] == 2
    code, out, _ = daiwei(capsys, "audit", "verify", *common)
    assert code == 0, out
