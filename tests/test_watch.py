"""`daiwei watch` on the session's demo warehouse: the file of operations.md, scoped and audited like export.

The rules themselves are dbt unit tests (mart_watch_list.yml, worked out by hand); here the
command line is held to its contract: the exact header, the sort, one as_of on every row,
exact minutes, a contractor's file holding only its rows, --as-of evaluated by the table
macro (the same rows as the mart at the default moment, other rows at another moment), and a
malformed --as-of refused as a usage error in one bilingual line.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from cli import main as cli

pytestmark = pytest.mark.slow  # the session's demo warehouse

HEADER = [
    "as_of",
    "kind",
    "ticket_id",
    "circuit_id",
    "contractor",
    "prefecture",
    "county",
    "limit_minutes",
    "elapsed_minutes",
    "remaining_minutes",
    "status",
]
RANK = {"breached": 0, "at_risk": 1, "on_track": 2}


@pytest.fixture(scope="module")
def wh(demo_run: dict) -> Path:
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    return demo_run["wh"]


def _watch(wh: Path, out: Path, app_db: str, *extra: str) -> tuple[int, list[list[str]]]:
    code = cli.main(["watch", "--warehouse", str(wh), "--app-db", app_db, "--out", str(out), *extra])
    if code != 0:
        return code, []
    with open(out, encoding="utf-8", newline="") as f:
        return code, list(csv.reader(f))


def _key(row: dict[str, str]) -> tuple:
    remaining = Decimal(row["remaining_minutes"]) if row["remaining_minutes"] else None
    return (RANK[row["status"]], remaining is None, remaining or 0, row["kind"], row["ticket_id"], row["circuit_id"])


@pytest.fixture(scope="module")
def default_file(wh: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("watch")
    code, rows = _watch(wh, tmp / "watch.csv", "sqlite:///" + str(tmp / "app.db"))
    assert code == 0
    assert rows[0] == HEADER
    return [dict(zip(HEADER, r, strict=True)) for r in rows[1:]]


def test_the_file_at_the_default_moment(wh: Path, default_file: list[dict[str, str]]) -> None:
    """Header, sort, one as_of (the latest 派单 / 接单 time), exact minutes, every kind's figures."""
    con = duckdb.connect(str(wh), read_only=True)
    try:
        latest, in_mart = con.execute(
            "SELECT (SELECT greatest(max(dispatched_at), max(acknowledged_at)) FROM intermediate.int_tickets_clocked), "
            "(SELECT count(*) FROM marts.mart_watch_list)"
        ).fetchall()[0]
    finally:
        con.close()
    rows = default_file
    assert rows, "the demo warehouse has something to watch (circuits due, open tickets)"
    assert len(rows) == in_mart
    assert {r["as_of"] for r in rows} == {latest.strftime("%Y-%m-%d %H:%M:%S")}
    assert rows == sorted(rows, key=_key)
    assert {r["kind"] for r in rows} <= {"ticket_open", "ack_overdue", "inspection_due"}
    for r in rows:
        if r["kind"] == "inspection_due":
            assert r["ticket_id"] == r["limit_minutes"] == r["elapsed_minutes"] == "" and r["circuit_id"]
            assert Decimal(r["remaining_minutes"]) > 0
        else:
            assert r["ticket_id"]
            if r["limit_minutes"]:
                assert Decimal(r["limit_minutes"]) - Decimal(r["elapsed_minutes"]) == Decimal(r["remaining_minutes"])
        if r["remaining_minutes"]:
            assert r["status"] == ("breached" if Decimal(r["remaining_minutes"]) < 0 else r["status"])


def test_a_contractor_gets_its_own_rows(
    wh: Path, default_file: list[dict[str, str]], app_accounts, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    owners = {r["contractor"] for r in default_file if r["contractor"]}
    name = sorted(owners)[0]
    code, rows = _watch(wh, tmp_path / "own.csv", app_accounts.url, "--user", app_accounts.contractors[name])
    assert code == 0 and rows[0] == HEADER
    own = [dict(zip(HEADER, r, strict=True)) for r in rows[1:]]
    assert own == [r for r in default_file if r["contractor"] == name]
    assert len(own) < len(default_file)
    # at another moment the table macro is scoped the same way
    code, rows = _watch(
        wh,
        tmp_path / "past.csv",
        app_accounts.url,
        "--user",
        app_accounts.contractors[name],
        "--as-of",
        "2026-09-15 12:00",
    )
    assert code == 0 and len(rows) > 1 and {r[HEADER.index("contractor")] for r in rows[1:]} == {name}


def test_as_of_replays_the_clocks_at_another_moment(
    wh: Path, default_file: list[dict[str, str]], tmp_path: Path
) -> None:
    """The table macro at the default moment gives the mart's rows; a moment in the past gives others."""
    app_db = "sqlite:///" + str(tmp_path / "app.db")
    moment = default_file[0]["as_of"][:16]
    code, same = _watch(wh, tmp_path / "same.csv", app_db, "--as-of", moment)
    assert code == 0 and [dict(zip(HEADER, r, strict=True)) for r in same[1:]] == default_file
    code, past = _watch(wh, tmp_path / "past.csv", app_db, "--as-of", "2026-09-15 12:00")
    assert code == 0 and past[0] == HEADER
    rows = [dict(zip(HEADER, r, strict=True)) for r in past[1:]]
    assert rows and {r["as_of"] for r in rows} == {"2026-09-15 12:00:00"}
    assert rows != default_file
    # in mid-September the window of a monthly circuit closes on 1 October: 15 and a half days left
    due = [r for r in rows if r["kind"] == "inspection_due"]
    assert due and {r["remaining_minutes"] for r in due} == {str(15 * 1440 + 12 * 60)}
    assert rows == sorted(rows, key=_key)


@pytest.mark.parametrize("bad", ["2026-09-15", "2026-13-01 10:00", "yesterday", "2026-09-15 25:00"])
def test_a_malformed_as_of_is_a_usage_error(
    wh: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    out = tmp_path / "x.csv"
    code, _ = _watch(wh, out, "sqlite:///" + str(tmp_path / "app.db"), "--as-of", bad)
    err = capsys.readouterr().err.strip()
    assert code == 2 and not out.exists()
    assert len(err.splitlines()) == 1 and "--as-of" in err and "应为" in err and "must be" in err


def test_the_overview_panel_shows_a_contractor_its_own_rows(
    warehouse: Path, app_db, default_file: list[dict[str, str]]
) -> None:  # type: ignore[no-untyped-def]
    """今日预警 on the overview (AppTest): the counts of a contractor's own rows, by status, and the lists' tabs."""
    from streamlit.testing.v1 import AppTest

    from tests.apptest_auth import sign_in
    from tests.conftest import APP

    name, username = sorted(app_db.contractors.items())[0]
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    sign_in(at, username)
    assert not at.exception, [e.value for e in at.exception]
    assert "今日预警" in [s.value for s in at.subheader]
    own = [r for r in default_file if r["contractor"] == name]
    shown = {m.label: m.value for m in at.metric}
    for status, zh in (("breached", "已超时"), ("at_risk", "临近超时"), ("on_track", "正常")):
        assert shown[zh] == f"{sum(r['status'] == status for r in own):,}"
    tabs = [t.label for t in at.tabs]
    due = sum(r["kind"] == "inspection_due" for r in own)
    assert f"本月待巡检 ({due:,})" in tabs
