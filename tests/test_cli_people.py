"""`daiwei users | month | appeal | audit` run in-process on a real application database (SQLite, and
PostgreSQL once): exit codes, one-line bilingual refusals, and the audit trail they leave."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

import appstate
from cli.main import main
from core.principal import Principal
from tests.pg import pg_server, pg_url  # noqa: F401  (fixtures)

BOSS = Principal("boss", "admin")
TT = Principal("tt_user", "contractor", "铁通")
ZX = Principal("zx_user", "contractor", "中讯")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DAIWEI_USER", "DAIWEI_APP_DB", "DAIWEI_WAREHOUSE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'app.db'}"


class Cli:
    def __init__(self, url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.url, self.capsys, self.monkeypatch = url, capsys, monkeypatch

    def __call__(self, *argv: str, stdin: str = "", user: str | None = None) -> tuple[int, str, str]:
        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        args = [*argv, "--app-db", self.url, *(["--user", user] if user else [])]
        code = main(args)
        out, err = self.capsys.readouterr()
        return code, out, err

    def app(self) -> Iterator[appstate.AppDB]:
        db = appstate.connect(self.url)
        try:
            yield db
        finally:
            db.dispose()


@pytest.fixture
def cli(url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(url, capsys, monkeypatch)


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and " / " in lines[0] and "Traceback" not in err, err
    return lines[0]


def people(cli: Cli) -> None:
    """boss (admin, created by the local OS user), tt_user (铁通), zx_user (中讯), ana (analyst)."""
    assert cli("users", "add", "boss", "--role", "admin", "--password-stdin", stdin="boss-pw\n")[0] == 0
    for argv in (
        ("users", "add", "tt_user", "--role", "contractor", "--contractor", "铁通", "--password-stdin"),
        ("users", "add", "zx_user", "--role", "contractor", "--contractor", "中讯", "--password-stdin"),
        ("users", "add", "ana", "--role", "analyst", "--password-stdin"),
    ):
        assert cli(*argv, stdin="pw-123\n", user="boss")[0] == 0


def test_users_add_list_disable(cli: Cli) -> None:
    people(cli)
    code, out, _ = cli("users", "list", user="boss")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["username", "role", "contractor", "disabled"]
    assert [ln.split()[:3] for ln in lines[1:]] == [
        ["ana", "analyst", "no"],
        ["boss", "admin", "no"],
        ["tt_user", "contractor", "铁通"],
        ["zx_user", "contractor", "中讯"],
    ]
    assert "argon2" not in out and "pw-123" not in out

    code, _, err = cli("users", "add", "x", "--role", "contractor", "--password-stdin", stdin="pw\n", user="boss")
    assert code == 2 and "contractor" in one_line(err)
    code, _, err = cli("users", "add", "x", "--role", "analyst", "--password-stdin", stdin="\n", user="boss")
    assert code == 2 and "password" in one_line(err)
    code, _, err = cli("users", "add", "x", "--role", "admin", "--password-stdin", stdin="pw\n", user="tt_user")
    assert code == 2 and "admin" in one_line(err)
    code, _, err = cli("users", "add", "x", "--role", "admin", stdin="pw\n", user="boss")  # no --password-stdin
    assert code == 2 and "password-stdin" in one_line(err)
    code, _, err = cli("users", "list", user="tt_user")
    assert code == 2

    assert cli("users", "disable", "tt_user", user="boss")[0] == 0
    code, _, err = cli("month", "list", user="tt_user")
    assert code == 2 and "tt_user" in one_line(err) and "disabled" in err
    code, _, err = cli("month", "list", user="nobody")
    assert code == 2 and "does not exist" in one_line(err)
    for db in cli.app():
        users = {a.username: a for a in appstate.list_users(db)}
        assert users["tt_user"].disabled and users["tt_user"].contractor == "铁通"
        changes = [(e.role, e.outcome) for e in reversed(appstate.entries(db, action="user_change"))]
        assert changes[:4] == [("admin", "ok")] * 4  # the first by the OS user, as a local admin
        assert ("contractor", "denied") in changes and changes[-1] == ("admin", "ok")


def test_options_may_follow_the_action(cli: Cli, url: str) -> None:
    people(cli)
    assert main(["users", "--app-db", url, "--user", "boss", "list"]) == 0
    assert main(["users", "list", "--user", "boss", "--app-db", url]) == 0


def test_month_open_reopen_and_confirm(cli: Cli) -> None:
    people(cli)
    code, out, _ = cli("month", "open", "2026-10", user="boss")
    assert code == 0 and "2026-10" in out
    code, _, err = cli("month", "open", "2026-10", user="boss")
    assert code == 2 and "draft" in one_line(err)
    code, _, err = cli("month", "open", "2026-10", user="tt_user")
    assert code == 2 and one_line(err)
    code, _, err = cli("month", "open", "2026-13", user="boss")
    assert code == 2 and "YYYY-MM" in one_line(err)
    code, _, err = cli("month", "reopen", "2026-10", "--reason", "typo", user="boss")
    assert code == 2 and "closed" in one_line(err)
    assert cli("month", "reopen", "2026-10", user="boss")[0] == 2  # --reason is required

    assert cli("month", "confirm", "2026-10", user="tt_user")[0] == 0
    code, _, err = cli("month", "confirm", "2026-10", user="boss")
    assert code == 2 and one_line(err)
    code, out, _ = cli("month", "list", user="zx_user")
    assert code == 0 and "铁通" not in out  # never who else confirmed
    assert out.splitlines()[1].split()[:2] == ["2026-10", "open"]

    for db in cli.app():
        appstate.close_month(db, "2026-10", actor=BOSS, snapshot={"fct_kpi": [{"v": "1"}]}, load_seq_watermark=3)
    code, _, err = cli("month", "reopen", "2026-10", "--reason", " ", user="boss")
    assert code == 2 and "reason" in one_line(err)
    code, out, _ = cli("month", "reopen", "2026-10", "--reason", "补录工单 / late tickets", user="boss")
    assert code == 0
    for db in cli.app():
        st = appstate.month_states(db)["2026-10"]
        assert (st.state, st.reopened_reason) == ("open", "补录工单 / late tickets")
        assert appstate.entries(db, action="reopen_month")[0].target == "2026-10: 补录工单 / late tickets"


def test_appeal_rule_and_list(cli: Cli, tmp_path: Path) -> None:
    people(cli)
    assert cli("month", "open", "2026-10", user="boss")[0] == 0
    for db in cli.app():
        a1 = appstate.file_appeal(
            db,
            actor=TT,
            month="2026-10",
            ticket_id="GZ-1",
            ticket_contractor="铁通",
            rule="timeliness",
            reason='=HYPERLINK("http://x")',
            evidence="@SUM(1)",
        )
        a2 = appstate.file_appeal(
            db,
            actor=ZX,
            month="2026-10",
            ticket_id="GZ-2",
            ticket_contractor="中讯",
            rule="photo",
            item="机房照片",
            reason="照片已补",
        )

    code, _, err = cli("appeal", "rule", str(a1), "--accept", "--note", "ok", user="ana")
    assert code == 2 and one_line(err)
    assert cli("appeal", "rule", str(a1), "--accept", "--reject", "--note", "x", user="boss")[0] == 2
    code, out, _ = cli("appeal", "rule", str(a1), "--accept", "--note", "属实", user="boss")
    assert code == 0 and "accepted" in out
    code, _, err = cli("appeal", "rule", str(a1), "--reject", "--note", "again", user="boss")
    assert code == 2 and "already" in one_line(err)
    code, _, err = cli("appeal", "rule", "999", "--reject", "--note", "n", user="boss")
    assert code == 2 and "999" in one_line(err)

    own = tmp_path / "tt.csv"
    code, out, _ = cli("appeal", "list", "--out", str(own), user="tt_user")
    assert code == 0 and "1 appeals" in out
    raw = own.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("appeal_id,month,ticket_id,contractor,rule,item,state,reason,evidence")
    assert lines[1].startswith(f"{a1},2026-10,GZ-1,铁通,timeliness,,accepted,") and len(lines) == 2
    assert "'=HYPERLINK" in lines[1] and ",'@SUM(1)," in lines[1]  # no live formula
    everyone = tmp_path / "all.csv"
    assert cli("appeal", "list", "--month", "2026-10", "--out", str(everyone), user="ana")[0] == 0
    assert len(everyone.read_text(encoding="utf-8-sig").splitlines()) == 3
    assert cli("appeal", "list", "--out", str(tmp_path / "x.xlsx"), user="ana")[0] == 2
    for db in cli.app():
        assert [e.username for e in appstate.entries(db, action="export")] == ["ana", "tt_user"]
        assert {a.appeal_id: a.state for a in appstate.list_appeals(db, actor=BOSS)} == {
            a1: "accepted",
            a2: "pending",
        }


def test_appeal_file_refuses_non_contractors_without_the_warehouse(cli: Cli) -> None:
    people(cli)
    assert cli("month", "open", "2026-10", user="boss")[0] == 0
    argv = ("appeal", "file", "--month", "2026-10", "--ticket", "GZ-1", "--rule", "timeliness", "--reason", "r")
    code, _, err = cli(*argv, user="boss")
    assert code == 2 and "contractor" in one_line(err)


def test_audit_verify_then_tamper(cli: Cli) -> None:
    people(cli)
    assert cli("month", "open", "2026-10", user="boss")[0] == 0
    code, out, _ = cli("audit", "verify", user="boss")
    assert code == 0 and out.startswith("审计记录完整 / audit trail intact: 5 entries")
    code, _, err = cli("audit", "verify", user="tt_user")
    assert code == 2 and one_line(err)
    for db in cli.app():
        with db.engine.begin() as con:
            con.exec_driver_sql("UPDATE app_audit_log SET outcome = 'denied' WHERE id = 3")
    code, out, err = cli("audit", "verify", user="boss")
    assert code == 1 and out == ""
    assert "第 3 条" in one_line(err) and "entry 3" in err


def test_on_postgresql(pg_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    cli = Cli(pg_url, capsys, monkeypatch)
    people(cli)
    assert cli("month", "open", "2026-10", user="boss")[0] == 0
    assert cli("users", "disable", "ana", user="boss")[0] == 0
    code, out, _ = cli("audit", "verify")  # the OS user, a local admin
    assert code == 0 and "6 entries" in out
    for db in cli.app():
        with db.engine.begin() as con:
            con.exec_driver_sql("DELETE FROM app_audit_log WHERE id = 2")
    code, _, err = cli("audit", "verify", user="boss")
    assert code == 1 and "entry 3" in one_line(err)


# --- with a published warehouse (reporting.freeze) -------------------------------------------------------------


@pytest.mark.slow
def test_month_close_and_appeal_file_on_the_demo_warehouse(cli: Cli, demo_run: dict) -> None:
    pytest.importorskip("reporting.freeze")
    import duckdb

    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr[-2000:]
    wh = str(demo_run["wh"])
    con = duckdb.connect(wh, read_only=True)
    try:
        month, contractor, ticket = con.execute(
            "SELECT month, contractor, ticket_id FROM marts.mart_ticket_steps ORDER BY month, ticket_id LIMIT 1"
        ).fetchone()  # type: ignore[misc]
    finally:
        con.close()
    people(cli)
    assert (
        cli(
            "users",
            "add",
            "own",
            "--role",
            "contractor",
            "--contractor",
            contractor,
            "--password-stdin",
            stdin="pw\n",
            user="boss",
        )[0]
        == 0
    )
    assert cli("month", "open", month, "--warehouse", wh, user="boss")[0] == 0
    argv = ("appeal", "file", "--month", month, "--rule", "timeliness", "--reason", "停电", "--warehouse", wh)
    code, out, err = cli(*argv, "--ticket", ticket, user="own")
    assert code == 0 and out.strip().isdigit(), err
    code, _, err = cli(*argv, "--ticket", "NO-SUCH-TICKET", user="own")
    assert code == 2 and one_line(err)
    code, out, err = cli("month", "close", month, "--warehouse", wh, user="boss")
    assert code == 0, err
    for db in cli.app():
        frozen = appstate.frozen_snapshots(db)[month]
        assert frozen.relations and any(frozen.relations.values())


def test_every_people_option_says_its_format_and_default() -> None:
    """As test_cli_safety checks for the top-level commands, down to each action of users/month/appeal/audit."""
    import argparse

    from cli.main import _parser

    def subparsers(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        found = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        return dict(found[0].choices) if found else {}

    top = subparsers(_parser())
    for name in ("users", "month", "appeal", "audit"):
        parsers = [(name, top[name])] + [(f"{name} {k}", v) for k, v in subparsers(top[name]).items()]
        for where, p in parsers:
            for action in p._actions:
                if action.dest == "help":
                    continue
                text = action.help or ""
                assert " / " in text and ("(default" in text or "(required)" in text), (where, action.dest, text)
