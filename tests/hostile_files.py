"""The fault campaign's crafted files, written for real by the tests (docs/reliability.md).

Each builder writes one hostile or broken file the way it reached (or could reach) a
department: a workbook whose one far cell would make a reader allocate half a terabyte,
a workbook with a broken part, a compressed bomb small on disk, a link out of the
delivery, a mixed-encoding CSV, and data text laden with formulas and Markdown.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import openpyxl

from tests.conftest import TICKET_HEADER, ticket, write_csv

FORMULAS = ["=1+1", '=HYPERLINK("http://127.0.0.1:9/x","点我")', "+1+2", "-3+4", "@SUM(A1:A2)", "\t=1", "\r=1"]
MARKDOWN = ["![x](http://127.0.0.1:9/p.png)", "<img src=x onerror=alert(1)>", "**粗体** [链接](http://127.0.0.1:9)"]


def far_cell_xlsx(path: Path) -> Path:
    """A 2.5 KB workbook: a header in A1 and one value in XFD1048576 (a 17-billion-cell sheet)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "tickets"
    ws.append(TICKET_HEADER)
    ws.append(ticket("FAR-1"))
    ws["XFD1048576"] = "x"
    wb.save(path)
    return path


def broken_part_xlsx(path: Path) -> Path:
    """A good workbook whose sheet part is cut off half-way (a broken part inside the zip)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(TICKET_HEADER)
    for i in range(20):
        ws.append(ticket(f"BRK-{i}"))
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data[: len(data) // 2]  # XML that ends in the middle of a row
            out.writestr(info, data)
    return path


def bomb_xlsx(path: Path, inflated_mib: int = 600) -> Path:
    """A workbook whose sheet XML inflates to `inflated_mib` MiB from well under 1 MB on disk.

    Written in a stream (never the whole XML in memory): a header row, then the same row again
    and again, which deflate compresses about a thousand to one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    proto = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active.append(TICKET_HEADER)
    wb.save(proto)
    src = zipfile.ZipFile(io.BytesIO(proto.getvalue()))
    row = b'<row><c t="inlineStr"><is><t>BOMB</t></is></c><c t="inlineStr"><is><t>x</t></is></c></row>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in src.infolist():
            if not info.filename.startswith("xl/worksheets/sheet"):
                out.writestr(info, src.read(info.filename))
                continue
            head = (
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            part = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            part.compress_type = zipfile.ZIP_DEFLATED
            with out.open(part, "w", force_zip64=True) as f:
                f.write(head)
                block = row * ((1 << 20) // len(row) + 1)
                written = len(head)
                while written < inflated_mib << 20:
                    f.write(block)
                    written += len(block)
                f.write(b"</sheetData></worksheet>")
    return path


def link_outside(inbox: Path, outside: Path) -> Path:
    """A link inside the delivery to a good tickets file outside it."""
    write_csv(outside / "tickets_secret.csv", [TICKET_HEADER, ticket("OUT-1")])
    link = inbox / "tickets_link.csv"
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside / "tickets_secret.csv", link)
    return link


def mixed_encoding_csv(path: Path) -> Path:
    """A GBK file (what Excel on a Chinese Windows saves) with two lines pasted in as UTF-8."""
    lines = [",".join(TICKET_HEADER)] + [",".join(map(str, ticket(f"MIX-{i}"))) for i in range(6)]
    data = b""
    for i, line in enumerate(lines):
        enc = "utf-8" if i in (3, 5) else "gbk"
        data += line.replace("MIX-", "MIX-U" if enc == "utf-8" else "MIX-").encode(enc) + b"\r\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def laden_tickets(path: Path, texts: list[str], prefix: str) -> Path:
    """Good tickets whose free text (customer, cause detail, resolution note) is hostile."""
    header = [*TICKET_HEADER, "客户名称", "故障原因大类", "故障原因细类", "处理过程"]
    rows = [header]
    for i, text in enumerate(texts):
        rows.append([*ticket(f"{prefix}-{i}"), text, "光缆线路", text, text])
    return write_csv(path, rows)


def bad_order_tickets(path: Path) -> Path:
    """Completed before dispatch, acknowledged before dispatch, a phantom contractor, a 9999 year, NaN."""
    header = [*TICKET_HEADER, "接单时间"]
    rows = [
        header,
        [*ticket("ORD-1", 完成时间="2026-09-03 10:00:00"), ""],
        [*ticket("ORD-2"), "2026-10-01 09:00:00"],
        [*ticket("ORD-3", 代维公司="假冒公司"), ""],
        [*ticket("ORD-4", "9999-10-03 14:05:00"), ""],
        [*ticket("ORD-5"), ""],
    ]
    return write_csv(path, rows)
