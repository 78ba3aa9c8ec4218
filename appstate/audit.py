"""The audit trail: append-only, each entry chained to the one before by SHA-256 (access.md).

An entry's hash covers its id, time, user, role, action, target, outcome and the previous
entry's hash, so editing a row breaks its own hash, and deleting or reordering rows breaks
the links (`verify` names the first entry that fails). Appends happen inside a writing
session (`AppDB.writing`), which holds the database-wide write lock: the last entry read
is the last entry there is, so two writers can never both chain onto it.

What the chain cannot show on its own is a cut at the very end (the newest entries
removed): keep a copy of `verify`'s count and last hash elsewhere if that matters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from appstate.db import AppDB, utc
from appstate.errors import Denied, Invalid
from appstate.models import AuditRow
from core.principal import Principal

ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "view",
    "download",
    "export",
    "pack",
    "appeal",
    "ruling",
    "confirm",
    "open_month",
    "close_month",
    "reopen_month",
    "user_change",
)
GENESIS = "0" * 64
MAX_TEXT = 2000  # a target longer than this (a page with huge filters) is cut: the trail is not a data store
MAX_NAME = 200


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    username: str | None
    role: str | None
    action: str
    target: str
    outcome: str
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken: int | None
    reason: str


def entry_hash(
    id: int, at: datetime, username: str | None, role: str | None, action: str, target: str, outcome: str, prev: str
) -> str:
    """SHA-256 (hex) of the canonical serialisation: a compact JSON array, UTF-8, in this field order."""
    fields = [id, utc(at).isoformat(), username, role, action, target, outcome, prev]
    canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(
    s: Session,
    *,
    actor: Principal | None,
    action: str,
    target: str,
    outcome: str = "ok",
    username: str | None = None,
    now: datetime | None = None,
) -> int:
    """Append one entry in the caller's writing session (the same transaction as the change it records)."""
    if action not in ACTIONS:
        raise Invalid(f"未知审计动作 / unknown audit action: {action!r}")
    last = s.execute(select(AuditRow.id, AuditRow.entry_hash).order_by(AuditRow.id.desc()).limit(1)).first()
    new_id, prev = (1, GENESIS) if last is None else (last[0] + 1, last[1])
    at = utc(now)
    name = (actor.username if actor is not None else username or "")[:MAX_NAME] or None
    role = actor.role if actor is not None else None
    target, outcome = target[:MAX_TEXT], outcome[:32]
    digest = entry_hash(new_id, at, name, role, action, target, outcome, prev)
    s.add(
        AuditRow(
            id=new_id,
            at=at,
            username=name,
            role=role,
            action=action,
            target=target,
            outcome=outcome,
            prev_hash=prev,
            entry_hash=digest,
        )
    )
    s.flush()
    return new_id


def record(
    app: AppDB,
    *,
    actor: Principal | None,
    action: str,
    target: str,
    outcome: str = "ok",
    username: str | None = None,
    now: datetime | None = None,
) -> int:
    """Record one entry on its own (a page view, a download, an export); returns its id."""
    with app.writing() as s:
        return append(s, actor=actor, action=action, target=target, outcome=outcome, username=username, now=now)


@contextmanager
def attempt(app: AppDB, actor: Principal | None, action: str, target: str) -> Iterator[None]:
    """Put a refused action on the record too: the change rolled back, its entry says 'denied' / 'invalid'.

    Wraps the writing session (not inside it), so the refused transaction is gone before the
    refusal is recorded in a transaction of its own."""
    try:
        yield
    except Denied:
        record(app, actor=actor, action=action, target=target, outcome="denied")
        raise
    except Invalid:
        record(app, actor=actor, action=action, target=target, outcome="invalid")
        raise


def verify(app: AppDB) -> VerifyResult:
    """Walk the trail by id and name the first entry whose id, link or own hash does not hold."""
    checked, prev, expected_id = 0, GENESIS, 1
    with app.session() as s:
        rows = s.execute(select(AuditRow).order_by(AuditRow.id).execution_options(yield_per=1000)).scalars()
        for r in rows:
            if r.id != expected_id:
                gone = f"{expected_id}" if r.id == expected_id + 1 else f"{expected_id}–{r.id - 1}"
                return _broken(checked, r.id, f"之前的条目 {gone} 缺失 / entries {gone} before it are missing")
            if r.prev_hash != prev:
                return _broken(checked, r.id, "与上一条的链接不符 / its link to the previous entry does not match")
            own = entry_hash(r.id, r.at, r.username, r.role, r.action, r.target, r.outcome, r.prev_hash)
            if r.entry_hash != own:
                return _broken(checked, r.id, "内容已被修改 / its content was changed (hash mismatch)")
            checked, prev, expected_id = checked + 1, r.entry_hash, r.id + 1
    return VerifyResult(ok=True, checked=checked, first_broken=None, reason="")


def _broken(checked: int, entry_id: int, why: str) -> VerifyResult:
    return VerifyResult(ok=False, checked=checked, first_broken=entry_id, reason=why)


def entries(
    app: AppDB, *, limit: int = 1000, action: str | None = None, username: str | None = None
) -> list[AuditEntry]:
    """The newest `limit` entries first, optionally one action's or one user's."""
    q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if action is not None:
        q = q.where(AuditRow.action == action)
    if username is not None:
        q = q.where(AuditRow.username == username)
    with app.session() as s:
        return [_entry(r) for r in s.execute(q).scalars()]


def _entry(r: AuditRow) -> AuditEntry:
    return AuditEntry(r.id, r.at, r.username, r.role, r.action, r.target, r.outcome, r.prev_hash, r.entry_hash)
