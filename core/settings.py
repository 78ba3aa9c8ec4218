"""One Settings object, built once from arguments and environment, and passed down.

Nothing writes a value back into `os.environ` to hand it to another module:
entry points (CLI, Dagster definitions, the app) call `Settings.load(...)` and
pass the object (or the part a callee needs, such as `Limits`) along.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
DEFAULT_INBOX = "data/inbox"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_APP_DB = "data/app.db"
DEFAULT_OUTBOX = "data/outbox"
DEFAULT_SMTP_PORT = 587
DEFAULT_MAIL_FROM = "daiwei-kpi@localhost"
DEFAULT_SMTP_TIMEOUT = 30
DEFAULT_PROVINCE = "贵州"  # the demo's prefectures are Guizhou's (source-exports.md)
SMTP_PASSWORD_ENV = "DAIWEI_SMTP_PASSWORD"  # the only place the SMTP password comes from

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one delivered file may cost before it is rejected whole (source-exports.md, edge rule 10).

    A workbook's declared size is the bounding box of its used cells (the `<dimension>` element and
    every cell reference) and the inflated bytes of the sheet XML read; a field longer than
    `max_field_chars` characters makes its row bad.
    """

    max_cells: int = 5_000_000
    max_sheet_xml_bytes: int = 500 * MIB
    max_field_chars: int = 32_767  # the most an Excel cell holds

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        base = cls()
        return cls(
            max_cells=_int(env, "DAIWEI_MAX_CELLS", base.max_cells),
            max_sheet_xml_bytes=_int(env, "DAIWEI_MAX_SHEET_XML_MB", base.max_sheet_xml_bytes // MIB) * MIB,
            max_field_chars=_int(env, "DAIWEI_MAX_FIELD_CHARS", base.max_field_chars),
        )


@dataclass(frozen=True)
class Mail:
    """How the monthly pack is delivered by e-mail (docs/delivery.md).

    An empty `smtp_host` is the embedded default: every message is written as an `.eml` file into
    `outbox` instead of being sent, so a demo without a mail server still delivers. The password
    comes from $DAIWEI_SMTP_PASSWORD only (no argument, never in a run config) and is left out of
    `repr`, so it is never printed or logged with the settings.
    """

    smtp_host: str = ""
    smtp_port: int = DEFAULT_SMTP_PORT
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    starttls: bool = True
    sender: str = DEFAULT_MAIL_FROM
    outbox: Path = field(default_factory=lambda: Path(DEFAULT_OUTBOX).resolve())
    # the department's recipients besides the seed pack_recipients ($DAIWEI_PACK_RECIPIENTS, comma-separated)
    recipients: tuple[str, ...] = ()
    timeout_seconds: int = DEFAULT_SMTP_TIMEOUT

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str],
        *,
        smtp_host: str | None = None,
        outbox: str | os.PathLike[str] | None = None,
        recipients: str | None = None,
    ) -> Mail:
        """Arguments win over $DAIWEI_SMTP_HOST, $DAIWEI_OUTBOX, $DAIWEI_PACK_RECIPIENTS, which win over defaults."""
        return cls(
            smtp_host=(smtp_host or env.get("DAIWEI_SMTP_HOST") or "").strip(),
            smtp_port=_int(env, "DAIWEI_SMTP_PORT", DEFAULT_SMTP_PORT),
            smtp_user=(env.get("DAIWEI_SMTP_USER") or "").strip(),
            smtp_password=env.get(SMTP_PASSWORD_ENV) or "",
            starttls=_bool(env, "DAIWEI_SMTP_STARTTLS", True),
            sender=_addresses(env.get("DAIWEI_MAIL_FROM") or DEFAULT_MAIL_FROM, "DAIWEI_MAIL_FROM")[0],
            outbox=_path(outbox or env.get("DAIWEI_OUTBOX") or DEFAULT_OUTBOX),
            recipients=_addresses(
                recipients if recipients is not None else env.get("DAIWEI_PACK_RECIPIENTS") or "",
                "DAIWEI_PACK_RECIPIENTS",
            ),
            timeout_seconds=_int(env, "DAIWEI_SMTP_TIMEOUT", DEFAULT_SMTP_TIMEOUT),
        )

    @property
    def uses_outbox(self) -> bool:
        return not self.smtp_host


@dataclass(frozen=True)
class Settings:
    warehouse: Path = field(default_factory=lambda: Path(DEFAULT_WAREHOUSE).resolve())
    inbox: Path = field(default_factory=lambda: Path(DEFAULT_INBOX).resolve())
    limits: Limits = field(default_factory=Limits)
    host: str = DEFAULT_HOST
    # the application database (accounts, appeals, month states, audit trail): an SQLAlchemy URL
    app_db: str = field(default_factory=lambda: _sqlite_url(DEFAULT_APP_DB))
    # lockout after failed sign-ins; None = the seed access_rules (DAIWEI_LOCKOUT_FAILURES / _MINUTES override)
    lockout_failures: int | None = None
    lockout_minutes: int | None = None
    # the user a command acts for (cli.md: --user, else $DAIWEI_USER, else the OS user as a local admin)
    user: str | None = None
    # delivering the monthly pack by e-mail (SMTP, or the outbox folder when no SMTP host is set)
    mail: Mail = field(default_factory=Mail)
    # the province this warehouse holds: its partition name in the raw lake (scale.md, `daiwei export-raw`),
    # and whose rows of the reference seeds (prefectures, counties, contractors, base fees) a run reads
    province: str = DEFAULT_PROVINCE

    @classmethod
    def load(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        warehouse: str | os.PathLike[str] | None = None,
        inbox: str | os.PathLike[str] | None = None,
        host: str | None = None,
        app_db: str | None = None,
        user: str | None = None,
        smtp_host: str | None = None,
        outbox: str | os.PathLike[str] | None = None,
        recipients: str | None = None,
        province: str | None = None,
    ) -> Settings:
        """Arguments win over the environment ($DAIWEI_WAREHOUSE, $DAIWEI_INBOX, …), which wins over defaults.

        An argument given empty is an error, not the default (`--province ""`); an empty variable is unset."""
        env = os.environ if env is None else env
        return cls(
            warehouse=_path(warehouse or env.get("DAIWEI_WAREHOUSE") or DEFAULT_WAREHOUSE),
            inbox=_path(inbox or env.get("DAIWEI_INBOX") or DEFAULT_INBOX),
            limits=Limits.from_env(env),
            host=host or env.get("DAIWEI_HOST") or DEFAULT_HOST,
            app_db=_app_db_url(app_db or env.get("DAIWEI_APP_DB") or DEFAULT_APP_DB),
            lockout_failures=_int(env, "DAIWEI_LOCKOUT_FAILURES", 0) or None,
            lockout_minutes=_int(env, "DAIWEI_LOCKOUT_MINUTES", 0) or None,
            user=user or env.get("DAIWEI_USER") or None,
            mail=Mail.from_env(env, smtp_host=smtp_host, outbox=outbox, recipients=recipients),
            province=province_name(
                province if province is not None else env.get("DAIWEI_PROVINCE") or DEFAULT_PROVINCE
            ),
        )

    def with_limits(self, **changes: int) -> Settings:
        return replace(self, limits=replace(self.limits, **changes))


# Characters Spark escapes in a partition folder's name (ExternalCatalogUtils.escapePathName), and the
# path separators: a province name holding one would not read back as itself.
_PROVINCE_FORBIDDEN = frozenset("\"#%'*/:=?\\{[]^") | frozenset(map(chr, range(32))) | {"\x7f"}


def province_name(raw: str) -> str:
    """A province's name as its lake partition folder holds it (`province=<name>`); ValueError, one line, if
    it cannot be one: empty, a path separator, `=`, a character Spark escapes in a folder name, or a leading
    `.` / `_` (a folder Spark and Hadoop skip as hidden). Surrounding spaces are dropped."""
    name = raw.strip()
    bad = " ".join(repr(ch) for ch in sorted({ch for ch in name if ch in _PROVINCE_FORBIDDEN}))
    if not name:
        why = "不能为空 / must not be empty"
    elif bad:
        why = f"不能含 {bad} / must not hold {bad} (no / \\ = % : * ? or control characters)"
    elif name[0] in "._":
        why = "不能以 . 或 _ 开头 / must not start with . or _"
    else:
        return name
    raise ValueError(f"省份名称无效 / bad province name {raw!r}: {why}")


def _sqlite_url(path: str | os.PathLike[str]) -> str:
    return "sqlite:///" + str(_path(path))


def _app_db_url(raw: str) -> str:
    """An SQLAlchemy URL as given (postgresql+psycopg://…, sqlite:///…); a bare path is an SQLite file."""
    return raw if "://" in raw else _sqlite_url(raw)


def _path(raw: str | os.PathLike[str]) -> Path:
    return Path(raw).expanduser().resolve()


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} 应为正整数 / must be a positive integer: {raw!r}") from exc
    if value <= 0:
        raise ValueError(f"{name} 应为正整数 / must be a positive integer: {raw!r}")
    return value


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
# one plain address: no display name, no spaces, commas, angle brackets or line breaks (header injection)
_ADDRESS = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\".]+(?:\.[^@\s,;<>\".]+)*")


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE or raw in _FALSE:
        return raw in _TRUE
    raise ValueError(f"{name} 应为 1 或 0 / must be 1 or 0: {raw!r}")


def _addresses(raw: str, name: str) -> tuple[str, ...]:
    """Comma-separated plain e-mail addresses, in order, without duplicates (case-insensitive)."""
    out: list[str] = []
    for part in raw.split(","):
        address = part.strip()
        if not address:
            continue
        if not _ADDRESS.fullmatch(address):
            raise ValueError(f"{name} 含无效的邮件地址 / holds an invalid e-mail address: {address!r}")
        if address.lower() not in {a.lower() for a in out}:
            out.append(address)
    return tuple(out)
