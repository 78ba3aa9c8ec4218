"""Hostile and broken deliveries: each is written as a real file and loaded by the real loader.

A file that must not be read is rejected whole with one load-log line naming the problem; the good
files beside it still load; and every file reconciles: rows read = rows loaded + rows rejected.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import ingestion.files
import ingestion.loader
import ingestion.workbook
from core.settings import MIB, Limits
from ingestion.errors import FileRejected
from ingestion.files import discover
from ingestion.loader import (
    REFERENCE_DIR,
    FileResult,
    PlannedFile,
    ReconciliationError,
    load_file,
    load_folder,
    plan_files,
    prepare_connection,
)
from ingestion.workbook import check_workbook
from tests.conftest import TICKET_HEADER, ticket, write_csv, write_xlsx

GOOD = "zz_tickets_good.csv"
SHEET = "xl/worksheets/sheet1.xml"


# --- helpers -------------------------------------------------------------------------------------


def _good_file(root: Path) -> None:
    write_csv(root / GOOD, [TICKET_HEADER, ticket("GZ-GOOD")])


def _load(wh, root: Path, limits: Limits | None = None) -> dict[str, FileResult]:
    results = load_folder(wh.con, root, "run") if limits is None else load_folder(wh.con, root, "run", limits)
    return {r.file: r for r in results}


def _assert_rejected_whole(wh, results: dict[str, FileResult], name: str, *words: str) -> str:
    bad = results[name]
    assert (bad.status, bad.rows_read, bad.rows_loaded, bad.rows_rejected) == ("rejected", 0, 0, 0), bad
    assert " / " in bad.message and "\n" not in bad.message and "Traceback" not in bad.message
    for word in words:
        assert word in bad.message, bad.message
    logged = wh.rows(
        "SELECT status, rows_read, rows_loaded, rows_rejected, message FROM audit.load_log WHERE file = ?", name
    )
    assert logged == [("rejected", 0, 0, 0, bad.message)]
    assert wh.one("SELECT count(*) FROM audit.rejects WHERE file = ?", name) == 0
    return bad.message


def _assert_good_loaded(wh, results: dict[str, FileResult]) -> None:
    assert results[GOOD].status == "loaded"
    assert ("GZ-GOOD",) in wh.rows("SELECT ticket_id FROM raw.tickets")


def _assert_reconciled(wh) -> None:
    for file, read, loaded, rejected, n_rejects in wh.rows(
        "SELECT file, rows_read, rows_loaded, rows_rejected, "
        "(SELECT count(*) FROM audit.rejects r WHERE r.load_seq = l.load_seq) FROM audit.load_log l"
    ):
        assert read == loaded + rejected, file
        assert rejected == n_rejects, file


def _rejects(wh, file: str) -> list[tuple]:
    return wh.rows('SELECT row, "column", reason FROM audit.rejects WHERE file = ? ORDER BY row', file)


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\xb7\xa5\xe5\x8d\x95\xe7\xbc\x96\xe5\x8f\xb7</t></is></c></row>'
)
SHEET_TAIL = b"</sheetData></worksheet>"
# A row without a reference (allowed by the format): identical bytes, so it compresses ~1000:1.
FILLER_ROW = b'<row><c t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"


def _write_bomb(path: Path, inflated_bytes: int) -> None:
    """A minimal workbook whose one sheet inflates to about `inflated_bytes`, written in chunks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open(SHEET, "w", force_zip64=True) as f:
            f.write(SHEET_HEAD)
            block = FILLER_ROW * 1000  # ~1 MB
            for _ in range(max(1, inflated_bytes // len(block))):
                f.write(block)
            f.write(SHEET_TAIL)


def _lie_about_size(path: Path, member: str, declared: int) -> None:
    """Patch the member's uncompressed size in its local header and the central directory."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    patched = 0
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + name_len]) == name:
            local = struct.unpack_from("<I", data, pos + 42)[0]
            struct.pack_into("<I", data, pos + 24, declared)
            struct.pack_into("<I", data, local + 22, declared)
            patched += 1
        pos = data.find(b"PK\x01\x02", pos + 4)
    assert patched == 1
    path.write_bytes(bytes(data))


def _rewrite_part(src: Path, dest: Path, part: str, content: bytes) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, content if info.filename == part else zin.read(info.filename))


# --- 1. limits are a parameter -------------------------------------------------------------------


def test_limits_pass_through_plan_and_load_file(tmp_path: Path, wh) -> None:
    root = tmp_path / "in"
    write_csv(root / "tickets_a.csv", [TICKET_HEADER + ["备注"], ticket("GZ-1") + ["y" * 20]])
    prepare_connection(wh.con)
    [pf] = plan_files(wh.con, root)
    res = load_file(wh.con, pf, "run", Limits(max_field_chars=19))
    assert (res.status, res.rows_read, res.rows_loaded, res.rows_rejected) == ("loaded", 1, 0, 1)
    [(_, column, reason)] = _rejects(wh, "tickets_a.csv")
    assert column == "备注" and "字段过长(20字符，上限19)" in reason


# --- 2. workbook checks before fastexcel ---------------------------------------------------------

CHILD_SCRIPT = """
import json, sys
from pathlib import Path
import duckdb
from ingestion.loader import load_folder
con = duckdb.connect(sys.argv[2])
results = load_folder(con, Path(sys.argv[1]), "run")
print(json.dumps([[r.file, r.status, r.rows_read, r.rows_loaded, r.rows_rejected, r.message] for r in results]))
"""


def _load_in_child(root: Path, db: Path) -> dict[str, list]:
    """Load in a child process: were a check missing, calamine would abort the process (exit 134)."""
    p = subprocess.run(
        [sys.executable, "-c", CHILD_SCRIPT, str(root), str(db)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    return {r[0]: r for r in json.loads(p.stdout.strip().splitlines()[-1])}


def _far_cell_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "工单编号"
    ws["XFD1048576"] = "x"
    wb.save(path)


def test_far_cell_workbook_is_rejected_without_aborting(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    _far_cell_workbook(root / "tickets_far.xlsx")
    assert (root / "tickets_far.xlsx").stat().st_size < 10_000  # tiny on disk; 17 billion cells declared
    _good_file(root)
    results = _load_in_child(root, tmp_path / "wh.duckdb")
    _, status, read, loaded, rejected, message = results["tickets_far.xlsx"]
    assert (status, read, loaded, rejected) == ("rejected", 0, 0, 0)
    assert "工作表过大: 约17179869184个单元格，上限5000000" in message
    assert "sheet too large: ~17179869184 cells, limit 5000000" in message
    assert results[GOOD][1] == "loaded"
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    assert con.execute("SELECT count(*) FROM audit.load_log WHERE file = 'tickets_far.xlsx'").fetchall() == [(1,)]
    assert con.execute("SELECT ticket_id FROM raw.tickets").fetchall() == [("GZ-GOOD",)]
    con.close()


def test_a_narrow_box_far_down_counts_from_row_1(tmp_path: Path) -> None:
    """Two rows at the bottom of the sheet, spanning every column: 32 768 cells as a box of used
    cells, but the sheet is read from row 1 (so that row numbers are exact), which would allocate
    17 billion. It is counted, and rejected, the way it would be read."""
    root = tmp_path / "in"
    far = "".join(
        f'<row r="{r}">{_inline("x", f"A{r}")}{_inline("y", f"XFD{r}")}</row>' for r in (1_048_575, 1_048_576)
    )
    sheet = f'<worksheet xmlns="{MAIN_NS}"><sheetData>{far}</sheetData></worksheet>'
    _write_workbook(root / "tickets_bottom.xlsx", sheet)
    _good_file(root)
    results = _load_in_child(root, tmp_path / "wh.duckdb")
    _, status, read, loaded, rejected, message = results["tickets_bottom.xlsx"]
    assert (status, read, loaded, rejected) == ("rejected", 0, 0, 0)
    assert "sheet too large: ~17179869184 cells, limit 5000000" in message
    assert results[GOOD][1] == "loaded"


def test_only_the_sheet_read_is_checked(tmp_path: Path) -> None:
    """The sheet named like the dataset is read (edge rule 6): a far cell on another sheet is harmless."""
    root = tmp_path / "in"
    root.mkdir()
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "本表为用户台帐"
    wb.active["XFD1048576"] = "far away, on a sheet that is not read"
    ws = wb.create_sheet("用户台帐")
    ws.append(["统计月份", "代维公司", "专线编号"])
    ws.append(["2026-10", "铁通", "GZ-DL-1"])
    wb.save(root / "ledger_2026-10.xlsx")
    _far_cell_workbook(root / "tickets_far.xlsx")  # its first (and only) sheet is the far one
    results = _load_in_child(root, tmp_path / "wh.duckdb")
    assert results["ledger_2026-10.xlsx"][1:5] == ["loaded", 1, 1, 0]
    assert results["tickets_far.xlsx"][1] == "rejected"


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _inline(text: str, ref: str = "") -> str:
    r = f' r="{ref}"' if ref else ""
    return f'<c{r} t="inlineStr"><is><t>{text}</t></is></c>'


def _write_workbook(path: Path, sheet_xml: str) -> None:
    """A minimal workbook around hand-written sheet XML."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr(SHEET, sheet_xml.encode())


HEADER_ROW = '<row r="1">' + "".join(_inline(h) for h in TICKET_HEADER) + "</row>"
CRAFTED = {
    # references spelled every way XML allows: spaces around "=", single quotes, $ anchors
    "tickets_spaced.xlsx": f'<worksheet xmlns="{MAIN_NS}"><sheetData>{HEADER_ROW}'
    "<row r = '1048576'><c r = '$XFD$1048576' t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData></worksheet>",
    # a namespace prefix on every element
    "tickets_prefixed.xlsx": f'<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData><x:row r="1">'
    '<x:c r="A1" t="inlineStr"><x:is><x:t>工单编号</x:t></x:is></x:c></x:row><x:row r="1048576">'
    '<x:c r="XFD1048576" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>',
    # cells without a reference take the next column: one wide row, then a far row
    "tickets_unreferenced.xlsx": f'<worksheet xmlns="{MAIN_NS}"><sheetData>{HEADER_ROW}<row>'
    + "<c\n/>" * 20_000
    + '</row><row r="1048576">'
    + _inline("y")
    + "</row></sheetData></worksheet>",
    # a reference past any sheet
    "tickets_overlong.xlsx": f'<worksheet xmlns="{MAIN_NS}"><sheetData>{HEADER_ROW}'
    f'<row r="2">{_inline("x", "ZZZZZZZZZZ99999999999")}</row></sheetData></worksheet>',
}


def test_crafted_references_cannot_slip_past_the_cell_limit(tmp_path: Path) -> None:
    root = tmp_path / "in"
    for name, xml in CRAFTED.items():
        _write_workbook(root / name, xml)
    # Written without any reference, as some streaming writers do: read by position, and loaded.
    rows = "".join("<row>" + "".join(_inline(str(v)) for v in ticket(f"GZ-{i}")) + "</row>" for i in (1, 2))
    plain = f'<worksheet xmlns="{MAIN_NS}"><sheetData>' + HEADER_ROW.replace(' r="1"', "") + rows
    _write_workbook(root / "tickets_plain.xlsx", plain + "</sheetData></worksheet>")
    _good_file(root)
    results = _load_in_child(root, tmp_path / "wh.duckdb")
    for name in CRAFTED:
        _, status, read, loaded, rejected, message = results[name]
        assert (status, read, loaded, rejected) == ("rejected", 0, 0, 0), (name, message)
        assert "工作表过大" in message and "sheet too large" in message, (name, message)
    assert results["tickets_plain.xlsx"][1:5] == ["loaded", 2, 2, 0], results["tickets_plain.xlsx"]
    assert results[GOOD][1] == "loaded"


@pytest.mark.parametrize("chunk", [1, 2, 7, 61, 4096])
def test_the_scan_does_not_depend_on_chunk_boundaries(tmp_path: Path, monkeypatch, chunk: int) -> None:
    """References and tags cut anywhere between two chunks are still seen (checked without fastexcel)."""
    rows = [TICKET_HEADER] + [ticket(f"GZ-{i}") for i in range(20)]
    small = write_xlsx(tmp_path / "tickets_small.xlsx", rows)
    far = tmp_path / "tickets_far.xlsx"
    _far_cell_workbook(far)
    unreferenced = tmp_path / "tickets_unreferenced.xlsx"
    _write_workbook(unreferenced, CRAFTED["tickets_unreferenced.xlsx"])
    monkeypatch.setattr(ingestion.workbook, "INFLATE_IN", chunk)
    monkeypatch.setattr(ingestion.workbook, "INFLATE_OUT", chunk)
    cases = [(small, 252), (far, 1_048_576 * 16_384)]
    if chunk > 50:  # ~100 KB of XML: tiny chunks would only make the test slow
        cases.append((unreferenced, 1_048_576 * 20_000))
    for path, cells in cases:
        with pytest.raises(FileRejected, match=f"约{cells}个单元格"):
            check_workbook(path, ("tickets",), Limits(max_cells=cells - 1))
    assert check_workbook(small, ("tickets",), Limits(max_cells=252)) == ("Sheet1", SHEET)


@pytest.mark.parametrize(
    "hidden",
    ['<!-- <row r="2"> -->', "<![CDATA[<row>]]>", "<?pi <row> ?>", "<!DOCTYPE worksheet>"],
    ids=["comment", "cdata", "processing_instruction", "doctype"],
)
def test_markup_that_could_hide_rows_is_refused(tmp_path: Path, wh, hidden: str) -> None:
    root = tmp_path / "in"
    _write_workbook(
        root / "tickets_hidden.xlsx",
        f'<worksheet xmlns="{MAIN_NS}"><sheetData>{HEADER_ROW}{hidden}</sheetData></worksheet>',
    )
    _good_file(root)
    results = _load(wh, root)
    _assert_rejected_whole(
        wh, results, "tickets_hidden.xlsx", "Excel文件已损坏", "comment, CDATA, DTD or processing instruction"
    )
    _assert_good_loaded(wh, results)


def test_cell_limit_counts_the_bounding_box(tmp_path: Path, wh) -> None:
    root = tmp_path / "in"
    rows = [TICKET_HEADER] + [ticket(f"GZ-{i}") for i in range(20)]  # 21 rows x 12 columns = 252 cells
    write_xlsx(root / "tickets_box.xlsx", rows)
    write_xlsx(root / "tickets_small.xlsx", rows[:5])  # 60 cells
    _good_file(root)
    results = _load(wh, root, Limits(max_cells=100))
    _assert_rejected_whole(wh, results, "tickets_box.xlsx", "约252个单元格，上限100", "~252 cells, limit 100")
    assert (results["tickets_small.xlsx"].status, results["tickets_small.xlsx"].rows_loaded) == ("loaded", 4)
    _assert_good_loaded(wh, results)
    _assert_reconciled(wh)


def test_compressed_bomb_rejected_by_its_declared_size(tmp_path: Path, wh) -> None:
    root = tmp_path / "in"
    _write_bomb(root / "tickets_bomb.xlsx", 8 * MIB)
    assert (root / "tickets_bomb.xlsx").stat().st_size < MIB
    _good_file(root)
    results = _load(wh, root, Limits(max_sheet_xml_bytes=2 * MIB))
    _assert_rejected_whole(wh, results, "tickets_bomb.xlsx", "工作表XML过大", "sheet XML too large", "declares")
    _assert_good_loaded(wh, results)
    _assert_reconciled(wh)


def test_compressed_bomb_that_lies_about_its_size_stops_early(tmp_path: Path, wh) -> None:
    root = tmp_path / "in"
    _write_bomb(root / "tickets_liar.xlsx", 64 * MIB)
    assert (root / "tickets_liar.xlsx").stat().st_size < MIB
    _lie_about_size(root / "tickets_liar.xlsx", SHEET, 1000)
    with zipfile.ZipFile(root / "tickets_liar.xlsx") as z:
        assert z.getinfo(SHEET).file_size == 1000  # what zipfile (and the declared-size check) believe
    _good_file(root)
    tracemalloc.start()
    try:
        results = _load(wh, root, Limits(max_sheet_xml_bytes=2 * MIB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    _assert_rejected_whole(wh, results, "tickets_liar.xlsx", "工作表XML过大", "inflates past 2 MB", SHEET)
    assert peak < 32 * MIB, peak
    _assert_good_loaded(wh, results)
    _assert_reconciled(wh)


def test_lying_bomb_under_a_high_limit_is_streamed_in_bounded_memory(tmp_path: Path, wh) -> None:
    """Inflated all the way (64 MB) without holding it: the size mismatch then marks the part damaged."""
    root = tmp_path / "in"
    _write_bomb(root / "tickets_liar.xlsx", 64 * MIB)
    _lie_about_size(root / "tickets_liar.xlsx", SHEET, 1000)
    tracemalloc.start()
    try:
        results = _load(wh, root, Limits(max_sheet_xml_bytes=256 * MIB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    _assert_rejected_whole(wh, results, "tickets_liar.xlsx", "Excel文件已损坏", SHEET, "declares 1000")
    assert peak < 32 * MIB, peak


# --- 3. broken workbooks, unexpected errors ------------------------------------------------------


def _good_workbook(path: Path) -> Path:
    return write_xlsx(path, [TICKET_HEADER, ticket("GZ-X1"), ticket("GZ-X2")])


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row><row r="2"><c r="A2"',
            ("Excel文件已损坏", "the workbook is damaged: xl/worksheets/sheet1.xml (sheet 'Sheet1' cannot be read"),
        ),
        (b"\x00\x01 not xml at all \xff" * 40, ("Excel文件已损坏", "the workbook is damaged")),
    ],
    ids=["truncated_xml", "garbage_bytes"],
)
def test_workbook_with_a_broken_sheet_part(tmp_path: Path, wh, content: bytes, words: tuple[str, ...]) -> None:
    root = tmp_path / "in"
    src = _good_workbook(tmp_path / "src.xlsx")
    root.mkdir()
    _rewrite_part(src, root / "tickets_broken.xlsx", SHEET, content)
    _good_file(root)
    results = _load(wh, root)
    _assert_rejected_whole(wh, results, "tickets_broken.xlsx", *words)
    _assert_good_loaded(wh, results)
    _assert_reconciled(wh)


def test_workbook_with_corrupt_compressed_bytes(tmp_path: Path, wh) -> None:
    root = tmp_path / "in"
    root.mkdir()
    path = shutil.copy(_good_workbook(tmp_path / "src.xlsx"), root / "tickets_crc.xlsx")
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(SHEET)
    data = bytearray(Path(path).read_bytes())
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    for i in range(start + info.compress_size // 3, start + info.compress_size // 3 + 8):
        data[i] ^= 0x5A  # flip bytes in the middle of the deflate stream
    Path(path).write_bytes(bytes(data))
    _good_file(root)
    results = _load(wh, root)
    _assert_rejected_whole(wh, results, "tickets_crc.xlsx", "Excel文件已损坏", "the workbook is damaged", SHEET)
    _assert_good_loaded(wh, results)


def test_workbook_that_is_a_truncated_zip(tmp_path: Path, wh) -> None:
    root = tmp_path / "in"
    root.mkdir()
    data = _good_workbook(tmp_path / "src.xlsx").read_bytes()
    (root / "tickets_cut.xlsx").write_bytes(data[: len(data) // 2])
    _good_file(root)
    results = _load(wh, root)
    _assert_rejected_whole(wh, results, "tickets_cut.xlsx", "Excel文件已损坏", "the workbook is damaged")
    _assert_good_loaded(wh, results)


def test_unexpected_error_rejects_the_file_in_one_line(tmp_path: Path, wh, monkeypatch) -> None:
    root = tmp_path / "in"
    write_csv(root / "tickets_a.csv", [TICKET_HEADER, ticket("GZ-1")])
    _good_file(root)
    real = ingestion.loader.open_source

    def boom(con, path, *args, **kwargs):
        if path.name == "tickets_a.csv":
            raise RuntimeError("reader exploded\nsecond line of detail")
        return real(con, path, *args, **kwargs)

    monkeypatch.setattr(ingestion.loader, "open_source", boom)
    results = _load(wh, root)
    message = _assert_rejected_whole(wh, results, "tickets_a.csv", "文件无法读取", "RuntimeError: reader exploded")
    assert "second line" not in message
    _assert_good_loaded(wh, results)


def test_reconciliation_error_still_propagates(tmp_path: Path, wh, monkeypatch) -> None:
    write_csv(tmp_path / "in" / "tickets_a.csv", [TICKET_HEADER, ticket("GZ-1")])

    def broken(*args, **kwargs):
        raise ReconciliationError("rows_read 1 != loaded 0 + rejected 0")

    monkeypatch.setattr(ingestion.loader, "_load_rows", broken)
    with pytest.raises(ReconciliationError):
        load_folder(wh.con, tmp_path / "in", "run")
    assert wh.one("SELECT count(*) FROM audit.load_log") == 0  # rolled back


# --- 4. only the delivery is read ----------------------------------------------------------------


def test_links_out_of_the_input_folder_are_rejected_and_never_read(tmp_path: Path, wh) -> None:
    outside = tmp_path / "elsewhere"
    write_csv(outside / "tickets_secret.csv", [TICKET_HEADER, ticket("SECRET-1")])
    write_csv(outside / "dir" / "tickets_deep.csv", [TICKET_HEADER, ticket("SECRET-2")])
    root = tmp_path / "in"
    write_csv(root / ".store" / "tickets_hidden.csv", [TICKET_HEADER, ticket("INSIDE-1")])  # dot-folder: skipped
    write_csv(root / "b" / "tickets_b.csv", [TICKET_HEADER, ticket("B-1")])
    (root / ".hidden.csv").write_text("x")
    _good_file(root)
    os.symlink(outside / "tickets_secret.csv", root / "tickets_link.csv")
    os.symlink(outside / "dir", root / "a_linked_dir")
    os.symlink(root / ".store" / "tickets_hidden.csv", root / "tickets_inside_link.csv")  # stays inside: fine
    os.symlink(root, root / "b" / "loop")  # a link back up: walked once, no endless loop
    os.symlink(tmp_path / "missing.csv", root / "dangling.csv")  # nothing to read: skipped

    assert [p.relative_to(root).as_posix() for p in discover(root)] == [
        "a_linked_dir",
        "b/tickets_b.csv",
        "tickets_inside_link.csv",
        "tickets_link.csv",
        GOOD,
    ]
    results = _load(wh, root)
    assert list(results) == ["a_linked_dir", "b/tickets_b.csv", "tickets_inside_link.csv", "tickets_link.csv", GOOD]
    for name in ("tickets_link.csv", "a_linked_dir"):
        _assert_rejected_whole(wh, results, name, "链接指向输入目录之外", "link points outside the input folder")
    assert results["tickets_inside_link.csv"].status == "loaded"
    assert results["b/tickets_b.csv"].status == "loaded"
    _assert_good_loaded(wh, results)
    ids = {r[0] for r in wh.rows("SELECT ticket_id FROM raw.tickets")}
    assert ids == {"GZ-GOOD", "B-1", "INSIDE-1"}  # nothing from outside
    assert results["tickets_link.csv"].sha256 != ingestion.files.sha256_of(outside / "tickets_secret.csv")
    _assert_reconciled(wh)


def test_a_plan_rebuilt_without_the_flag_is_checked_again(tmp_path: Path, wh) -> None:
    """The orchestration rebuilds PlannedFile from audit.load_plan (5 fields): load_file checks the path."""
    write_csv(tmp_path / "elsewhere" / "tickets_secret.csv", [TICKET_HEADER, ticket("SECRET-1")])
    (tmp_path / "in").mkdir()
    os.symlink(tmp_path / "elsewhere" / "tickets_secret.csv", tmp_path / "in" / "tickets_link.csv")
    prepare_connection(wh.con)
    [pf] = plan_files(wh.con, tmp_path / "in")
    assert pf.outside
    rebuilt = PlannedFile(pf.load_seq, pf.file, pf.path, pf.sha256, pf.dataset)
    res = load_file(wh.con, rebuilt, "run")
    assert (res.status, res.message) == ("rejected", "链接指向输入目录之外 / link points outside the input folder")
    assert wh.one("SELECT count(*) FROM raw.tickets") == 0


# --- 5. time order -------------------------------------------------------------------------------

TIMES = ["接单时间", "到达现场时间", "光缆熔接完成时间", "归档时间"]


def _timed(tid: str, **over: object) -> list[object]:
    times = {
        "接单时间": "2026-10-03 14:10",
        "到达现场时间": "2026-10-03 15:00",
        "光缆熔接完成时间": "",
        "归档时间": "2026-10-04 09:00",
    }
    times.update({k: v for k, v in over.items() if k in times})
    rest = {k: v for k, v in over.items() if k not in times}
    return ticket(tid, **rest) + [times[h] for h in TIMES]


def test_time_order_makes_the_row_bad_naming_the_earlier_column(tmp_path: Path, wh) -> None:
    at = "2026-10-03 14:05:00"
    rows = [
        TICKET_HEADER + TIMES,
        _timed("GOOD"),
        _timed("EQUAL", 接单时间=at, 到达现场时间=at, 完成时间=at, 归档时间=at, 光缆熔接完成时间=at),
        _timed("DONE-EARLY", 完成时间="2026-10-03 13:00"),
        _timed("ACK-EARLY", 接单时间="2026-10-03 14:00"),
        _timed("ARRIVED-EARLY", 到达现场时间="2026/10/3 9:05"),  # a confirmation-form item: still bad
        _timed("CLOSED-EARLY", 归档时间="2026-10-02 23:59"),
        _timed("SPLICE-LATE", 工单类型="开通", 光缆熔接完成时间="2026-10-03 16:30"),
    ]
    write_csv(tmp_path / "in" / "tickets_a.csv", rows)
    [res] = wh.load(tmp_path / "in")
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (7, 2, 5)
    got = {r[0]: (r[1], r[2]) for r in _rejects(wh, "tickets_a.csv")}
    assert {row: col for row, (col, _) in got.items()} == {
        4: "完成时间",
        5: "接单时间",
        6: "到达现场时间",
        7: "归档时间",
        8: "完成时间",
    }
    for _, reason in got.values():
        assert reason.startswith("时间顺序错误 / time order: ")
    assert "完成时间早于派单时间" in got[4][1]
    assert "完成时间早于光缆熔接完成时间" in got[8][1]
    assert {r[0] for r in wh.rows("SELECT ticket_id FROM raw.tickets")} == {"GOOD", "EQUAL"}


# --- 6. contractors are reference data -----------------------------------------------------------


def test_contractor_must_be_in_the_seed_after_normalising(tmp_path: Path, wh) -> None:
    rows = [
        TICKET_HEADER,
        ticket("T-1", 代维公司=" 天龙讯\u3000", 地市="安顺市", 区县="普定县"),  # trimmed: known
        ticket("T-2", 代维公司=""),  # blank: allowed where not required
        ticket("T-3", 代维公司="铁通公司"),
        ticket("T-4", 代维公司="铁 通"),  # an inner space is kept (collapsed), so this is another name
    ]
    write_csv(tmp_path / "in" / "tickets_a.csv", rows)
    [res] = wh.load(tmp_path / "in")
    assert (res.rows_loaded, res.rows_rejected) == (2, 2)
    assert _rejects(wh, "tickets_a.csv") == [
        (4, "代维公司", "未知代维公司 / unknown contractor: 「铁通公司」"),
        (5, "代维公司", "未知代维公司 / unknown contractor: 「铁 通」"),
    ]
    assert wh.rows("SELECT ticket_id, contractor FROM raw.tickets ORDER BY ticket_id") == [
        ("T-1", "天龙讯"),
        ("T-2", None),
    ]


@pytest.mark.parametrize(
    ("file", "header", "row"),
    [
        ("inspections_a.csv", ["巡检单号", "站点编号", "巡检时间", "代维公司"], ["X1", "S1", "2026-10-01 10:00"]),
        ("hr_roster_a.csv", ["统计月份", "工号", "代维公司"], ["2026-10", "T1"]),
        ("eoms_circuits_a.csv", ["专线编号", "代维公司"], ["C1"]),
        ("ledger_a.csv", ["统计月份", "专线编号", "代维公司"], ["2026-10", "C1"]),
        ("spare_parts_a.csv", ["统计月份", "地市", "备件类型", "代维公司"], ["2026-10", "贵阳市", "ONU"]),
        ("instruments_a.csv", ["仪表编号", "代维公司"], ["I1"]),
        ("acceptance_a.csv", ["验收单号", "专线编号", "验收日期", "代维公司"], ["Y1", "C1", "2026-10-03"]),
        ("device_metrics_a.csv", ["设备编号", "采集时间", "代维公司"], ["D1", "2026-10-01 01:00"]),
    ],
)
def test_unknown_contractor_in_every_dataset(tmp_path: Path, wh, file: str, header: list[str], row: list[str]) -> None:
    write_csv(tmp_path / "in" / file, [header, [*row, "澄星"], [*row, "某某通信"]])
    [res] = wh.load(tmp_path / "in")
    if file.startswith("device_metrics"):  # no 代维公司 column: kept as an extra column, never checked
        assert (res.rows_loaded, res.rows_rejected) == (2, 0)
        return
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (2, 1, 1), res
    assert _rejects(wh, file) == [(3, "代维公司", "未知代维公司 / unknown contractor: 「某某通信」")]


def test_a_province_adds_a_contractor_by_adding_a_seed_row(tmp_path: Path, wh) -> None:
    ref = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, ref)
    with open(ref / "ref_contractors.csv", "a", encoding="utf-8") as f:
        f.write("贵州,新代维\n")
    write_csv(tmp_path / "in" / "tickets_a.csv", [TICKET_HEADER, ticket("T-1", 代维公司="新代维")])
    prepare_connection(wh.con, ref)
    [pf] = plan_files(wh.con, tmp_path / "in")
    res = load_file(wh.con, pf, "run")
    assert (res.rows_loaded, res.rows_rejected) == (1, 0)


def test_the_seed_lists_the_contractors_of_the_reference_deployment() -> None:
    seeded = [line.split(",") for line in (REFERENCE_DIR / "ref_contractors.csv").read_text(encoding="utf-8").split()]
    assigned = {
        tuple(line.split(",")[:2])
        for line in (REFERENCE_DIR / "ref_contractor_prefectures.csv").read_text(encoding="utf-8").split()[1:]
    }
    assert seeded[0] == ["province", "contractor"] and {tuple(r) for r in seeded[1:]} == assigned
    assert {c for p, c in assigned if p == "贵州"} == {"铁通", "天龙讯", "澄星"}


# --- 7. mixed encodings --------------------------------------------------------------------------


def test_gbk_csv_with_a_few_utf8_lines(tmp_path: Path, wh) -> None:
    lines = [
        ("gbk", TICKET_HEADER),
        ("gbk", ticket("GZ-1")),
        ("utf-8", ticket("GZ-2", 代维公司="天龙讯", 地市="安顺市", 区县="普定县")),
        ("gbk", ticket("GZ-3")),
        ("utf-8", ticket("GZ-4")),
    ]
    data = b"".join((",".join(map(str, row)) + "\r\n").encode(enc) for enc, row in lines)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "tickets_mixed.csv").write_bytes(data)
    _good_file(tmp_path / "in")
    results = _load(wh, tmp_path / "in")
    res = results["tickets_mixed.csv"]
    assert (res.status, res.rows_read, res.rows_loaded, res.rows_rejected) == ("loaded", 4, 2, 2)
    # 已归档 (工单状态) is the first cell whose UTF-8 bytes are not GBK (故障 happens to decode, as mojibake).
    assert [(r, c, reason.split("；")[0]) for r, c, reason in _rejects(wh, "tickets_mixed.csv")] == [
        (3, "工单状态", "文本编码错误，非GBK / not valid GBK text"),
        (5, "工单状态", "文本编码错误，非GBK / not valid GBK text"),
    ]
    raw = json.loads(wh.one("SELECT raw FROM audit.rejects WHERE row = 3"))
    assert raw["工单编号"] == "GZ-2" and "\ufffd" in raw["工单状态"]
    assert wh.rows("SELECT ticket_id FROM raw.tickets WHERE _file = 'tickets_mixed.csv' ORDER BY _row") == [
        ("GZ-1",),
        ("GZ-3",),
    ]
    _assert_good_loaded(wh, results)
    _assert_reconciled(wh)


def test_text_that_is_mostly_undecodable_is_still_rejected_whole(tmp_path: Path, wh) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "tickets_bin.csv").write_bytes(b"\xff\xfe\x80,\x81\n\xff\x80\x80,\x90\n")
    _good_file(tmp_path / "in")
    results = _load(wh, tmp_path / "in")
    _assert_rejected_whole(wh, results, "tickets_bin.csv", "无法识别的文本编码")


def test_large_csv_with_a_bad_line_is_rejected_naming_the_line(tmp_path: Path, wh, monkeypatch) -> None:
    """Above BIG_CSV_BYTES a CSV is transcoded in a stream: a bad line rejects it whole, with its number."""
    rows = [TICKET_HEADER] + [ticket(f"GZ-{i}") for i in range(1500)]  # > 64 KB of GBK before the bad line
    data = b"".join((",".join(map(str, r)) + "\n").encode("gbk") for r in rows)
    data += (",".join(map(str, ticket("GZ-UTF8", 工单状态="已归档"))) + "\n").encode("utf-8")
    assert len(data) > 1 << 16
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "tickets_big.csv").write_bytes(data)
    monkeypatch.setattr(ingestion.files, "BIG_CSV_BYTES", 1000)
    results = _load(wh, tmp_path / "in")
    _assert_rejected_whole(wh, results, "tickets_big.csv", "第1502行", "not valid GBK text at line 1502")


# --- 8. NaN and infinity -------------------------------------------------------------------------

METRICS = ["设备编号", "采集时间", "CPU利用率(%)", "平均时延(ms)", "Ping发送数"]


def test_non_finite_numbers_in_text_are_bad_rows(tmp_path: Path, wh) -> None:
    cells = ["nan", "inf", "-inf", "NaN", "Infinity", "1e999"]
    rows = [METRICS, ["D0", "2026-10-01 00:00", "10", "3.5", "10"]]
    rows += [[f"D{i + 1}", "2026-10-01 00:00", "10", c, "10"] for i, c in enumerate(cells)]
    rows += [["D9", "2026-10-01 00:00", "nan", "1", "10"], ["D10", "2026-10-01 00:00", "1", "1", "nan"]]
    write_csv(tmp_path / "in" / "device_metrics_a.csv", rows)
    [res] = wh.load(tmp_path / "in")
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (9, 1, 8)
    got = _rejects(wh, "device_metrics_a.csv")
    expected = [(3 + i, "平均时延(ms)", f"不是有限数字 / not a finite number: 「{c}」") for i, c in enumerate(cells)]
    expected += [
        (9, "CPU利用率(%)", "不是有限数字 / not a finite number: 「nan」"),
        (10, "Ping发送数", "不是有限数字 / not a finite number: 「nan」"),
    ]
    assert got == expected
    _assert_reconciled(wh)


def test_non_finite_typed_parquet_doubles_are_bad_rows(tmp_path: Path, wh) -> None:
    table = pa.table(
        {
            "设备编号": ["D1", "D2", "D3", "D4", "D5"],
            "采集时间": pa.array([dt.datetime(2026, 10, 1, h) for h in range(5)], pa.timestamp("s")),
            "CPU利用率(%)": [10.0, float("nan"), 10.0, 10.0, 10.0],
            "平均时延(ms)": [1.0, 1.0, float("inf"), float("-inf"), 1.0],
            "Ping发送数": [10.0, 10.0, 10.0, 10.0, float("nan")],
        }
    )
    (tmp_path / "in").mkdir()
    pq.write_table(table, tmp_path / "in" / "device_metrics_a.parquet")
    [res] = wh.load(tmp_path / "in")
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (5, 1, 4)
    got = [(r, c, reason.split(": 「")[0]) for r, c, reason in _rejects(wh, "device_metrics_a.parquet")]
    finite = "不是有限数字 / not a finite number"
    assert got == [
        (3, "CPU利用率(%)", finite),
        (4, "平均时延(ms)", finite),
        (5, "平均时延(ms)", finite),
        (6, "Ping发送数", finite),
    ]


# --- 9. implausible years ------------------------------------------------------------------------

OUT_OF_RANGE = "日期超出合理范围(1990–2099) / date out of range"


def test_years_outside_the_plausible_range_are_named_as_such(tmp_path: Path, wh) -> None:
    rows = [
        TICKET_HEADER,
        ticket("GZ-1"),
        ticket("GZ-2", "9999-12-31 00:00:00"),
        ticket("GZ-3", "1900-01-01 10:00"),
        ticket("GZ-4", "2026-13-45 25:00"),
        ticket("GZ-5", "2100-01-01 00:00"),
        ticket("GZ-6", "2099-12-31 23:59", 完成时间=""),
        ticket("GZ-7", "1990-01-01 00:00", 完成时间=""),
    ]
    write_csv(tmp_path / "in" / "tickets_a.csv", rows)
    write_csv(
        tmp_path / "in" / "acceptance_a.csv",
        [["验收单号", "专线编号", "验收日期"], ["Y1", "C1", "9999-12-31"], ["Y2", "C1", "2026-02-30"]],
    )
    write_csv(tmp_path / "in" / "hr_roster_a.csv", [["统计月份", "工号", "代维公司"], ["9999-10", "T1", "铁通"]])
    wh.load(tmp_path / "in")
    got = [(r, c, reason.split(": 「")[0]) for r, c, reason in _rejects(wh, "tickets_a.csv")]
    assert got == [
        (3, "派单时间", OUT_OF_RANGE),
        (4, "派单时间", OUT_OF_RANGE),
        (5, "派单时间", "无法解析的时间 / unparseable timestamp"),
        (6, "派单时间", OUT_OF_RANGE),
    ]
    assert _rejects(wh, "acceptance_a.csv") == [
        (2, "验收日期", f"{OUT_OF_RANGE}: 「9999-12-31」"),
        (3, "验收日期", "无法解析的日期 / unparseable date: 「2026-02-30」"),
    ]
    assert _rejects(wh, "hr_roster_a.csv") == [(2, "统计月份", f"{OUT_OF_RANGE}: 「9999-10」")]
    _assert_reconciled(wh)


def test_typed_parquet_timestamps_out_of_range(tmp_path: Path, wh) -> None:
    table = pa.table(
        {
            "设备编号": ["D1", "D2"],
            "采集时间": pa.array([dt.datetime(2026, 10, 1), dt.datetime(9999, 1, 1)], pa.timestamp("s")),
        }
    )
    (tmp_path / "in").mkdir()
    pq.write_table(table, tmp_path / "in" / "device_metrics_a.parquet")
    [res] = wh.load(tmp_path / "in")
    assert (res.rows_loaded, res.rows_rejected) == (1, 1)
    [(row, column, reason)] = _rejects(wh, "device_metrics_a.parquet")
    assert (row, column) == (3, "采集时间") and reason.startswith(OUT_OF_RANGE)


def test_excel_dates_out_of_range(tmp_path: Path, wh) -> None:
    rows = [TICKET_HEADER, ticket("GZ-1", dt.datetime(2026, 10, 3, 14, 5)), ticket("GZ-2", dt.datetime(2150, 1, 1))]
    write_xlsx(tmp_path / "in" / "tickets_a.xlsx", rows)
    [res] = wh.load(tmp_path / "in")
    assert (res.rows_loaded, res.rows_rejected) == (1, 1)
    [(row, column, reason)] = _rejects(wh, "tickets_a.xlsx")
    assert (row, column) == (3, "派单时间") and reason.startswith(OUT_OF_RANGE)


# --- 10. field length ----------------------------------------------------------------------------


def test_a_field_longer_than_the_limit_makes_its_row_bad(tmp_path: Path, wh) -> None:
    header = TICKET_HEADER + ["客户名称", "备注"]
    rows = [
        header,
        ticket("GZ-1") + ["客" * 50, "x" * 50],  # exactly the limit: fine
        ticket("GZ-2") + ["客" * 51, ""],
        ticket("GZ-3") + ["", "y" * 80],  # an unknown extra column counts too
    ]
    write_csv(tmp_path / "in" / "tickets_a.csv", rows, "gbk")
    write_xlsx(tmp_path / "in" / "tickets_b.xlsx", rows)
    results = _load(wh, tmp_path / "in", Limits(max_field_chars=50))
    for name in ("tickets_a.csv", "tickets_b.xlsx"):
        assert (results[name].rows_loaded, results[name].rows_rejected) == (1, 2)
        assert _rejects(wh, name) == [
            (3, "客户名称", "字段过长(51字符，上限50) / field too long (51 characters, limit 50)"),
            (4, "备注", "字段过长(80字符，上限50) / field too long (80 characters, limit 50)"),
        ]
    _assert_reconciled(wh)


def test_default_field_limit_is_the_excel_cell_size(tmp_path: Path, wh) -> None:
    rows = [TICKET_HEADER + ["处理过程"], ticket("GZ-1") + ["长" * 32_767], ticket("GZ-2") + ["长" * 32_768]]
    write_csv(tmp_path / "in" / "tickets_a.csv", rows)
    [res] = wh.load(tmp_path / "in")
    assert (res.rows_loaded, res.rows_rejected) == (1, 1)
    [(row, column, reason)] = _rejects(wh, "tickets_a.csv")
    assert (row, column) == (3, "处理过程") and reason.startswith("字段过长(32768字符，上限32767)")
