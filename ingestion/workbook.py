"""Checks on a workbook before any Excel library touches it (source-exports.md, edge rule 10).

A reader such as calamine sizes its cell grid from the references in the sheet XML: one value in
XFD1048576 makes it allocate half a terabyte and abort the process, and a zip bomb inflates
without end. So the zip is opened with Python's zipfile, the sheet that will be read is found
through workbook.xml and its relationships, its declared size is checked, and its XML is inflated
in a bounded stream while every cell and row reference (and `<dimension>`) widens a box of used
cells. A workbook past `core.settings.Limits` or with a broken part is rejected whole, naming the
part, before the reader sees it.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

import numpy as np

from core.settings import MIB, Limits
from ingestion.errors import FileRejected
from ingestion.headers import header_key

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls container
INFLATE_IN = 1 << 20  # compressed bytes read at a time
INFLATE_OUT = 4 << 20  # most inflated bytes produced per step
TAG_CARRY = 4 << 20  # the longest tag (or tag and the text after it) a sheet may have
SMALL_PART_MAX = 16 * MIB  # workbook.xml and relationship parts are parsed whole, up to this

# The scan may overcount, never undercount: a reference is any `r="…"` attribute after whitespace
# (spaces around "=", either quote and `$` anchors allowed), whatever element or text it is in;
# `<row r="5">` references are the ones without letters. Text cannot hold "<", so the positions
# that split the XML into rows (which must not be faked) are found from a "<".
_REF_RE = re.compile(rb"""r(?<=\sr)\s*=\s*["']\$?([A-Za-z]*)\$?([0-9]*)["']""")
_DIM_RE = re.compile(rb"""dimension\s[^<]*?\bref\s*=\s*["']([^"']*)["']""")
_DIM_END_RE = re.compile(rb"\$?([A-Za-z]*)\$?([0-9]*)")
_ROW_SPLIT_PREFIXED_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_TAG_ENDS = np.array([ord(c) for c in " \t\n\r/>"], np.uint8)  # what may follow an element's name
MAX_REF_CHARS = 9  # a reference longer than this is beyond any sheet: treated as enormous
ENORMOUS = 10**12


class _TooLarge(Exception):
    pass


def damaged(part: str, why: str) -> FileRejected:
    return FileRejected("Excel文件已损坏", f"the workbook is damaged: {part} ({why})")


def _mb(n: int) -> str:
    return f"{n / MIB:.1f}".rstrip("0").rstrip(".")


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _extent(refs: set[bytes], number: Callable[[bytes], int]) -> tuple[int, int] | None:
    """The lowest and highest of some row numbers or column letters (a reference too long for any
    sheet counts as enormous); None when there are none."""
    refs.discard(b"")
    if not refs:
        return None
    if len(max(refs, key=len)) > MAX_REF_CHARS:
        return 1, ENORMOUS
    nums = set(map(number, refs))
    return min(nums), max(nums)


def _span(lo: int | None, hi: int | None) -> int:
    return hi - lo + 1 if lo is not None and hi is not None else 0


@dataclass
class CellBox:
    """The box of a sheet's used cells as calamine will allocate it when asked to read from row 1
    (rows from 1 to the last one, columns from the first used to the last), grown chunk by chunk.

    From the `<dimension ref>` and every cell and row reference, and from the rows and cells written
    (one without a reference takes the next position): the number of row tags and the most cell
    tags in one row bound the box from below too.
    """

    max_row: int | None = None
    min_col: int | None = None
    max_col: int | None = None
    row_tags: int = 0
    widest_row: int = 0  # the most cell tags in one row
    _open_row: int = 0  # cell tags seen so far in the row a chunk ended in

    def _rows(self, digits: set[bytes]) -> None:
        span = _extent(digits, int)
        if span is not None:
            self.max_row = span[1] if self.max_row is None else max(self.max_row, span[1])

    def _cols(self, letters: set[bytes]) -> None:
        span = _extent(letters, _col_number)
        if span is not None:
            self.min_col = span[0] if self.min_col is None else min(self.min_col, span[0])
            self.max_col = span[1] if self.max_col is None else max(self.max_col, span[1])

    @property
    def cells(self) -> int:
        """Rows x columns, the rows counted from row 1: the sheet is read from its first row so that
        row numbers are exact, and a reader asked for that allocates the empty rows above the data
        too. A cell or row without a reference takes the next position, so the box is at least as
        tall as the rows written and as wide as the widest row; where references and positions mix,
        this is within a factor of 4 of what calamine allocates (enough to stop a runaway)."""
        rows = max(self.row_tags, self.max_row or 0)
        cols = max(self.widest_row, _span(self.min_col, self.max_col))
        return rows * cols

    def scan(self, chunk: bytes) -> None:
        """Grow the box by a chunk of sheet XML that ends between two tags."""
        found = _REF_RE.findall(chunk)
        self._cols(set(map(itemgetter(0), found)))
        self._rows(set(map(itemgetter(1), found)))
        for ref in _DIM_RE.findall(chunk):
            for end in ref.split(b":")[:2]:
                m = _DIM_END_RE.fullmatch(end.strip())
                if m is not None:
                    self._cols({m.group(1)})
                    self._rows({m.group(2)})
        self._count_rows_and_cells(chunk)

    def _count_rows_and_cells(self, chunk: bytes) -> None:
        """Row tags, and the most cell tags in one row: vectorised over the tags' positions."""
        a = np.frombuffer(chunk, np.uint8)
        if len(a) < 4:
            return
        padded = np.concatenate([a, np.zeros(4, np.uint8)])
        opens = np.flatnonzero(a == ord("<"))
        colons = np.flatnonzero(a == ord(":"))  # <x:c …> and <x:row …> (text may add some: overcounts)

        def tags(starts: np.ndarray, name: bytes) -> np.ndarray:
            starts = starts[padded[starts + 1] == name[0]]  # few candidates left for the other tests
            for k, ch in enumerate(name[1:], start=2):
                starts = starts[padded[starts + k] == ch]
            return starts[np.isin(padded[starts + 1 + len(name)], _TAG_ENDS)]

        cells = np.concatenate([tags(opens, b"c"), tags(colons, b"c")])
        self.row_tags += len(tags(opens, b"row")) + len(tags(colons, b"row"))
        if b":row" in chunk:  # a row split must be a real tag: "<prefix:row", which text cannot fake
            row_starts = np.array([m.start() for m in _ROW_SPLIT_PREFIXED_RE.finditer(chunk)], np.int64)
        else:
            row_starts = tags(opens, b"row")
        per_row = np.bincount(np.searchsorted(row_starts, cells), minlength=len(row_starts) + 1)
        per_row[0] += self._open_row  # the row the previous chunk ended in goes on here
        self.widest_row = max(self.widest_row, int(per_row.max()))
        self._open_row = int(per_row[-1])


def _inflate(f: BinaryIO, info: zipfile.ZipInfo, budget: int, sink: Callable[[bytes], None]) -> int:
    """Inflate one zip member from its raw bytes, in chunks, into `sink`; the bytes it inflated to.

    The central directory's sizes are not trusted: the stream is inflated until it ends, and
    `_TooLarge` is raised as soon as more than `budget` bytes came out (a bomb that lies about its
    size included). A broken stream, a CRC or size mismatch raises `damaged`.
    """
    part = info.filename
    if info.flag_bits & 0x1:
        raise damaged(part, "encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise damaged(part, f"unsupported compression method {info.compress_type}")
    f.seek(info.header_offset)
    head = f.read(30)
    if len(head) < 30 or head[:4] != ZIP_MAGIC:
        raise damaged(part, "bad local header")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    f.seek(info.header_offset + 30 + name_len + extra_len)
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    left, total, crc = info.compress_size, 0, 0

    def emit(out: bytes) -> None:
        nonlocal total, crc
        total += len(out)
        if total > budget:
            raise _TooLarge(part)
        crc = zlib.crc32(out, crc)
        sink(out)

    try:
        while left > 0 and not (inflater is not None and inflater.eof):
            raw = f.read(min(INFLATE_IN, left))
            if not raw:
                raise damaged(part, "truncated")
            left -= len(raw)
            if inflater is None:
                emit(raw)
                continue
            data = raw
            while True:
                out = inflater.decompress(data, INFLATE_OUT)
                emit(out)
                data = inflater.unconsumed_tail
                if inflater.eof or (not data and len(out) < INFLATE_OUT):
                    break
    except zlib.error as exc:
        raise damaged(part, f"compressed data is corrupt: {exc}") from exc
    if inflater is not None and not inflater.eof:
        raise damaged(part, "compressed data ends early")
    if crc != info.CRC:
        raise damaged(part, "CRC mismatch")
    if total != info.file_size:
        raise damaged(part, f"inflates to {total} bytes, declares {info.file_size}")
    return total


def _read_small(zf: zipfile.ZipFile, f: BinaryIO, part: str) -> bytes:
    info = _member(zf, part)
    if info is None:
        raise damaged(part, "missing")
    buf = bytearray()
    try:
        _inflate(f, info, SMALL_PART_MAX, buf.extend)
    except _TooLarge as exc:
        raise damaged(part, f"larger than {_mb(SMALL_PART_MAX)} MB") from exc
    return bytes(buf)


def _member(zf: zipfile.ZipFile, part: str) -> zipfile.ZipInfo | None:
    try:
        return zf.getinfo(part)
    except KeyError:
        low = part.lower()
        return next((i for i in zf.infolist() if i.filename.lower() == low), None)


def _xml(data: bytes, part: str) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise damaged(part, f"invalid XML: {exc}") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el: ElementTree.Element, name: str) -> str | None:
    for key, value in el.attrib.items():
        if _local(key) == name:
            return value
    return None


def _rels(zf: zipfile.ZipFile, f: BinaryIO, source_part: str) -> list[tuple[str, str, str]]:
    """(id, type, target part) of each relationship of `source_part` ('' = the package)."""
    folder, name = posixpath.split(source_part)
    rels_part = posixpath.join(folder, "_rels", f"{name}.rels")
    if _member(zf, rels_part) is None:
        return []
    out = []
    for el in _xml(_read_small(zf, f, rels_part), rels_part).iter():
        if _local(el.tag) != "Relationship" or (el.get("TargetMode") or "").lower() == "external":
            continue
        target = el.get("Target") or ""
        absolute = target.startswith("/")
        resolved = target.lstrip("/") if absolute else posixpath.normpath(posixpath.join(folder, target))
        out.append((el.get("Id") or "", el.get("Type") or "", resolved))
    return out


def choose_sheet(names: list[str], wanted: tuple[str, ...]) -> str | None:
    """The sheet named like the dataset (edge rule 6), else the first."""
    keys = {header_key(w) for w in wanted}
    return next((n for n in names if header_key(n) in keys), names[0] if names else None)


def check_workbook(path: Path, wanted: tuple[str, ...], limits: Limits) -> tuple[str, str]:
    """Check an .xlsx before any Excel library reads it: the sheet to read and its part. Raises FileRejected."""
    with open(path, "rb") as f:
        if not f.read(4).startswith(b"PK"):
            raise FileRejected("不是有效的Excel文件", "not a readable Excel workbook")
        f.seek(0)
        try:
            zf = zipfile.ZipFile(f)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
            raise damaged("zip directory", str(exc) or type(exc).__name__) from exc
        with zf:
            return _check_parts(zf, f, wanted, limits)


def _check_parts(zf: zipfile.ZipFile, f: BinaryIO, wanted: tuple[str, ...], limits: Limits) -> tuple[str, str]:
    office = [t for _, typ, t in _rels(zf, f, "") if typ.endswith("/officeDocument")]
    book_part = office[0] if office else "xl/workbook.xml"
    book = _xml(_read_small(zf, f, book_part), book_part)
    rels = _rels(zf, f, book_part)
    by_id = {rid: target for rid, _, target in rels}
    sheets: dict[str, str | None] = {}
    for el in book.iter():
        if _local(el.tag) == "sheet" and el.get("name") is not None:
            sheets[el.get("name") or ""] = by_id.get(_attr(el, "id") or "")
    sheet = choose_sheet(list(sheets), wanted)
    if sheet is None:
        raise FileRejected("Excel文件没有工作表", "the workbook has no sheet")
    sheet_part = sheets[sheet]
    sheet_info = _member(zf, sheet_part) if sheet_part else None
    if sheet_part is None or sheet_info is None:
        raise damaged(sheet_part or book_part, f"the part of sheet {sheet!r} is missing")
    # Parts the reader loads whole besides the sheet: shared strings and styles.
    extra_parts = {t for _, typ, t in rels if typ.endswith(("/sharedStrings", "/styles"))}
    extra_parts |= {p for p in ("xl/sharedStrings.xml", "xl/styles.xml") if _member(zf, p) is not None}
    extra = [i for i in (_member(zf, p) for p in sorted(extra_parts)) if i is not None]
    strings = [i for i in extra if "sharedstrings" in i.filename.lower()]
    declared = sheet_info.file_size + sum(i.file_size for i in strings)
    limit = limits.max_sheet_xml_bytes
    if declared > limit:
        raise FileRejected(
            f"工作表XML过大(声明{_mb(declared)}MB，上限{_mb(limit)}MB)",
            f"sheet XML too large: {sheet_info.filename} declares {_mb(declared)} MB, limit {_mb(limit)} MB",
        )
    budget = limit
    box = CellBox()
    carry = b""
    first = True

    def check(xml: bytes) -> None:
        """Scan a piece of the sheet that ends before a "<" (or at the end)."""
        nonlocal first
        if not xml:
            return
        if first:  # the XML declaration is the one processing instruction a sheet has
            xml = re.sub(rb"^(\xef\xbb\xbf)?\s*<\?xml[^<]*?\?>", b"", xml)
            first = False
        # Comments, CDATA, DTDs and processing instructions may hold a "<" that is not a tag: no
        # spreadsheet writes them in a sheet, and they could hide rows from the scan.
        if b"<!" in xml or b"<?" in xml:
            raise damaged(sheet_info.filename, "holds a comment, CDATA, DTD or processing instruction")
        box.scan(xml)
        if box.cells > limits.max_cells:
            raise _TooLarge(sheet_info.filename)

    def scan(chunk: bytes) -> None:
        nonlocal carry
        buf = carry + chunk
        cut = buf.rfind(b"<")  # from the last "<" on (a tag, or a tag and text) waits for the next chunk
        if cut < 0:
            cut = len(buf)
        elif len(buf) - cut > TAG_CARRY:
            raise damaged(sheet_info.filename, f"a tag or text run longer than {_mb(TAG_CARRY)} MB")
        check(buf[:cut])
        carry = buf[cut:]

    try:
        for info in extra:
            budget -= _inflate(f, info, budget, lambda _chunk: None)
        _inflate(f, sheet_info, budget, scan)
        check(carry)
    except _TooLarge as exc:
        if box.cells <= limits.max_cells:
            raise FileRejected(
                f"工作表XML过大(解压超过{_mb(limit)}MB)",
                f"sheet XML too large: {exc.args[0]} inflates past {_mb(limit)} MB",
            ) from exc
    if box.cells > limits.max_cells:
        raise FileRejected(
            f"工作表过大: 约{box.cells}个单元格，上限{limits.max_cells}",
            f"sheet too large: ~{box.cells} cells, limit {limits.max_cells}",
        )
    return sheet, sheet_info.filename
