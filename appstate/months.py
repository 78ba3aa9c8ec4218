"""The month lifecycle of access.md: draft → open (appeal window) → closed (figures frozen), reopen with a reason.

A month nobody has opened has no row and is 'draft': computed, seen by the department only.
Opening publishes it to the contractors and starts the appeal window (seed
appeal_window_days, counted from the moment it is opened). Closing stores the month's
published figures as a snapshot with its SHA-256, which later runs keep instead of
recomputing (`frozen_snapshots`). Reopening keeps the original appeal window (a reopen is
the department's correction, not a second round of appeals) and drops the contractors'
confirmations, which were given for figures that may now change; the trail keeps both.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from appstate.accounts import access_rule
from appstate.audit import append, attempt
from appstate.db import AppDB, utc
from appstate.errors import Denied, Invalid
from appstate.models import ConfirmationRow, MonthRow
from core.principal import Principal

STATES = ("draft", "open", "closed")
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
STATE_ZH = {"draft": "草稿", "open": "已发布", "closed": "已关账"}


@dataclass(frozen=True)
class MonthState:
    month: str
    state: str
    opened_at: datetime | None = None
    window_ends_at: datetime | None = None
    closed_at: datetime | None = None
    reopened_reason: str | None = None
    # contractor names that confirmed this month (every contractor's: a page shows a contractor only its own)
    confirmed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class FrozenMonth:
    month: str
    closed_at: datetime
    load_seq_watermark: int
    relations: dict[str, list[dict]]


def appeal_window_days() -> int:
    return access_rule("appeal_window_days")


def check_month(month: str) -> str:
    if not isinstance(month, str) or not MONTH_RE.match(month):
        raise Invalid(f"月份格式应为 YYYY-MM / month must be YYYY-MM: {month!r}")
    return month


def _require_admin(actor: Principal, what: str) -> None:
    if not actor.is_admin:
        raise Denied(f"只有管理员可以{what} / only an admin may do this")


def _state(row: MonthRow | None, confirmations: list[str]) -> MonthState:
    assert row is not None
    return MonthState(
        row.month,
        row.state,
        row.opened_at,
        row.window_ends_at,
        row.closed_at,
        row.reopened_reason,
        tuple(sorted(confirmations)),
    )


def month_states(app: AppDB) -> dict[str, MonthState]:
    """Every month that has left 'draft', by month; a month missing here is 'draft'."""
    with app.session() as s:
        confirmed: dict[str, list[str]] = {}
        for c in s.execute(select(ConfirmationRow)).scalars():
            confirmed.setdefault(c.month, []).append(c.contractor)
        rows = s.execute(select(MonthRow).order_by(MonthRow.month)).scalars()
        return {r.month: _state(r, confirmed.get(r.month, [])) for r in rows}


def state_of(app: AppDB, month: str) -> MonthState:
    return month_states(app).get(month) or MonthState(month, "draft")


def visible_months(app: AppDB, principal: Principal) -> frozenset[str] | None:
    """None (every month) for the department's roles; a contractor sees published months only."""
    if principal.sees_everything:
        return None
    return frozenset(m for m, st in month_states(app).items() if st.state in ("open", "closed"))


def open_month(
    app: AppDB, month: str, *, actor: Principal, window_days: int | None = None, now: datetime | None = None
) -> MonthState:
    """Publish a draft month to the contractors and start its appeal window (admin only)."""
    at = utc(now)
    with attempt(app, actor, "open_month", month), app.writing() as s:
        _require_admin(actor, "发布月份")
        check_month(month)
        days = appeal_window_days() if window_days is None else window_days
        if days < 0:
            raise Invalid(f"申诉期天数不能为负 / the appeal window cannot be negative: {days}")
        row = s.get(MonthRow, month)
        if row is not None:
            raise Invalid(f"{month} 不是草稿（{STATE_ZH[row.state]}） / is not a draft month ({row.state})")
        row = MonthRow(month=month, state="open", opened_at=at, window_ends_at=at + timedelta(days=days))
        s.add(row)
        append(s, actor=actor, action="open_month", target=month, now=at)
        return _state(row, [])


def close_month(
    app: AppDB,
    month: str,
    *,
    actor: Principal,
    snapshot: Mapping[str, list[dict]],
    load_seq_watermark: int,
    now: datetime | None = None,
) -> MonthState:
    """Close an open month (admin only), freezing `snapshot` (relation → rows of JSON values)."""
    at = utc(now)
    with attempt(app, actor, "close_month", month), app.writing() as s:
        _require_admin(actor, "关账")
        check_month(month)
        row = s.get(MonthRow, month)
        if row is None or row.state != "open":
            raise Invalid(f"只能关闭已发布的月份 / only an open month can be closed: {month} ({_name(row)})")
        try:
            body = json.dumps(dict(snapshot), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError) as exc:
            raise Invalid(f"快照无法序列化 / the snapshot is not JSON-serialisable: {exc}") from exc
        row.state, row.closed_at, row.load_seq_watermark = "closed", at, int(load_seq_watermark)
        row.snapshot_json, row.snapshot_sha256 = body, hashlib.sha256(body.encode("utf-8")).hexdigest()
        n = sum(len(v) for v in snapshot.values())
        append(
            s,
            actor=actor,
            action="close_month",
            target=f"{month} ({n} rows, sha256 {row.snapshot_sha256[:12]})",
            now=at,
        )
        return _state(row, _confirmed(s, month))


def reopen_month(app: AppDB, month: str, *, actor: Principal, reason: str, now: datetime | None = None) -> MonthState:
    """Reopen a closed month (admin only) with a reason, which goes on the record."""
    at = utc(now)
    reason = (reason or "").strip()
    with attempt(app, actor, "reopen_month", f"{month}: {reason}"), app.writing() as s:
        _require_admin(actor, "重新打开月份")
        check_month(month)
        if not reason:
            raise Invalid("重新打开月份需要理由 / reopening a month needs a reason (--reason)")
        row = s.get(MonthRow, month)
        if row is None or row.state != "closed":
            raise Invalid(f"只能重新打开已关账的月份 / only a closed month can be reopened: {month} ({_name(row)})")
        row.state, row.closed_at, row.reopened_reason = "open", None, reason
        s.execute(delete(ConfirmationRow).where(ConfirmationRow.month == month))
        append(s, actor=actor, action="reopen_month", target=f"{month}: {reason}", now=at)
        return _state(row, [])


def confirm_month(app: AppDB, month: str, *, actor: Principal, now: datetime | None = None) -> MonthState:
    """A contractor confirms an open month's figures for its own contractor."""
    at = utc(now)
    with attempt(app, actor, "confirm", month), app.writing() as s:
        if not actor.is_contractor or not actor.contractor:
            raise Denied("只有代维公司账号可以确认月份 / only a contractor account confirms a month")
        check_month(month)
        row = s.get(MonthRow, month)
        if row is None or row.state != "open":
            raise Invalid(f"只能确认已发布的月份 / only an open month can be confirmed: {month} ({_name(row)})")
        if s.get(ConfirmationRow, (month, actor.contractor)) is not None:
            raise Invalid(f"{month} 已确认 / already confirmed for {actor.contractor}")
        s.add(ConfirmationRow(month=month, contractor=actor.contractor, confirmed_by=actor.username, confirmed_at=at))
        s.flush()
        append(s, actor=actor, action="confirm", target=month, now=at)
        return _state(row, _confirmed(s, month))


def frozen_snapshots(app: AppDB) -> dict[str, FrozenMonth]:
    """The stored figures of every closed month; a snapshot whose SHA-256 no longer matches is refused."""
    out: dict[str, FrozenMonth] = {}
    with app.session() as s:
        for r in s.execute(select(MonthRow).where(MonthRow.state == "closed").order_by(MonthRow.month)).scalars():
            body = r.snapshot_json or "{}"
            if hashlib.sha256(body.encode("utf-8")).hexdigest() != r.snapshot_sha256:
                raise Invalid(f"{r.month} 的冻结快照已被改动 / the frozen snapshot of {r.month} was altered")
            assert r.closed_at is not None
            out[r.month] = FrozenMonth(r.month, r.closed_at, int(r.load_seq_watermark or 0), json.loads(body))
    return out


def _confirmed(s: Session, month: str) -> list[str]:
    return list(s.execute(select(ConfirmationRow.contractor).where(ConfirmationRow.month == month)).scalars())


def _name(row: MonthRow | None) -> str:
    return "draft" if row is None else row.state
