"""The application database on real SQLite and a real PostgreSQL server: accounts, lockout, months,
appeals and the hash-chained audit trail, each rule checked on both engines."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

import appstate
from appstate import Denied, Invalid, LockoutPolicy
from core.principal import Principal
from core.settings import Settings
from tests.pg import pg_server, pg_url  # noqa: F401  (fixtures)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ROOT = Principal.local_admin("root")
ADMIN = Principal("boss", "admin")
ANALYST = Principal("ana", "analyst")
AUDITOR = Principal("aud", "auditor")
TT = Principal("tt_user", "contractor", "铁通")
ZX = Principal("zx_user", "contractor", "中讯")
POLICY = LockoutPolicy(failures=5, minutes=15)


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[appstate.AppDB]:
    url = (
        f"sqlite:///{tmp_path / 'nested' / 'app.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    db = appstate.connect(url)
    yield db
    db.dispose()


def raw(app: appstate.AppDB, sql: str, **params: object) -> list[tuple]:
    """Straight SQL past appstate: what someone with the database file could do."""
    with app.engine.begin() as con:
        result = con.execute(text(sql), params)
        return [tuple(r) for r in result] if result.returns_rows else []


# --- accounts ------------------------------------------------------------------------------------------------


def test_add_list_disable_users_store_argon2_hashes_only(app: appstate.AppDB) -> None:
    appstate.add_user(app, "boss", "admin", "Pa55-boss", actor=ROOT)
    appstate.add_user(app, "ana", "analyst", "Pa55-ana", actor=ROOT)
    acc = appstate.add_user(app, "tt_user", "contractor", "Pa55-tt", "铁通", actor=ADMIN)
    assert acc.principal == TT and acc.created_at.tzinfo is not None
    assert [(a.username, a.role, a.contractor, a.disabled) for a in appstate.list_users(app)] == [
        ("ana", "analyst", None, False),
        ("boss", "admin", None, False),
        ("tt_user", "contractor", "铁通", False),
    ]
    hashes = dict(raw(app, "SELECT username, password_hash FROM app_users"))
    assert all(h.startswith("$argon2id$") for h in hashes.values())
    assert not any(pw in h for h, pw in zip(hashes.values(), ("Pa55-boss", "Pa55-ana", "Pa55-tt"), strict=True))
    trail = " ".join(e.target for e in appstate.entries(app))
    assert "Pa55" not in trail and "argon2" not in trail

    disabled = appstate.disable_user(app, "ana", actor=ADMIN)
    assert disabled.disabled and appstate.get_account(app, "ana").disabled  # type: ignore[union-attr]
    assert appstate.sign_in(app, "ana", "Pa55-ana", policy=POLICY).outcome == "disabled"
    assert appstate.get_account(app, "nobody") is None
    with pytest.raises(Invalid):
        appstate.disable_user(app, "nobody", actor=ADMIN)
    changes = appstate.entries(app, action="user_change")
    assert [e.outcome for e in changes] == ["invalid", "ok", "ok", "ok", "ok"]
    assert changes[1].target == "disable user ana" and changes[1].username == "boss"


@pytest.mark.parametrize(
    ("username", "role", "contractor", "password", "error"),
    [
        ("x1", "contractor", None, "pw", Invalid),  # a contractor account names its contractor
        ("x2", "analyst", "铁通", "pw", Invalid),  # only a contractor account is bound
        ("x3", "superuser", None, "pw", Invalid),
        ("x4", "admin", None, "", Invalid),
        ("bad name", "admin", None, "pw", Invalid),
        ("boss", "admin", None, "pw", Invalid),  # taken
    ],
)
def test_add_user_validation(
    app: appstate.AppDB, username: str, role: str, contractor: str | None, password: str, error: type
) -> None:
    appstate.add_user(app, "boss", "admin", "pw", actor=ROOT)
    with pytest.raises(error, match=" / "):
        appstate.add_user(app, username, role, password, contractor, actor=ADMIN)
    assert [a.username for a in appstate.list_users(app)] == ["boss"]


@pytest.mark.parametrize("actor", [ANALYST, AUDITOR, TT])
def test_only_admins_manage_accounts(app: appstate.AppDB, actor: Principal) -> None:
    appstate.add_user(app, "victim", "analyst", "pw", actor=ROOT)
    with pytest.raises(Denied):
        appstate.add_user(app, "mole", "admin", "pw", actor=actor)
    with pytest.raises(Denied):
        appstate.disable_user(app, "victim", actor=actor)
    assert [a.username for a in appstate.list_users(app)] == ["victim"]
    assert [(e.username, e.outcome) for e in appstate.entries(app, action="user_change")][:2] == [
        (actor.username, "denied"),
        (actor.username, "denied"),
    ]


def test_lockout_after_five_failures_for_fifteen_minutes(app: appstate.AppDB) -> None:
    appstate.add_user(app, "tt_user", "contractor", "right-pw", "铁通", actor=ROOT)
    for i in range(4):
        r = appstate.sign_in(app, "tt_user", "wrong", policy=POLICY, now=T0 + timedelta(seconds=i))
        assert (r.outcome, r.principal, r.locked_until) == ("bad_password", None, None)
    fifth = appstate.sign_in(app, "tt_user", "wrong", policy=POLICY, now=T0 + timedelta(seconds=4))
    assert fifth.outcome == "bad_password" and fifth.locked_until == T0 + timedelta(seconds=4, minutes=15)
    during = appstate.sign_in(app, "tt_user", "right-pw", policy=POLICY, now=T0 + timedelta(minutes=14))
    assert (during.outcome, during.principal, during.locked_until) == ("locked", None, fifth.locked_until)
    after = appstate.sign_in(app, "tt_user", "right-pw", policy=POLICY, now=T0 + timedelta(minutes=15, seconds=5))
    assert after.outcome == "ok" and after.principal == TT
    outcomes = [e.outcome for e in reversed(appstate.entries(app, username="tt_user"))]
    assert outcomes == ["bad_password"] * 5 + ["locked", "ok"]
    assert [e.action for e in appstate.entries(app, username="tt_user")][:2] == ["sign_in", "sign_in_failed"]


def test_success_resets_the_failure_count(app: appstate.AppDB) -> None:
    appstate.add_user(app, "boss", "admin", "right-pw", actor=ROOT)
    for _ in range(4):
        assert appstate.sign_in(app, "boss", "wrong", policy=POLICY, now=T0).outcome == "bad_password"
    assert appstate.sign_in(app, "boss", "right-pw", policy=POLICY, now=T0).outcome == "ok"
    for _ in range(4):
        assert appstate.sign_in(app, "boss", "wrong", policy=POLICY, now=T0).locked_until is None
    assert appstate.sign_in(app, "boss", "right-pw", policy=POLICY, now=T0).principal == ADMIN


def test_unknown_user_is_recorded_under_the_name_tried(app: appstate.AppDB) -> None:
    r = appstate.sign_in(app, "ghost", "pw", policy=POLICY)
    assert (r.outcome, r.principal) == ("unknown_user", None)
    [e] = appstate.entries(app)
    assert (e.action, e.username, e.role, e.outcome) == ("sign_in_failed", "ghost", None, "unknown_user")
    assert e.at.tzinfo is not None


def test_lockout_policy_from_seed_and_settings() -> None:
    assert LockoutPolicy.from_settings(Settings()) == LockoutPolicy(5, 15)
    env = {"DAIWEI_LOCKOUT_FAILURES": "3", "DAIWEI_LOCKOUT_MINUTES": "60"}
    assert LockoutPolicy.from_settings(Settings.load(env)) == LockoutPolicy(3, 60)
    assert appstate.appeal_window_days() == 7


# --- months --------------------------------------------------------------------------------------------------


def test_month_lifecycle_and_invalid_transitions(app: appstate.AppDB) -> None:
    assert appstate.month_states(app) == {}  # every month is a draft until opened
    with pytest.raises(Invalid):
        appstate.close_month(app, "2026-10", actor=ADMIN, snapshot={}, load_seq_watermark=1)
    with pytest.raises(Invalid):
        appstate.reopen_month(app, "2026-10", actor=ADMIN, reason="why")
    with pytest.raises(Invalid):
        appstate.open_month(app, "2026-13", actor=ADMIN)
    for who in (ANALYST, AUDITOR, TT):
        with pytest.raises(Denied):
            appstate.open_month(app, "2026-10", actor=who)

    st = appstate.open_month(app, "2026-10", actor=ADMIN, now=T0)
    assert (st.state, st.opened_at, st.window_ends_at) == ("open", T0, T0 + timedelta(days=7))
    with pytest.raises(Invalid):
        appstate.open_month(app, "2026-10", actor=ADMIN)
    with pytest.raises(Invalid):
        appstate.reopen_month(app, "2026-10", actor=ADMIN, reason="why")

    with pytest.raises(Denied):
        appstate.confirm_month(app, "2026-10", actor=ADMIN)
    with pytest.raises(Invalid):
        appstate.confirm_month(app, "2026-11", actor=TT)  # a draft
    assert appstate.confirm_month(app, "2026-10", actor=TT).confirmed_by == ("铁通",)
    with pytest.raises(Invalid):
        appstate.confirm_month(app, "2026-10", actor=TT)
    appstate.confirm_month(app, "2026-10", actor=ZX)
    assert appstate.month_states(app)["2026-10"].confirmed_by == ("中讯", "铁通")

    with pytest.raises(Denied):
        appstate.close_month(app, "2026-10", actor=ANALYST, snapshot={}, load_seq_watermark=1)
    closed = appstate.close_month(app, "2026-10", actor=ADMIN, snapshot={"fct_kpi": []}, load_seq_watermark=9)
    assert closed.state == "closed" and closed.closed_at is not None
    with pytest.raises(Invalid):
        appstate.close_month(app, "2026-10", actor=ADMIN, snapshot={}, load_seq_watermark=9)
    with pytest.raises(Invalid):
        appstate.confirm_month(app, "2026-10", actor=TT)

    with pytest.raises(Invalid, match="reason"):
        appstate.reopen_month(app, "2026-10", actor=ADMIN, reason="  ")
    with pytest.raises(Denied):
        appstate.reopen_month(app, "2026-10", actor=ANALYST, reason="typo")
    again = appstate.reopen_month(app, "2026-10", actor=ADMIN, reason="工单补录 / late tickets")
    assert (again.state, again.reopened_reason, again.closed_at, again.confirmed_by) == (
        "open",
        "工单补录 / late tickets",
        None,
        (),
    )
    assert again.window_ends_at == T0 + timedelta(days=7)  # a reopen keeps the original window
    actions = [(e.action, e.outcome) for e in reversed(appstate.entries(app)) if e.outcome == "ok"]
    assert actions == [
        ("open_month", "ok"),
        ("confirm", "ok"),
        ("confirm", "ok"),
        ("close_month", "ok"),
        ("reopen_month", "ok"),
    ]
    assert appstate.entries(app, action="reopen_month")[0].target == "2026-10: 工单补录 / late tickets"


def test_visible_months_per_role(app: appstate.AppDB) -> None:
    appstate.open_month(app, "2026-09", actor=ADMIN)
    appstate.close_month(app, "2026-09", actor=ADMIN, snapshot={}, load_seq_watermark=1)
    appstate.open_month(app, "2026-10", actor=ADMIN)
    for who in (ADMIN, ANALYST, AUDITOR):
        assert appstate.visible_months(app, who) is None
    assert appstate.visible_months(app, TT) == frozenset({"2026-09", "2026-10"})  # 2026-11 is a draft


def test_frozen_snapshots_round_trip_and_refuse_an_altered_snapshot(app: appstate.AppDB) -> None:
    snap: dict[str, list[dict]] = {
        "fct_kpi": [{"month": "2026-10", "kpi_code": "fault_timely_rate", "value": "0.912345", "contractor": "铁通"}],
        "fct_penalty_items": [{"ticket_id": "GZ-1", "amount": "-200", "note": None}],
    }
    appstate.open_month(app, "2026-10", actor=ADMIN)
    appstate.open_month(app, "2026-11", actor=ADMIN)
    appstate.close_month(app, "2026-10", actor=ADMIN, snapshot=snap, load_seq_watermark=42, now=T0)
    frozen = appstate.frozen_snapshots(app)
    assert list(frozen) == ["2026-10"]  # open months are not frozen
    assert (frozen["2026-10"].closed_at, frozen["2026-10"].load_seq_watermark) == (T0, 42)
    assert frozen["2026-10"].relations == snap
    raw(app, "UPDATE app_months SET snapshot_json = REPLACE(snapshot_json, '0.912345', '0.999999')")
    with pytest.raises(Invalid, match="2026-10"):
        appstate.frozen_snapshots(app)


# --- appeals -------------------------------------------------------------------------------------------------


def file(app: appstate.AppDB, who: Principal = TT, **over: object) -> int:
    args: dict = {
        "month": "2026-10",
        "ticket_id": "GZ-1",
        "ticket_contractor": "铁通",
        "rule": "timeliness",
        "reason": "停电 / power cut",
        "evidence": "供电局通知",
    }
    args.update(over)
    return appstate.file_appeal(app, actor=who, **args)


def test_appeal_window_counts_from_the_moment_opened(app: appstate.AppDB) -> None:
    with pytest.raises(Invalid):
        file(app, now=T0)  # a draft month takes no appeals
    appstate.open_month(app, "2026-10", actor=ADMIN, now=T0)
    first = file(app, now=T0 + timedelta(days=7) - timedelta(seconds=1))
    assert first >= 1
    with pytest.raises(Invalid, match="window"):
        file(app, ticket_id="GZ-2", now=T0 + timedelta(days=7, seconds=1))
    assert [a.ticket_id for a in appstate.list_appeals(app, actor=ADMIN)] == ["GZ-1"]


def test_appeal_rules_scope_and_duplicates(app: appstate.AppDB) -> None:
    appstate.open_month(app, "2026-10", actor=ADMIN)
    with pytest.raises(Denied):
        file(app, ticket_contractor="中讯")  # another contractor's ticket
    for who in (ADMIN, ANALYST):
        with pytest.raises(Denied):
            file(app, who=who)
    with pytest.raises(Invalid):
        file(app, ticket_contractor=None)  # the ticket is not in the warehouse
    with pytest.raises(Invalid):
        file(app, rule="form_item")  # names no item
    with pytest.raises(Invalid):
        file(app, item="签名")  # timeliness takes none
    with pytest.raises(Invalid):
        file(app, rule="speed")
    with pytest.raises(Invalid):
        file(app, reason=" ")

    a1 = file(app)
    with pytest.raises(Invalid, match=f"#{a1}"):
        file(app)
    a2 = file(app, rule="photo", item="机房照片")
    a3 = file(app, rule="photo", item="设备照片")  # another photo kind is another appeal
    z1 = file(app, who=ZX, ticket_id="GZ-9", ticket_contractor="中讯", rule="ack")

    assert [a.appeal_id for a in appstate.list_appeals(app, actor=TT)] == [a1, a2, a3]
    assert [a.appeal_id for a in appstate.list_appeals(app, actor=ZX)] == [z1]
    assert len(appstate.list_appeals(app, actor=ANALYST)) == 4
    assert appstate.list_appeals(app, actor=ADMIN, month="2026-11") == []

    for who in (ANALYST, AUDITOR, TT):
        with pytest.raises(Denied):
            appstate.rule_appeal(app, a1, actor=who, accept=True, note="ok")
    with pytest.raises(Invalid):
        appstate.rule_appeal(app, a1, actor=ADMIN, accept=True, note="")
    with pytest.raises(Invalid):
        appstate.rule_appeal(app, 9999, actor=ADMIN, accept=True, note="n")
    ruled = appstate.rule_appeal(app, a1, actor=ADMIN, accept=True, note="属实 / confirmed", now=T0)
    assert (ruled.state, ruled.ruled_by, ruled.ruled_at, ruled.note) == ("accepted", "boss", T0, "属实 / confirmed")
    with pytest.raises(Invalid):
        appstate.rule_appeal(app, a1, actor=ADMIN, accept=False, note="again")
    with pytest.raises(Invalid):
        file(app)  # an accepted appeal stands
    appstate.rule_appeal(app, a2, actor=ADMIN, accept=False, note="照片齐全 / photos were there")
    assert file(app, rule="photo", item="机房照片", evidence="新证据") > z1  # a rejected one may be filed again

    rows = appstate.appeal_rows_for_build(app)
    assert set(rows[0]) == {
        "appeal_id",
        "month",
        "ticket_id",
        "contractor",
        "rule",
        "item",
        "state",
        "filed_at",
        "ruled_at",
    }
    assert [(r["appeal_id"], r["state"], r["item"]) for r in rows[:3]] == [
        (a1, "accepted", None),
        (a2, "rejected", "机房照片"),
        (a3, "pending", "设备照片"),
    ]
    assert [e.target for e in appstate.entries(app, action="ruling") if e.outcome == "ok"] == [
        f"appeal {a2}: rejected",
        f"appeal {a1}: accepted",
    ]


def test_a_closed_month_takes_no_appeal_or_ruling(app: appstate.AppDB) -> None:
    appstate.open_month(app, "2026-10", actor=ADMIN)
    a1 = file(app)
    appstate.close_month(app, "2026-10", actor=ADMIN, snapshot={}, load_seq_watermark=1)
    with pytest.raises(Invalid):
        file(app, ticket_id="GZ-2")
    with pytest.raises(Invalid, match="reopen"):
        appstate.rule_appeal(app, a1, actor=ADMIN, accept=True, note="n")


# --- audit trail ---------------------------------------------------------------------------------------------


def some_history(app: appstate.AppDB) -> None:
    appstate.add_user(app, "boss", "admin", "pw", actor=ROOT)  # 1
    appstate.sign_in(app, "boss", "pw", policy=POLICY)  # 2
    appstate.open_month(app, "2026-10", actor=ADMIN)  # 3
    appstate.record(app, actor=ANALYST, action="view", target="overview month=2026-10")  # 4
    appstate.record(app, actor=TT, action="download", target="fct_kpi.csv")  # 5
    appstate.record(app, actor=AUDITOR, action="view", target="audit")  # 6


def test_audit_chain_verifies_and_names_an_edited_entry(app: appstate.AppDB) -> None:
    some_history(app)
    assert appstate.verify(app) == appstate.VerifyResult(ok=True, checked=6, first_broken=None, reason="")
    newest = appstate.entries(app)
    assert [e.id for e in newest] == [6, 5, 4, 3, 2, 1] and newest[-1].prev_hash == "0" * 64
    assert all(e.prev_hash == older.entry_hash for e, older in itertools.pairwise(newest))

    raw(app, "UPDATE app_audit_log SET target = 'nothing to see' WHERE id = 4")
    result = appstate.verify(app)
    assert (result.ok, result.first_broken, result.checked) == (False, 4, 3)
    assert "changed" in result.reason


def test_audit_chain_names_a_deleted_entry(app: appstate.AppDB) -> None:
    some_history(app)
    raw(app, "DELETE FROM app_audit_log WHERE id = 3")
    result = appstate.verify(app)
    assert (result.ok, result.first_broken) == (False, 4)
    assert "3" in result.reason and "missing" in result.reason


def test_audit_chain_detects_a_rehashed_edit_and_reordered_rows(app: appstate.AppDB) -> None:
    from appstate.audit import entry_hash

    some_history(app)
    [e4] = [e for e in appstate.entries(app) if e.id == 4]
    forged = entry_hash(4, e4.at, "someone_else", e4.role, e4.action, e4.target, e4.outcome, e4.prev_hash)
    raw(app, "UPDATE app_audit_log SET username = 'someone_else', entry_hash = :h WHERE id = 4", h=forged)
    assert appstate.verify(app).first_broken == 5  # the edit is consistent in itself, not with its successor

    raw(app, "UPDATE app_audit_log SET id = 100 WHERE id = 2")
    raw(app, "UPDATE app_audit_log SET id = 2 WHERE id = 3")
    raw(app, "UPDATE app_audit_log SET id = 3 WHERE id = 100")
    assert appstate.verify(app).first_broken == 2


def test_refused_changes_roll_back_but_are_on_the_record(app: appstate.AppDB) -> None:
    with pytest.raises(Denied):
        appstate.open_month(app, "2026-10", actor=TT)
    assert appstate.month_states(app) == {}
    [e] = appstate.entries(app)
    assert (e.action, e.username, e.role, e.target, e.outcome) == (
        "open_month",
        "tt_user",
        "contractor",
        "2026-10",
        "denied",
    )
    with pytest.raises(Invalid):
        appstate.record(app, actor=TT, action="delete_everything", target="x")
    assert appstate.verify(app).ok


def test_concurrent_writers_never_fork_the_chain(app: appstate.AppDB) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                appstate.record(app, actor=ANALYST, action="view", target=f"writer {n} page {i}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = appstate.verify(app)
    assert (result.ok, result.checked) == (True, 40)
    assert len({e.prev_hash for e in appstate.entries(app)}) == 40


def test_entries_filter_and_limit(app: appstate.AppDB) -> None:
    some_history(app)
    assert [e.id for e in appstate.entries(app, limit=2)] == [6, 5]
    assert [e.id for e in appstate.entries(app, action="view")] == [6, 4]
    assert [e.id for e in appstate.entries(app, username="tt_user")] == [5]
