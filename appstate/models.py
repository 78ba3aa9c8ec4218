"""The tables of the application database (SQLAlchemy 2.0 declarative, portable SQLite / PostgreSQL).

Callers never see these rows: each module turns them into frozen dataclasses (`Account`,
`MonthState`, `Appeal`, `AuditEntry`), so no session or lazy attribute leaks out of a
transaction. Times are `UTCDateTime` (aware UTC in Python).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from appstate.db import Base, UTCDateTime


class UserRow(Base):
    __tablename__ = "app_users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    contractor: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))  # Argon2id, PHC string (never the password)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failed_in_a_row: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MonthRow(Base):
    """A month that has been opened at least once (a month without a row is 'draft')."""

    __tablename__ = "app_months"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    state: Mapped[str] = mapped_column(String(8))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_reason: Mapped[str | None] = mapped_column(Text)
    load_seq_watermark: Mapped[int | None] = mapped_column(Integer)
    snapshot_json: Mapped[str | None] = mapped_column(Text)
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))


class ConfirmationRow(Base):
    """One contractor's confirmation of one open month's figures."""

    __tablename__ = "app_month_confirmations"

    month: Mapped[str] = mapped_column(ForeignKey("app_months.month"), primary_key=True)
    contractor: Mapped[str] = mapped_column(String(200), primary_key=True)
    confirmed_by: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AppealRow(Base):
    __tablename__ = "app_appeals"

    appeal_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    ticket_id: Mapped[str] = mapped_column(String(200))
    contractor: Mapped[str] = mapped_column(String(200), index=True)
    rule: Mapped[str] = mapped_column(String(16))
    item: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(8))
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ruled_by: Mapped[str | None] = mapped_column(String(64))
    ruled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class AuditRow(Base):
    """The append-only audit trail; `id` is assigned by the appender (last id + 1) under the write lock."""

    __tablename__ = "app_audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    username: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16), index=True)
    target: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(32))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
