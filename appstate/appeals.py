"""Appeals (申诉): a contractor contests one rule on one of its own tickets; an admin rules.

The warehouse is not this module's business: the caller looks the ticket up and passes the
contractor it belongs to, and the next build reads `appeal_rows_for_build` as the dbt
source appdb.appeals, where an accepted appeal changes the ticket's outcome on that one
rule. One pending or accepted appeal per (ticket, rule, item); a rejected one may be filed
again with better evidence while the window is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from appstate.audit import append, attempt
from appstate.db import AppDB, utc
from appstate.errors import Denied, Invalid
from appstate.models import AppealRow, MonthRow
from appstate.months import check_month
from core.principal import Principal

RULES = ("timeliness", "ack", "form_item", "photo")
ITEM_RULES = ("form_item", "photo")  # these name one form item / photo kind
STATES = ("pending", "accepted", "rejected")
MAX_ID = 200


@dataclass(frozen=True)
class Appeal:
    appeal_id: int
    month: str
    ticket_id: str
    contractor: str
    rule: str
    item: str | None
    reason: str
    evidence: str
    state: str
    filed_by: str
    filed_at: datetime
    ruled_by: str | None
    ruled_at: datetime | None
    note: str | None


def _appeal(r: AppealRow) -> Appeal:
    return Appeal(
        r.appeal_id,
        r.month,
        r.ticket_id,
        r.contractor,
        r.rule,
        r.item,
        r.reason,
        r.evidence,
        r.state,
        r.filed_by,
        r.filed_at,
        r.ruled_by,
        r.ruled_at,
        r.note,
    )


def file_appeal(
    app: AppDB,
    *,
    actor: Principal,
    month: str,
    ticket_id: str,
    ticket_contractor: str | None,
    rule: str,
    item: str | None = None,
    reason: str,
    evidence: str = "",
    now: datetime | None = None,
) -> int:
    """File an appeal during the month's window; returns its id."""
    at = utc(now)
    ticket_id, item = str(ticket_id).strip(), (item or "").strip() or None
    reason, evidence = (reason or "").strip(), (evidence or "").strip()
    what = f"{month} {ticket_id} {rule}{'/' + item if item else ''}"
    with attempt(app, actor, "appeal", what), app.writing() as s:
        if not actor.is_contractor or not actor.contractor:
            raise Denied("只有代维公司账号可以申诉 / only a contractor account files appeals")
        check_month(month)
        if not ticket_id or len(ticket_id) > MAX_ID:
            raise Invalid(f"工单号无效 / invalid ticket id: {ticket_id!r}")
        if not ticket_contractor:
            raise Invalid(f"{month} 没有这个工单 / no such ticket in {month}: {ticket_id}")
        if ticket_contractor != actor.contractor:
            raise Denied(f"工单不属于您的代维公司 / the ticket is not one of your contractor's: {ticket_id}")
        if rule not in RULES:
            raise Invalid(f"未知申诉规则 / unknown rule: {rule!r} ({', '.join(RULES)})")
        if rule in ITEM_RULES and not item:
            raise Invalid(f"{rule} 申诉需要指明项目 / a {rule} appeal names its item (--item)")
        if rule not in ITEM_RULES and item:
            raise Invalid(f"{rule} 申诉不带项目 / a {rule} appeal takes no item")
        if item is not None and len(item) > MAX_ID:
            raise Invalid("项目名过长 / the item name is too long")
        if not reason:
            raise Invalid("申诉需要理由 / an appeal needs a reason")
        m = s.get(MonthRow, month)
        if m is None or m.state != "open":
            raise Invalid(
                f"{month} 未在申诉期（未发布或已关账） / is not open for appeals ({m.state if m else 'draft'})"
            )
        if m.window_ends_at is None or at > m.window_ends_at:
            ends = m.window_ends_at.isoformat(timespec="minutes") if m.window_ends_at else "?"
            raise Invalid(f"{month} 的申诉期已于 {ends} 结束 / the appeal window of {month} ended at {ends}")
        dup = s.execute(
            select(AppealRow.appeal_id).where(
                AppealRow.ticket_id == ticket_id,
                AppealRow.rule == rule,
                AppealRow.item.is_(None) if item is None else AppealRow.item == item,
                AppealRow.state.in_(("pending", "accepted")),
            )
        ).first()
        if dup is not None:
            raise Invalid(f"该工单此项已有申诉 #{dup[0]} / this ticket already has appeal #{dup[0]} on {rule}")
        row = AppealRow(
            month=month,
            ticket_id=ticket_id,
            contractor=actor.contractor,
            rule=rule,
            item=item,
            reason=reason,
            evidence=evidence,
            state="pending",
            filed_by=actor.username,
            filed_at=at,
        )
        s.add(row)
        s.flush()
        append(s, actor=actor, action="appeal", target=f"appeal {row.appeal_id}: {what}", now=at)
        return row.appeal_id


def rule_appeal(
    app: AppDB, appeal_id: int, *, actor: Principal, accept: bool, note: str, now: datetime | None = None
) -> Appeal:
    """Accept or reject a pending appeal with a note (admin only); a closed month must be reopened first."""
    at = utc(now)
    note = (note or "").strip()
    verdict = "accepted" if accept else "rejected"
    with attempt(app, actor, "ruling", f"appeal {appeal_id}: {verdict}"), app.writing() as s:
        if not actor.is_admin:
            raise Denied("只有管理员可以裁决申诉 / only an admin rules on appeals")
        row = s.get(AppealRow, appeal_id)
        if row is None:
            raise Invalid(f"没有这个申诉 / no such appeal: {appeal_id}")
        if row.state != "pending":
            raise Invalid(f"申诉 #{appeal_id} 已裁决 / appeal #{appeal_id} was already ruled ({row.state})")
        if not note:
            raise Invalid("裁决需要说明 / a ruling needs a note (--note)")
        m = s.get(MonthRow, row.month)
        if m is not None and m.state == "closed":
            raise Invalid(f"{row.month} 已关账，请先重新打开 / {row.month} is closed: reopen it first")
        row.state, row.ruled_by, row.ruled_at, row.note = verdict, actor.username, at, note
        append(s, actor=actor, action="ruling", target=f"appeal {appeal_id}: {verdict}", now=at)
        return _appeal(row)


def list_appeals(app: AppDB, *, actor: Principal, month: str | None = None) -> list[Appeal]:
    """Appeals by id; a contractor gets its own contractor's only."""
    q = select(AppealRow).order_by(AppealRow.appeal_id)
    if month is not None:
        q = q.where(AppealRow.month == month)
    if not actor.sees_everything:
        q = q.where(AppealRow.contractor == actor.contractor)
    with app.session() as s:
        return [_appeal(r) for r in s.execute(q).scalars()]


BUILD_COLUMNS = ("appeal_id", "month", "ticket_id", "contractor", "rule", "item", "state", "filed_at", "ruled_at")


def appeal_rows_for_build(app: AppDB) -> list[dict]:
    """Every appeal as the dbt source appdb.appeals reads it (times as aware UTC datetimes)."""
    with app.session() as s:
        rows = s.execute(select(AppealRow).order_by(AppealRow.appeal_id)).scalars()
        return [{c: getattr(r, c) for c in BUILD_COLUMNS} for r in rows]
