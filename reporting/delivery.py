"""Delivering the monthly pack by e-mail: who receives which pack, the message, and sending it.

The asset `kpi_pack` (config `deliver`) builds the files, then calls `recipient_groups` and
`deliver` here. Standard library only for the mail (`smtplib`, `email`), no Dagster or
Streamlit, so the same code runs under the schedule, `daiwei pack --send` and the tests.

* Recipients are the seed `pack_recipients` (read from the built warehouse: the mart
  `marts.dim_pack_recipients`, the rows of the warehouse's province) plus the setting's
  addresses ($DAIWEI_PACK_RECIPIENTS) as department recipients. A blank contractor gets the
  department's full pack; a contractor row gets that contractor's own pack. One message goes
  to each group (everyone who gets the same pack).
* With an SMTP host the message is sent (STARTTLS unless switched off, implicit TLS on port
  465, a login only over an encrypted connection, a timeout on every connection); without one
  (the embedded default) it is written as an `.eml` file into the outbox folder, atomically.
* One failed group does not stop the others; what happened to each group comes back as a
  `Delivery` whose `line()` is the one line a log or a terminal shows, addresses masked and no
  password anywhere.
"""

from __future__ import annotations

import os
import secrets
import smtplib
import ssl
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from core.masking import mask_email
from core.settings import Mail
from core.warehouse import open_published

RECIPIENTS_TABLE = "marts.dim_pack_recipients"  # this province's rows of seed pack_recipients
SUBJECT = "代维KPI月报 {month}"
DEPARTMENT = "网络部"  # the label of the department's group (file names of the outbox, log lines)
MIME_TYPES = {
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pdf": ("application", "pdf"),
}
FILE_KINDS = {".xlsx": "Excel 工作簿", ".pdf": "PDF 报告"}
SMTPS_PORT = 465  # implicit TLS (SMTPS); every other port speaks plain SMTP, upgraded by STARTTLS


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""


@dataclass(frozen=True)
class Group:
    """Everyone who receives the same pack: the department's (contractor None) or one contractor's own."""

    contractor: str | None
    recipients: tuple[Recipient, ...]

    @property
    def label(self) -> str:
        return self.contractor or DEPARTMENT


@dataclass(frozen=True)
class Delivery:
    """What happened to one group's message."""

    group: str  # 网络部 or the contractor's name
    to: tuple[str, ...]  # the addresses, in clear (masked by `line`)
    files: tuple[str, ...]  # attachment names
    ok: bool
    where: str  # `smtp host:port` or the .eml file written
    error: str = ""
    refused: tuple[str, ...] = ()  # addresses the server refused while accepting the others

    def line(self) -> str:
        """One line for a log or a terminal: masked addresses, never a password."""
        to = ", ".join(mask_email(a) for a in self.to)
        if not self.ok:
            return f"发送失败 / not delivered: {self.group} → {to} ({self.where}): {self.error}"
        verb = "已写入发件箱 / written to the outbox" if self.where.endswith(".eml") else "已发送 / sent"
        line = f"{verb}: {self.group} → {to}: {', '.join(self.files)} ({self.where})"
        if self.refused:
            line += f"; 被拒收 / refused: {', '.join(mask_email(a) for a in self.refused)}"
        return line


def recipient_groups(warehouse: Path, extra: Iterable[str] = (), contractor: str | None = None) -> list[Group]:
    """The department's group first (seed rows without a contractor, then `extra`), then one per contractor.

    With `contractor`, only that contractor's group (the delivery of its own pack). Groups without
    recipients are left out; an address appears once per group (case-insensitive).
    """
    rows = _seed_rows(warehouse)
    by_group: dict[str | None, list[Recipient]] = {None: []}
    for email, name, owner in rows:
        by_group.setdefault(owner or None, []).append(Recipient(email, name))
    by_group[None].extend(Recipient(a) for a in extra)
    keys = [None, *sorted(k for k in by_group if k is not None)]
    if contractor:
        keys = [contractor]
    groups = []
    for key in keys:
        seen: set[str] = set()
        unique = []
        for r in by_group.get(key, []):
            if r.email.lower() not in seen:
                seen.add(r.email.lower())
                unique.append(r)
        if unique:
            groups.append(Group(key, tuple(unique)))
    return groups


def _seed_rows(warehouse: Path) -> list[tuple[str, str, str]]:
    """(email, name, contractor) of the seed table, stripped; none when the warehouse predates the seed."""
    con = open_published(warehouse)
    try:
        schema, table = RECIPIENTS_TABLE.split(".")
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, table]
        ).fetchone()
        if not exists or not exists[0]:
            return []
        rows = con.execute(
            f"SELECT trim(email), coalesce(trim(name), ''), coalesce(trim(contractor), '') FROM {RECIPIENTS_TABLE} "
            "WHERE coalesce(trim(email), '') <> '' ORDER BY contractor NULLS FIRST, email"
        ).fetchall()
    finally:
        con.close()
    return [(str(e), str(n), str(c)) for e, n, c in rows]


def pack_message(month: str, group: Group, files: Sequence[Path], sender: str) -> EmailMessage:
    """The message of one group: Chinese subject, a short plain-text body, both files attached.

    Attachment names are UTF-8 and encoded per RFC 2231 (`filename*=utf-8''KPI%E6%9C%88…`) by the
    standard library's default policy; display names of the recipients are encoded per RFC 2047.
    """
    msg = EmailMessage()
    msg["Subject"] = SUBJECT.format(month=month)
    msg["From"] = sender
    msg["To"] = [Address(display_name=r.name, addr_spec=r.email) for r in group.recipients]
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.partition("@")[2] or "localhost")
    whose = f"{group.contractor}（仅含贵公司数据）" if group.contractor else "全部代维公司"
    listing = "\n".join(f"  {p.name}（{FILE_KINDS.get(p.suffix, p.suffix)}）" for p in files)
    msg.set_content(
        f"您好：\n\n附件为 {month} 代维KPI月报，范围：{whose}。\n\n{listing}\n\n"
        "本邮件由代维KPI数据仓库自动发送，请勿直接回复。\n"
    )
    for p in files:
        maintype, subtype = MIME_TYPES.get(p.suffix, ("application", "octet-stream"))
        msg.add_attachment(p.read_bytes(), maintype=maintype, subtype=subtype, filename=p.name)
    return msg


def deliver(month: str, packs: Sequence[tuple[Group, Sequence[Path]]], mail: Mail) -> list[Delivery]:
    """Send (or write to the outbox) one message per group; a failure is recorded and the next group goes on."""
    out = []
    for group, files in packs:
        to = tuple(r.email for r in group.recipients)
        names = tuple(p.name for p in files)
        where = str(mail.outbox) if mail.uses_outbox else f"smtp {mail.smtp_host}:{mail.smtp_port}"
        try:
            msg = pack_message(month, group, files, mail.sender)
            if mail.uses_outbox:
                where = str(write_eml(msg, mail.outbox, f"{month}_{group.label}"))
                refused: tuple[str, ...] = ()
            else:
                refused = _send(msg, mail)
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            out.append(Delivery(group.label, to, names, False, where, _one_line(exc)))
            continue
        out.append(Delivery(group.label, to, names, True, where, refused=refused))
    return out


def write_eml(msg: EmailMessage, outbox: Path, stem: str) -> Path:
    """The message as an .eml file in the outbox, written atomically (a reader never opens half a file)."""
    outbox.mkdir(parents=True, exist_ok=True)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem)
    target = outbox / f"{datetime.now():%Y%m%dT%H%M%S}_{safe}_{secrets.token_hex(3)}.eml"
    fd, tmp = tempfile.mkstemp(prefix=".daiwei-mail-", suffix=".tmp", dir=outbox)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(msg.as_bytes())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _send(msg: EmailMessage, mail: Mail) -> tuple[str, ...]:
    """Send over SMTP; the addresses the server refused (when it accepted others). Raises when nobody got it."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if mail.smtp_port == SMTPS_PORT:
        smtp = smtplib.SMTP_SSL(mail.smtp_host, mail.smtp_port, timeout=mail.timeout_seconds, context=context)
    else:
        smtp = smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=mail.timeout_seconds)
    with smtp:
        encrypted = mail.smtp_port == SMTPS_PORT
        if mail.starttls and not encrypted:
            smtp.starttls(context=context)
            encrypted = True
        if mail.smtp_user:
            if not encrypted:
                raise ValueError(
                    "未加密的连接上不发送密码 / refusing to log in over an unencrypted connection "
                    "(DAIWEI_SMTP_STARTTLS=1 or port 465)"
                )
            smtp.login(mail.smtp_user, mail.smtp_password)
        refused = smtp.send_message(msg)
    return tuple(sorted(refused))


def _one_line(exc: BaseException) -> str:
    """The error as one short line: its type and first line (server replies never hold our password)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "收件人全部被拒收 / every recipient was refused"
    else:
        text = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {text}"[:300]
