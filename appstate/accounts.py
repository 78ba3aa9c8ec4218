"""Accounts and sign-in: Argon2 password hashes, roles bound to Principal, lockout after failures.

Only an admin manages accounts (access.md). The password is hashed with argon2-cffi's
`PasswordHasher` (Argon2id, its recommended parameters) and never stored, logged or put on
the audit trail. `sign_in` records its own audit entry, successful or not, in the same
transaction that updates the failure count, so the count and the trail agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from appstate.audit import append, attempt
from appstate.db import AppDB, utc
from appstate.errors import Denied, Invalid
from appstate.models import UserRow
from core.principal import ROLES, Principal
from core.seeds import read_seed

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@\-\u4e00-\u9fff]{1,64}$")
OUTCOMES = ("ok", "bad_password", "unknown_user", "locked", "disabled")


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    contractor: str | None
    disabled: bool
    created_at: datetime

    @property
    def principal(self) -> Principal:
        return Principal(username=self.username, role=self.role, contractor=self.contractor)


@dataclass(frozen=True)
class SignIn:
    principal: Principal | None  # set only when outcome == 'ok'
    outcome: str  # one of OUTCOMES
    locked_until: datetime | None = None


@dataclass(frozen=True)
class LockoutPolicy:
    failures: int
    minutes: int

    @classmethod
    def from_settings(cls, settings: Any) -> LockoutPolicy:
        """The settings' values where set ($DAIWEI_LOCKOUT_FAILURES / _MINUTES), else the seed access_rules."""
        return cls(
            failures=getattr(settings, "lockout_failures", None) or access_rule("lockout_failures"),
            minutes=getattr(settings, "lockout_minutes", None) or access_rule("lockout_minutes"),
        )


def access_rule(code: str) -> int:
    """One integer of the seed access_rules (appeal_window_days, lockout_failures, lockout_minutes)."""
    return _access_rules()[code]


@cache
def _access_rules() -> dict[str, int]:
    return {r["rule_code"]: int(r["value"]) for r in read_seed("access_rules")}


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against for an unknown user, so the answer takes as long as for a known one."""
    return _hasher().hash("daiwei: no such user")


def _account(r: UserRow) -> Account:
    return Account(r.username, r.role, r.contractor, bool(r.disabled), r.created_at)


def _require_admin(actor: Principal) -> None:
    if not actor.is_admin:
        raise Denied("只有管理员可以管理账号 / only an admin manages accounts")


def add_user(
    app: AppDB,
    username: str,
    role: str,
    password: str,
    contractor: str | None = None,
    *,
    actor: Principal,
    now: datetime | None = None,
) -> Account:
    """Create an account (admin only); the username is unique and a contractor account names its contractor."""
    username, contractor = username.strip(), (contractor or "").strip() or None
    target = f"add user {username} ({role}{', ' + contractor if contractor else ''})"
    with attempt(app, actor, "user_change", target), app.writing() as s:
        _require_admin(actor)
        if not USERNAME_RE.match(username):
            raise Invalid(
                f"用户名无效 / invalid username (1–64 letters, digits, Chinese characters, _.@-): {username!r}"
            )
        if role not in ROLES:
            raise Invalid(f"未知角色 / unknown role: {role!r} ({', '.join(ROLES)})")
        if role == "contractor" and not contractor:
            raise Invalid("代维公司账号需要 --contractor / a contractor account needs its contractor name")
        if role != "contractor" and contractor:
            raise Invalid("只有代维公司账号绑定代维公司 / only a contractor account is bound to a contractor")
        if not password:
            raise Invalid("密码不能为空 / the password must not be empty")
        if s.get(UserRow, username) is not None:
            raise Invalid(f"用户名已存在 / username already exists: {username}")
        row = UserRow(
            username=username,
            role=role,
            contractor=contractor,
            password_hash=_hasher().hash(password),
            disabled=False,
            created_at=utc(now),
            failed_in_a_row=0,
            locked_until=None,
        )
        s.add(row)
        append(s, actor=actor, action="user_change", target=target, now=now)
        return _account(row)


def set_password(app: AppDB, username: str, password: str, *, actor: Principal, now: datetime | None = None) -> Account:
    """Give an account a new password (admin only); a lock and the failure count are cleared with it."""
    target = f"set password of {username}"
    with attempt(app, actor, "user_change", target), app.writing() as s:
        _require_admin(actor)
        row = s.get(UserRow, username)
        if row is None:
            raise Invalid(f"没有这个账号 / no such account: {username}")
        if not password:
            raise Invalid("密码不能为空 / the password must not be empty")
        row.password_hash = _hasher().hash(password)
        row.failed_in_a_row = 0
        row.locked_until = None
        append(s, actor=actor, action="user_change", target=target, now=now)
        return _account(row)


def list_users(app: AppDB) -> list[Account]:
    with app.session() as s:
        return [_account(r) for r in s.execute(select(UserRow).order_by(UserRow.username)).scalars()]


def get_account(app: AppDB, username: str) -> Account | None:
    with app.session() as s:
        row = s.get(UserRow, username)
        return None if row is None else _account(row)


def disable_user(app: AppDB, username: str, *, actor: Principal, now: datetime | None = None) -> Account:
    """Disable an account (admin only): it can no longer sign in; its history stays."""
    target = f"disable user {username}"
    with attempt(app, actor, "user_change", target), app.writing() as s:
        _require_admin(actor)
        row = s.get(UserRow, username)
        if row is None:
            raise Invalid(f"没有这个账号 / no such account: {username}")
        if row.disabled:
            raise Invalid(f"账号已停用 / account already disabled: {username}")
        row.disabled = True
        append(s, actor=actor, action="user_change", target=target, now=now)
        return _account(row)


def sign_in(app: AppDB, username: str, password: str, *, policy: LockoutPolicy, now: datetime | None = None) -> SignIn:
    """Check a password; `policy.failures` wrong ones in a row lock the account for `policy.minutes`.

    During a lock every attempt fails with 'locked', the right password included, and does
    not extend the lock. A success resets the count. The caller shows the user one generic
    message for every failure: the outcome is for the trail and the logs."""
    at = utc(now)
    with app.writing() as s:
        row = s.get(UserRow, username)
        if row is None:
            _verify(_dummy_hash(), password)
            append(
                s,
                actor=None,
                username=username,
                action="sign_in_failed",
                target=username,
                outcome="unknown_user",
                now=at,
            )
            return SignIn(None, "unknown_user")
        who = _account(row).principal
        if row.disabled:
            append(s, actor=who, action="sign_in_failed", target=username, outcome="disabled", now=at)
            return SignIn(None, "disabled")
        if row.locked_until is not None and at < row.locked_until:
            append(s, actor=who, action="sign_in_failed", target=username, outcome="locked", now=at)
            return SignIn(None, "locked", row.locked_until)
        if not _verify(row.password_hash, password):
            row.failed_in_a_row += 1
            if row.failed_in_a_row >= policy.failures:
                row.locked_until, row.failed_in_a_row = at + timedelta(minutes=policy.minutes), 0
            append(s, actor=who, action="sign_in_failed", target=username, outcome="bad_password", now=at)
            return SignIn(
                None, "bad_password", row.locked_until if row.locked_until and at < row.locked_until else None
            )
        row.failed_in_a_row, row.locked_until = 0, None
        if _hasher().check_needs_rehash(row.password_hash):
            row.password_hash = _hasher().hash(password)
        append(s, actor=who, action="sign_in", target=username, now=at)
        return SignIn(who, "ok")


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher().verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
