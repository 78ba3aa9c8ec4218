"""Reading a delivered file into DuckDB as it comes: encodings, sheets, header rows.

Every reader ends in the same shape, a DuckDB relation with the file's cells
(text for CSV/Excel, the stored types for Parquet) in positional columns
`c0, c1, …` and the spreadsheet row number in `_row`, so validation is one
code path whatever the format. Nothing here loops over data rows in Python.

Only the delivery is read (edge rule 10): links are not followed out of the input folder, and a
workbook is checked (intact parts, sheet XML and cell-box size under `core.settings.Limits`)
before an Excel library touches it. Lines of a CSV that are not valid text in its encoding become
bad rows (`_rerr`), not a rejected file.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import duckdb
import fastexcel
import polars as pl

from core.settings import Limits
from ingestion.errors import FileRejected
from ingestion.workbook import OLE_MAGIC, check_workbook, choose_sheet, damaged

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
BIG_CSV_BYTES = 256 * 1024 * 1024  # above this a CSV is streamed through a Parquet spill
HEADER_SEARCH_ROWS = 10
DEFAULT_LIMITS = Limits()  # core.settings defaults, for callers that pass none


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Entry:
    """One entry of a delivery: its path under the input folder and whether it leads out of it."""

    path: Path  # root / rel, links not resolved
    rel: str  # posix path relative to the input folder
    outside: bool = False  # a link that resolves outside the input folder: rejected whole, never opened


def _within(target: Path, real_root: Path) -> bool:
    return target == real_root or real_root in target.parents


def discover_entries(root: Path) -> list[Entry]:
    """Every file under root in the order they are applied (relative path, lexicographically).

    Dot-files and dot-folders are skipped. Links are never followed out of the delivery: a link
    (to a file or a folder) that resolves outside root is listed once, flagged `outside`, and not
    descended into; a link that stays inside is read like the file or folder it points to (a folder
    reached twice through links is walked once, so a loop of links ends). Dangling links are skipped.
    """
    root = Path(root)
    real_root = root.resolve()
    out: list[Entry] = []
    walked: set[Path] = set()

    def walk(folder: Path, prefix: str) -> None:
        walked.add(folder.resolve())
        try:
            with os.scandir(folder) as it:
                items = sorted(it, key=lambda e: e.name)
        except OSError:
            return
        for item in items:
            if item.name.startswith("."):
                continue
            path = folder / item.name
            rel = prefix + item.name
            if item.is_symlink():
                target = Path(os.path.realpath(path))
                if not _within(target, real_root):
                    if target.exists():
                        out.append(Entry(path, rel, outside=True))
                    continue
                if target.is_dir():
                    if target not in walked:
                        walk(path, rel + "/")
                elif target.is_file():
                    out.append(Entry(path, rel))
            elif item.is_dir(follow_symlinks=False):
                walk(path, rel + "/")
            elif item.is_file(follow_symlinks=False):
                out.append(Entry(path, rel))

    if root.is_dir():
        walk(root, "")
    return sorted(out, key=lambda e: e.rel)


def discover(root: Path) -> list[Path]:
    """Every file under root, in the order they are applied: their relative path, lexicographically.

    Includes the links that lead outside root (see `discover_entries`), so that a run reports them.
    """
    return [e.path for e in discover_entries(root)]


def outside_delivery(path: Path, rel: str) -> bool:
    """True when `path` (= root / rel) resolves outside root: checked again just before opening."""
    root = path
    for _ in PurePosixPath(rel).parts:
        root = root.parent
    return not _within(Path(os.path.realpath(path)), root.resolve())


@dataclass
class Source:
    """A file's cells as a DuckDB relation, before any schema is applied."""

    relation: str
    headers: list[str]
    types: list[str]  # DuckDB type of each positional column
    fmt: str  # csv | xlsx | parquet
    encoding: str | None = None
    sheet: str | None = None
    temp_files: list[Path] = field(default_factory=list)
    # The relation also has `_rerr` (a reason the reader found, NULL when the row is fine) and `_rcol`
    # (the column it names): lines of a CSV that are not valid text in the file's encoding.
    row_errors: bool = False

    @property
    def excel(self) -> bool:
        return self.fmt == "xlsx"

    def column(self, pos: int) -> str:
        return f"c{pos}"

    def normalized(self, pos: int) -> str:
        """The cell after Unicode NFKC, computed once per file by polars (or DuckDB for Parquet)."""
        return f"n{pos}"


ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "gbk": "GBK", "gb18030": "GB18030"}
WHOLE_ROW = "(整行)"
# A file is read with a few undecodable lines (each a bad row) only while they are at most this
# share of its lines; beyond it the encoding is not recognised and the file is rejected whole.
MAX_BAD_LINE_SHARE = 0.5
# Undecodable bytes become a Unicode noncharacter that the file's valid text does not hold.
_SENTINELS = tuple(chr(c) for c in range(0xFDD0, 0xFDF0))
UNRECOGNISED_ENCODING = ("无法识别的文本编码", "unrecognised text encoding (not UTF-8, GBK or GB18030)")


def detect_encoding(head: bytes, path: Path) -> str:
    """UTF-8 (with or without BOM) first, then the Chinese Windows encodings."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for enc in ("utf-8", "gbk", "gb18030"):
        try:
            _decode_prefix(head, enc)
            return enc
        except UnicodeDecodeError:
            continue
    raise FileRejected(*UNRECOGNISED_ENCODING)


def _decode_prefix(data: bytes, enc: str) -> str:
    # A multi-byte character may be cut at the end of a prefix: let the incremental decoder hold it.
    return codecs.getincrementaldecoder(enc)().decode(data, final=False)


def encoding_error_reason(enc: str) -> str:
    label = ENCODING_LABELS.get(enc, enc.upper())
    return f"文本编码错误，非{label} / not valid {label} text"


def _sentinel_for(data: bytes, enc: str) -> str:
    for s in _SENTINELS:
        try:
            encoded = s.encode(enc)
        except UnicodeEncodeError:
            return s  # the encoding cannot even hold it
        if encoded not in data:
            return s
    raise FileRejected(*UNRECOGNISED_ENCODING)  # pragma: no cover


def _decode_lenient(data: bytes, enc: str) -> tuple[str, str, int]:
    """The text with each undecodable byte replaced by a sentinel; the sentinel; the lines hit."""
    sentinel = _sentinel_for(data, enc)
    handler = f"daiwei-sentinel-{ord(sentinel):x}"
    try:
        codecs.lookup_error(handler)
    except LookupError:
        codecs.register_error(handler, lambda e, s=sentinel: (s, e.end))  # type: ignore[misc]
    text = data.decode(enc, errors=handler)
    bad_lines = len(re.findall(f"^[^\n]*{sentinel}", text, re.MULTILINE))
    return text, sentinel, bad_lines


def _decode_csv(data: bytes) -> tuple[str, str, str | None]:
    """(text, encoding, sentinel): sentinel is None when every byte decodes, else marks the bad bytes."""
    try:
        enc = detect_encoding(data, Path())
        return data.decode(enc), enc, None
    except (FileRejected, UnicodeDecodeError):
        pass
    candidates = ("utf-8-sig",) if data.startswith(codecs.BOM_UTF8) else ("utf-8", "gbk", "gb18030")
    best: tuple[int, str, str, str] | None = None
    for enc in candidates:
        text, sentinel, bad = _decode_lenient(data, enc)
        if best is None or bad < best[0]:
            best = (bad, enc, text, sentinel)
    assert best is not None
    bad, enc, text, sentinel = best
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if bad > MAX_BAD_LINE_SHARE * max(lines, 1):
        raise FileRejected(*UNRECOGNISED_ENCODING)
    return text, enc, sentinel


def _frame_from_csv(path: Path) -> tuple[pl.DataFrame, str, str | None]:
    text, enc, sentinel = _decode_csv(path.read_bytes())
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = "\t" if first.count("\t") > first.count(",") else ","
    try:
        frame = pl.read_csv(
            io.BytesIO(text.lstrip("\ufeff").encode("utf-8")),
            has_header=False,
            infer_schema=False,
            separator=sep,
            quote_char='"',
        )
    except pl.exceptions.PolarsError as exc:
        msg = str(exc).splitlines()[0][:160]
        raise FileRejected("CSV格式错误，无法读取", f"malformed CSV: {msg}") from exc
    return frame, enc, sentinel


# --- Workbooks (edge rule 10) -----------------------------------------------------------------
#
# calamine (behind fastexcel) allocates the whole bounding box of a sheet's cells at once: a tiny
# workbook with one value in XFD1048576 makes it ask for hundreds of GB and abort the process, which
# no `except` can catch. So an .xlsx is checked with Python's zipfile first: the parts it will read
# must be intact, the sheet XML must stay under the byte limit (declared and actually inflated,
# streamed in chunks so a zip bomb never sits in memory), and the bounding box of the used cells
# under the cell limit. Only then does fastexcel open it.


def _panic(exc: BaseException) -> bool:
    """A Rust panic surfaced by pyo3 (a BaseException, not an Exception): a file that cannot be read."""
    return type(exc).__name__ == "PanicException"


def _excel_sheet(path: Path, wanted: tuple[str, ...], limits: Limits) -> tuple[pl.DataFrame, str, int]:
    """The sheet named like the dataset, else the first; and the row its first used row has."""
    with open(path, "rb") as f:
        magic = f.read(8)
    chosen: str | None = None
    part = "the workbook"
    if path.suffix.lower() != ".xls" and magic != OLE_MAGIC:  # the old binary format goes to fastexcel as it is
        chosen, part = check_workbook(path, wanted, limits)
    try:
        reader = fastexcel.read_excel(str(path))
    except BaseException as exc:  # fastexcel raises its own error types (and pyo3 panics) for bad bytes
        if not isinstance(exc, Exception) and not _panic(exc):
            raise
        raise FileRejected("不是有效的Excel文件", "not a readable Excel workbook") from exc
    names = reader.sheet_names
    sheet = chosen if chosen is not None else choose_sheet(names, wanted)
    if sheet is None:
        raise FileRejected("Excel文件没有工作表", "the workbook has no sheet")
    if sheet not in names:
        raise damaged("xl/workbook.xml", f"sheet {sheet!r} cannot be opened")
    try:
        # skip_rows=0 makes calamine start at the sheet's row 1 (left to itself it starts at its first
        # non-empty cell, and says nothing of where that was), so row numbers are exact by position.
        # check_workbook counted the box from row 1 for that reason.
        frame = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string").to_polars()
    except BaseException as exc:
        if not isinstance(exc, Exception) and not _panic(exc):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise damaged(part, f"sheet {sheet!r} cannot be read: {first}") from exc
    skipped = _leading_empty_rows(frame)
    return frame.slice(skipped), sheet, skipped + 1


def _leading_empty_rows(frame: pl.DataFrame) -> int:
    """Rows above the first one with any cell in it: the header search starts below them."""
    if frame.width == 0 or frame.height == 0:
        return 0
    used = frame.select(pl.any_horizontal(pl.all().is_not_null()).arg_true().first()).item()
    return 0 if used is None else int(used)


def _register_frame(
    con: duckdb.DuckDBPyConnection,
    frame: pl.DataFrame,
    header_idx: int,
    first_row: int,
    name: str,
    sentinel: str | None = None,
    encoding: str | None = None,
) -> tuple[list[str], list[str]]:
    """Register the data rows below the header as `name`, with spreadsheet row numbers.

    `sentinel` marks the undecodable bytes of a CSV: a row holding one gets `_rerr` (the reason)
    and `_rcol` (the header of the first cell holding one), and the mark is shown as U+FFFD.
    """
    headers = [("" if v is None else str(v)) for v in frame.row(header_idx)]
    width = len(headers)
    body = frame.slice(header_idx + 1)
    body = body.select([pl.col(c).alias(f"c{i}") for i, c in enumerate(frame.columns[:width])])
    if sentinel is not None:
        hits = [pl.col(f"c{i}").str.contains(sentinel, literal=True).fill_null(False) for i in range(width)]
        labels = [h.strip() or f"列{i + 1}" for i, h in enumerate(headers)]
        first_hit = pl.coalesce([pl.when(hit).then(pl.lit(label)) for hit, label in zip(hits, labels, strict=True)])
        body = body.with_columns(
            pl.when(pl.any_horizontal(hits)).then(pl.lit(encoding_error_reason(encoding or ""))).alias("_rerr"),
            pl.when(pl.any_horizontal(hits)).then(first_hit.fill_null(pl.lit(WHOLE_ROW))).alias("_rcol"),
        )
        body = body.with_columns(
            [pl.col(f"c{i}").str.replace_all(sentinel, "\ufffd", literal=True) for i in range(width)]
        )
    body = body.with_columns([pl.col(f"c{i}").str.normalize("NFKC").alias(f"n{i}") for i in range(width)])
    body = body.with_row_index("_idx").with_columns(
        (pl.col("_idx").cast(pl.Int64) + header_idx + 1 + first_row).alias("_row")
    )
    cells = [pl.col(f"c{i}") for i in range(width)]
    blank = pl.all_horizontal([c.is_null() | (c.str.strip_chars() == "") for c in cells])
    body = body.filter(~blank).drop("_idx")
    con.register(name, body.to_arrow())
    return headers, ["VARCHAR"] * width


def find_header_row(frame: pl.DataFrame, scorer) -> int:
    """The row among the first few that matches a schema best (title rows above it are skipped)."""
    best, best_score = 0, -1
    for idx in range(min(HEADER_SEARCH_ROWS, frame.height)):
        values = ["" if v is None else str(v) for v in frame.row(idx)]
        score = scorer(values)
        if score > best_score:
            best, best_score = idx, score
    return best


def open_source(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    name: str,
    scorer,
    sheet_names: tuple[str, ...] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> Source:
    """Register the file's cells as relation `name`; `scorer(headers) -> int` picks the header row."""
    suffix = path.suffix.lower()
    sentinel: str | None = None
    if suffix in PARQUET_SUFFIXES:
        return _open_parquet(con, path, name)
    if suffix in CSV_SUFFIXES:
        if path.stat().st_size > BIG_CSV_BYTES:
            return _open_big_csv(con, path, name)
        frame, enc, sentinel = _frame_from_csv(path)
        fmt, sheet, first_row = "csv", None, 1
    elif suffix in EXCEL_SUFFIXES:
        frame, sheet, first_row = _excel_sheet(path, sheet_names, limits)
        enc, fmt = None, "xlsx"
    else:
        raise FileRejected(f"不支持的文件格式 {suffix or '(无扩展名)'}", f"unsupported file format {suffix}")
    if frame.height == 0:
        raise FileRejected("文件为空", "the file is empty")
    header_idx = find_header_row(frame, scorer)
    headers, types = _register_frame(con, frame, header_idx, first_row, name, sentinel, enc)
    return Source(name, headers, types, fmt, encoding=enc, sheet=sheet, row_errors=sentinel is not None)


def _open_parquet(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> Source:
    try:
        desc = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{_q(path)}')").fetchall()
    except duckdb.Error as exc:
        raise FileRejected("不是有效的Parquet文件", "not a readable Parquet file") from exc
    headers = [d[0] for d in desc]
    types = [d[1] for d in desc]
    cols = ", ".join(f'"{_ident(h)}" AS c{i}' for i, h in enumerate(headers))
    # NFKC only for text columns that hold non-ASCII values: machine exports (IDs, hostnames) are
    # ASCII, and one aggregate scan (cheap on Parquet's dictionary pages) spares a per-row CASE
    # and any Python round trip on 100 M rows. Only columns a parser reads normalised (ID and
    # coded columns) are ever computed from the view.
    text_cols = [h for h, t in zip(headers, types, strict=True) if t.upper() == "VARCHAR"]
    ascii_only: dict[str, bool] = {}
    if text_cols:
        probe = ", ".join(f'coalesce(bool_and(strlen("{_ident(h)}") = length("{_ident(h)}")), TRUE)' for h in text_cols)
        flags = con.execute(f"SELECT {probe} FROM read_parquet('{_q(path)}')").fetchall()[0]
        ascii_only = dict(zip(text_cols, flags, strict=True))
    norm = ", ".join(
        (f'"{_ident(h)}" AS n{i}' if ascii_only.get(h, True) else f'dw_nfkc("{_ident(h)}") AS n{i}')
        for i, h in enumerate(headers)
    )
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {cols}, {norm}, file_row_number + 2 AS _row "
        f"FROM read_parquet('{_q(path)}', file_row_number = true)"
    )
    return Source(name, headers, types, "parquet")


def _open_big_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> Source:
    """Large CSV: transcode in chunks if needed, then let polars stream it into a Parquet spill."""
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    enc = detect_encoding(head, path)
    tmpdir = Path(tempfile.mkdtemp(prefix="daiwei-csv-"))
    try:
        return _spill_big_csv(con, path, name, enc, tmpdir)
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise


def _transcode(path: Path, enc: str, dest: Path) -> None:
    """Re-encode a large CSV to UTF-8 in chunks; an undecodable byte rejects the file with its line."""
    decoder = codecs.getincrementaldecoder(enc)()
    lines = 0  # newlines before the current chunk
    with open(path, "rb") as fin, open(dest, "w", encoding="utf-8") as fout:
        for chunk in iter(lambda: fin.read(1 << 24), b""):
            try:
                fout.write(decoder.decode(chunk))
            except UnicodeDecodeError as exc:
                line = lines + exc.object.count(b"\n", 0, exc.start) + 1  # held bytes hold no newline
                label = ENCODING_LABELS.get(enc, enc)
                raise FileRejected(
                    f"文本编码错误，第{line}行非{label}", f"not valid {label} text at line {line}"
                ) from exc
            lines += chunk.count(b"\n")
        try:
            fout.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            label = ENCODING_LABELS.get(enc, enc)
            raise FileRejected(
                f"文本编码错误，第{lines + 1}行非{label}", f"not valid {label} text at line {lines + 1}"
            ) from exc


def _spill_big_csv(con: duckdb.DuckDBPyConnection, path: Path, name: str, enc: str, tmpdir: Path) -> Source:
    src = path
    if enc not in ("utf-8", "utf-8-sig"):
        src = tmpdir / "utf8.csv"
        _transcode(path, enc, src)
    spill = tmpdir / "cells.parquet"
    lf = pl.scan_csv(src, has_header=True, infer_schema=False, encoding="utf8")
    headers = [h.lstrip("\ufeff") for h in lf.collect_schema().names()]
    names = lf.collect_schema().names()
    lf = lf.select(
        [pl.col(c).alias(f"c{i}") for i, c in enumerate(names)]
        + [pl.col(c).str.normalize("NFKC").alias(f"n{i}") for i, c in enumerate(names)]
    )
    lf = lf.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    lf.sink_parquet(spill)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet('{_q(spill)}')")
    return Source(name, headers, ["VARCHAR"] * len(headers), "csv", encoding=enc, temp_files=[tmpdir])


def _q(path: Path) -> str:
    return str(path).replace("'", "''")


def _ident(name: str) -> str:
    return name.replace('"', '""')
