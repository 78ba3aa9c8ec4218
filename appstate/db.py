"""The application database: one engine, sessions that commit on success, and the write lock.

Accounts, month states, appeals and the audit trail are written by people, so they live in
a transactional database of their own (access.md): an SQLite file by default, PostgreSQL for
a deployment with several users. Every state-changing function opens a *writing* session,
which takes one database-wide write lock before it reads anything: on SQLite the
transaction starts with BEGIN IMMEDIATE, on PostgreSQL it locks the audit table in
EXCLUSIVE mode (plain reads still go through). Writers are therefore serialised, so a
check-then-act ("is the month open?", "is there already an appeal?") cannot race, and the
audit chain, appended last in the same transaction, never forks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

_WRITE = "daiwei_write"  # execution option: this connection's transaction takes the write lock
SQLITE_BUSY_MS = 30_000


class Base(DeclarativeBase):
    pass


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime in Python, a plain UTC timestamp in the database.

    SQLite keeps no time zone and PostgreSQL's `timestamptz` would hand back the session's
    zone; storing naive UTC and re-attaching UTC on the way out is the same on both, and the
    value read back has the exact isoformat() the audit hash was computed over."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return utc(value).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utc(value: datetime | None = None) -> datetime:
    """`value` (default: now) as an aware UTC datetime; a naive value is taken to be UTC already."""
    if value is None:
        return datetime.now(UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class AppDB:
    """An engine on the application database and the sessions every appstate function uses."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._writers = sessionmaker(engine.execution_options(**{_WRITE: True}), expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction that commits when the block ends normally and rolls back otherwise (reads)."""
        with self._sessions.begin() as s:
            yield s

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A transaction holding the database-wide write lock from its first statement (see the module doc)."""
        with self._writers.begin() as s:
            if not self.is_sqlite:  # SQLite took it with BEGIN IMMEDIATE (_sqlite_begin)
                from appstate.models import AuditRow

                s.execute(text(f"LOCK TABLE {AuditRow.__tablename__} IN EXCLUSIVE MODE"))
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


def connect(url: str) -> AppDB:
    """Open (and create, where missing) the application database at an SQLAlchemy URL."""
    import appstate.models  # noqa: F401  (registers the tables on Base.metadata)

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, parsed.database)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    Base.metadata.create_all(engine)
    return AppDB(engine)


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_con: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own transaction handling would defer it).
        dbapi_con.isolation_level = None
        cur = dbapi_con.cursor()
        cur.execute("PRAGMA journal_mode=WAL")  # readers (the dashboard) do not wait for a writer
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

    return engine
