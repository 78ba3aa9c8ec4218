"""The monthly pack by e-mail: through Dagster, to a real SMTP server (aiosmtpd), to the outbox, and to nobody.

Every case materialises `kpi_pack` with `deliver` on the session's demo warehouse
(`cli.deliver.send_pack`, the code of `daiwei pack --send`), with the settings of a
Settings object pointing at a local server on a free port. The attachments are
opened the way a recipient opens them (openpyxl, the %PDF header, pdftotext).
"""

from __future__ import annotations

import io
import shutil
import socket
import subprocess
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import duckdb
import openpyxl
import pytest
from aiosmtpd.controller import Controller

import appstate
from cli.deliver import send_pack
from core.principal import Principal
from core.settings import Settings

pytestmark = pytest.mark.slow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFUSED = "tianlongxun-pm@example.com"  # the only recipient of 天龙讯's pack: that group fails, the others go on
PARTLY = "maintenance-head@example.com"  # one of the department's: refused, the rest of its group still gets it


class Collector:
    """An aiosmtpd handler that keeps every message and refuses two addresses at RCPT."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in (REFUSED, PARTLY):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((sorted(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Collector, int]]:
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def demo(demo_run: dict) -> dict:
    wh = demo_run["wh"]
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    con = duckdb.connect(str(wh), read_only=True)
    try:
        month = con.execute("SELECT max(month) FROM marts.fct_kpi").fetchone()[0]  # type: ignore[index]
        names = [
            r[0] for r in con.execute("SELECT DISTINCT contractor FROM marts.fct_kpi WHERE contractor <> ''").fetchall()
        ]
    finally:
        con.close()
    return {"wh": wh, "month": month, "contractors": sorted(names)}


def app_db(path: Path, month: str, published: bool) -> str:
    """An application database in which the month is open (published to the contractors) or still a draft."""
    url = "sqlite:///" + str(path)
    app = appstate.connect(url)
    try:
        if published:
            appstate.open_month(app, month, actor=Principal("setup", "admin"))
    finally:
        app.dispose()
    return url


def settings(warehouse: Path, app_url: str, **env: str) -> Settings:
    return Settings.load(env, warehouse=warehouse, app_db=app_url)


def parse(raw: bytes) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    return msg


def attachments(msg: EmailMessage) -> dict[str, tuple[str, bytes]]:
    out = {}
    for part in msg.iter_attachments():
        assert isinstance(part, EmailMessage)
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        out[str(part.get_filename())] = (part.get_content_type(), payload)
    return out


def assert_pack(msg: EmailMessage, month: str, stem: str) -> dict[str, tuple[str, bytes]]:
    """Both files, named and typed right, that open: the workbook with openpyxl, the PDF by its header."""
    files = attachments(msg)
    assert sorted(files) == [f"{stem}.pdf", f"{stem}.xlsx"]
    assert files[f"{stem}.xlsx"][0] == XLSX and files[f"{stem}.pdf"][0] == "application/pdf"
    assert openpyxl.load_workbook(io.BytesIO(files[f"{stem}.xlsx"][1]), read_only=True).sheetnames
    assert files[f"{stem}.pdf"][1].startswith(b"%PDF")
    assert msg["Subject"] == f"代维KPI月报 {month}"
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert month in text and f"{stem}.xlsx" in text and f"{stem}.pdf" in text
    return files


def workbook_text(data: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    return "\n".join([*wb.sheetnames, *cells])


def pdf_text(data: bytes, tmp: Path) -> str:
    path = tmp / "pack.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_smtp_one_message_per_group_contractors_get_their_own_pack(
    smtp: tuple[Collector, int], demo: dict, tmp_path: Path
) -> None:
    handler, port = smtp
    month, others = demo["month"], demo["contractors"]
    # Python reads the recipients' mart in the built warehouse: on a copy without 澄星's row, 澄星 gets nothing
    # (and the run builds one contractor pack fewer)
    wh = tmp_path / "warehouse.duckdb"
    shutil.copy(demo["wh"], wh)
    con = duckdb.connect(str(wh))
    try:
        con.execute("DELETE FROM marts.dim_pack_recipients WHERE contractor = '澄星'")
    finally:
        con.close()
    cfg = settings(
        wh,
        app_db(tmp_path / "app.db", month, published=True),
        DAIWEI_SMTP_HOST="127.0.0.1",
        DAIWEI_SMTP_PORT=str(port),
        DAIWEI_SMTP_STARTTLS="0",
        DAIWEI_PACK_RECIPIENTS="director@example.com, kpi-office@example.com",
    )
    out = send_pack(month, tmp_path / "packs", cfg)

    # the department and 铁通 received theirs; 天龙讯's only address was refused: its group failed, the others went on
    assert (out.delivered, out.failed) == (2, 1), out.lines
    by_rcpt = {tuple(rcpt): parse(raw) for rcpt, raw in handler.messages}
    assert sorted(by_rcpt) == [("director@example.com", "kpi-office@example.com"), ("tietong-pm@example.com",)]
    department = by_rcpt[("director@example.com", "kpi-office@example.com")]
    files = assert_pack(department, month, f"KPI月报_{month}")
    everyone = workbook_text(files[f"KPI月报_{month}.xlsx"][1])
    assert all(name in everyone for name in others)  # the department's pack: every contractor
    raw = {tuple(r): raw for r, raw in handler.messages}[("director@example.com", "kpi-office@example.com")]
    assert b"filename*=utf-8''KPI%E6%9C%88%E6%8A%A5_" in raw  # RFC 2231, UTF-8

    tietong = by_rcpt[("tietong-pm@example.com",)]
    own = assert_pack(tietong, month, f"KPI月报_{month}_铁通")
    text = workbook_text(own[f"KPI月报_{month}_铁通.xlsx"][1])
    if shutil.which("pdftotext"):
        text += pdf_text(own[f"KPI月报_{month}_铁通.pdf"][1], tmp_path)
    assert "铁通" in text
    for name in others:
        if name != "铁通":
            assert name not in text, name

    # to whom it went, in one line per group, addresses masked
    joined = "\n".join(out.lines)
    assert "t***@example.com" in joined and "tietong-pm@example.com" not in joined
    failed = [ln for ln in out.lines if ln.startswith("发送失败")]
    assert len(failed) == 1 and "天龙讯" in failed[0] and "t***@example.com" in failed[0]
    assert not any("澄星" in ln for ln in out.lines)
    assert any("被拒收 / refused: m***@example.com" in ln for ln in out.lines)


def test_outbox_default_writes_an_eml_and_a_draft_month_reaches_no_contractor(demo: dict, tmp_path: Path) -> None:
    month = demo["month"]
    cfg = settings(
        demo["wh"], app_db(tmp_path / "app.db", month, published=False), DAIWEI_OUTBOX=str(tmp_path / "outbox")
    )
    assert cfg.mail.uses_outbox
    out = send_pack(month, tmp_path / "packs", cfg)

    emls = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(emls) == 1 and out.delivered == 1 and out.failed == 0
    assert not list((tmp_path / "outbox").glob(".*"))  # no temporary file left behind
    msg = parse(emls[0].read_bytes())
    assert_pack(msg, month, f"KPI月报_{month}")
    assert msg["To"].addresses[0].addr_spec == "kpi-office@example.com"
    # the contractors' groups wait for the month to be published; no contractor pack was even built
    assert sum("尚未发布" in ln for ln in out.lines) == len(demo["contractors"])
    assert sorted(p.name for p in (tmp_path / "packs").iterdir()) == [f"KPI月报_{month}.pdf", f"KPI月报_{month}.xlsx"]


def test_refused_connection_is_one_line_and_the_run_succeeds(demo: dict, tmp_path: Path) -> None:
    month, port = demo["month"], free_port()  # nothing listens there
    cfg = settings(
        demo["wh"],
        app_db(tmp_path / "app.db", month, published=False),
        DAIWEI_SMTP_HOST="127.0.0.1",
        DAIWEI_SMTP_PORT=str(port),
        DAIWEI_SMTP_STARTTLS="0",
        DAIWEI_SMTP_TIMEOUT="5",
    )
    out = send_pack(month, tmp_path / "packs", cfg)  # the pack is still written, the run does not fail
    assert [p.exists() for p in out.files] == [True, True]
    assert (out.delivered, out.failed) == (0, 1)
    failed = [ln for ln in out.lines if ln.startswith("发送失败")]
    assert len(failed) == 1 and "\n" not in failed[0]
    assert f"127.0.0.1:{port}" in failed[0] and "ConnectionRefusedError" in failed[0]
