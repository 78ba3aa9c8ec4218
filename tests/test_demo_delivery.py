"""The whole demo delivery through `daiwei run`: nothing lost, every planted feature handled.

One run of the real pipeline (Dagster + dbt) on the generated delivery, shared by
the tests of this module; the manifest says what was planted where.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingestion.headers import header_key

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(demo_run):
    con = duckdb.connect(str(demo_run["wh"]), read_only=True)
    yield {**demo_run, "con": con}
    con.close()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, timeout=1200)


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_run_exit_code_and_summary(demo) -> None:
    p = demo["run"]
    assert p.returncode == 1, p.stderr  # the delivery holds files that must be rejected whole
    assert "Traceback" not in p.stdout + p.stderr
    assert f"拒绝 rejected {len(demo['manifest']['rejected_files'])})" in p.stdout
    for rejected in demo["manifest"]["rejected_files"]:  # each named once, in one line on standard error
        [line] = [ln for ln in (p.stdout + p.stderr).splitlines() if rejected["path"] in ln]
        assert line in p.stderr.splitlines()


def test_every_file_reconciles_in_the_load_log(demo, tmp_path: Path) -> None:
    out = tmp_path / "loads.csv"
    assert cli("loads", "--out", str(out), "--warehouse", str(demo["wh"])).returncode == 0
    rows = read_csv(out)
    files = {f["path"] for f in demo["manifest"]["files"]}
    assert {r["file"] for r in rows} == files
    for r in rows:
        assert int(r["rows_read"]) == int(r["rows_loaded"]) + int(r["rows_rejected"]), r
        if r["status"] == "loaded":
            assert int(r["rows_read"]) == demo["manifest"]["counts"][r["file"]], r["file"]
    status = {r["file"]: r["status"] for r in rows}
    assert {f for f, s in status.items() if s == "rejected"} == {x["path"] for x in demo["manifest"]["rejected_files"]}
    assert {f for f, s in status.items() if s == "skipped"} == {c for _, c in demo["manifest"]["duplicates"]}


def test_every_planted_bad_row_is_rejected_with_its_column(demo, tmp_path: Path) -> None:
    out = tmp_path / "rejects.csv"
    assert cli("rejects", "--out", str(out), "--warehouse", str(demo["wh"])).returncode == 0
    got = {(r["file"], int(r["row"])): r for r in read_csv(out)}
    planted = demo["manifest"]["bad_rows"]
    assert len(got) == len(planted)  # nothing else rejected
    for b in planted:
        r = got[(b["file"], b["row"])]
        assert header_key(r["column"]) == header_key(b["column"]), (b, r["reason"])
        assert json.loads(r["raw"])  # the raw cells are kept


def test_correction_and_snapshot_replacement_applied(demo) -> None:
    con = demo["con"]
    for corr in demo["manifest"]["corrections"]:
        files = dict(
            con.execute(
                f"SELECT ticket_id, _file FROM raw.tickets WHERE ticket_id IN ({','.join('?' * len(corr['keys']))})",
                corr["keys"],
            ).fetchall()
        )
        assert set(files.values()) == {corr["correction"]}
    for rep in demo["manifest"]["snapshot_replacements"]:
        table = f"raw.{rep['dataset']}"
        month_col = {"hr_roster": "roster_month", "ledger": "ledger_month", "spare_parts": "stock_month"}[
            rep["dataset"]
        ]
        files = con.execute(
            f"SELECT DISTINCT _file FROM {table} WHERE strftime({month_col}, '%Y-%m') = ? AND contractor = ?",
            [rep["month"], rep["contractor"]],
        ).fetchall()
        assert files == [(rep["replacement"],)]


def test_second_run_changes_nothing(demo, tmp_path: Path) -> None:
    wh = str(tmp_path / "warehouse.duckdb")  # a copy: the session's warehouse stays as first built
    shutil.copyfile(demo["wh"], wh)
    assert cli("export", "--out", str(tmp_path / "a.csv"), "--warehouse", wh).returncode == 0
    assert cli("export", "--table", "areas", "--out", str(tmp_path / "a_areas.csv"), "--warehouse", wh).returncode in (
        0,
        2,
    )
    p = cli("run", "--input", str(demo["root"] / "in"), "--warehouse", wh)
    assert p.returncode == 1
    assert cli("export", "--out", str(tmp_path / "b.csv"), "--warehouse", wh).returncode == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    loads = tmp_path / "loads.csv"
    cli("loads", "--out", str(loads), "--warehouse", wh)
    latest = [r for r in read_csv(loads)][-len(demo["manifest"]["files"]) :]
    assert {r["status"] for r in latest} == {"skipped", "rejected"}


RATE_EXEMPT = {"fault_mttr_hours", "staffing_per_100", "penalty_yuan", "composite_score"}


def test_every_kpi_for_every_month_and_contractor(demo, tmp_path: Path) -> None:
    out = tmp_path / "kpis.csv"
    assert cli("export", "--out", str(out), "--warehouse", str(demo["wh"])).returncode == 0
    rows = read_csv(out)
    codes = {r["kpi_code"] for r in rows}
    assert len(codes) == 26
    months = set(demo["manifest"]["months"])
    assert {r["month"] for r in rows} == months
    contractors = set(demo["manifest"]["contractors"])
    for month in months:
        for c in contractors:
            have = {r["kpi_code"] for r in rows if r["month"] == month and r["contractor"] == c and not r["prefecture"]}
            assert have == codes, (month, c, codes - have)
    for r in rows:
        if r["kpi_code"] in RATE_EXEMPT or not r["denominator"]:
            continue
        assert 0 <= float(r["numerator"]) <= float(r["denominator"]), r
    # contractors do differ: the demo makes one visibly weaker in activation timeliness
    act = {
        r["contractor"]: float(r["value"])
        for r in rows
        if r["kpi_code"] == "activation_timely_rate" and r["contractor"] and not r["prefecture"] and r["value"]
    }
    assert max(act.values()) - min(act.values()) > 0.05
