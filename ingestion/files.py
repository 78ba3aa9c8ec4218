"""Reading a delivered file into DuckDB as it comes: encodings, sheets, header rows.

Every reader ends in the same shape, a DuckDB relation with the file's cells
(text for CSV/Excel, the stored types for Parquet) in positional columns
`c0, c1, …` and the spreadsheet row number in `_row`, so validation is one
code path whatever the format. Nothing here loops over data rows in Python.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import fastexcel
import polars as pl

from ingestion.errors import FileRejected
from ingestion.headers import header_key

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
BIG_CSV_BYTES = 256 * 1024 * 1024  # above this a CSV is streamed through a Parquet spill
HEADER_SEARCH_ROWS = 10


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def discover(root: Path) -> list[Path]:
    """Every file under root, in the order they are applied: their relative path, lexicographically."""
    files = [
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


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

    @property
    def excel(self) -> bool:
        return self.fmt == "xlsx"

    def column(self, pos: int) -> str:
        return f"c{pos}"

    def normalized(self, pos: int) -> str:
        """The cell after Unicode NFKC, computed once per file by polars (or DuckDB for Parquet)."""
        return f"n{pos}"


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
    raise FileRejected("无法识别的文本编码", "unrecognised text encoding (not UTF-8, GBK or GB18030)")


def _decode_prefix(data: bytes, enc: str) -> str:
    # A multi-byte character may be cut at the end of a prefix: let the incremental decoder hold it.
    return codecs.getincrementaldecoder(enc)().decode(data, final=False)


def _frame_from_csv(path: Path) -> tuple[pl.DataFrame, str]:
    data = path.read_bytes()
    enc = detect_encoding(data, path)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        raise FileRejected("文本编码错误", f"text is not valid {enc}: {exc.reason}") from exc
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
    return frame, enc


def _excel_sheet(path: Path, wanted: tuple[str, ...]) -> tuple[pl.DataFrame, str, int]:
    """The sheet named like the dataset, else the first; and the row its first used row has."""
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own error types for non-Excel bytes
        raise FileRejected("不是有效的Excel文件", "not a readable Excel workbook") from exc
    names = reader.sheet_names
    keys = {header_key(w) for w in wanted}
    sheet = next((n for n in names if header_key(n) in keys), names[0] if names else None)
    if sheet is None:
        raise FileRejected("Excel文件没有工作表", "the workbook has no sheet")
    frame = reader.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
    return frame, sheet, _first_used_row(path, sheet)


def _first_used_row(path: Path, sheet: str) -> int:
    """Calamine skips leading empty rows; openpyxl tells which row the data starts on."""
    if path.suffix.lower() == ".xls" or not zipfile.is_zipfile(path):
        return 1
    import openpyxl  # only needed for this offset

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        for idx, row in enumerate(wb[sheet].iter_rows(max_row=200, values_only=True), start=1):
            if any(v is not None and str(v).strip() != "" for v in row):
                return idx
        return 1
    finally:
        wb.close()


def _register_frame(
    con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, header_idx: int, first_row: int, name: str
) -> tuple[list[str], list[str]]:
    """Register the data rows below the header as `name`, with spreadsheet row numbers."""
    headers = [("" if v is None else str(v)) for v in frame.row(header_idx)]
    width = len(headers)
    body = frame.slice(header_idx + 1)
    body = body.select([pl.col(c).alias(f"c{i}") for i, c in enumerate(frame.columns[:width])])
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
) -> Source:
    """Register the file's cells as relation `name`; `scorer(headers) -> int` picks the header row."""
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return _open_parquet(con, path, name)
    if suffix in CSV_SUFFIXES:
        if path.stat().st_size > BIG_CSV_BYTES:
            return _open_big_csv(con, path, name)
        frame, enc = _frame_from_csv(path)
        fmt, sheet, first_row = "csv", None, 1
    elif suffix in EXCEL_SUFFIXES:
        frame, sheet, first_row = _excel_sheet(path, sheet_names)
        enc, fmt = None, "xlsx"
    else:
        raise FileRejected(f"不支持的文件格式 {suffix or '(无扩展名)'}", f"unsupported file format {suffix}")
    if frame.height == 0:
        raise FileRejected("文件为空", "the file is empty")
    header_idx = find_header_row(frame, scorer)
    headers, types = _register_frame(con, frame, header_idx, first_row, name)
    return Source(name, headers, types, fmt, encoding=enc, sheet=sheet)


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
    src = path
    if enc not in ("utf-8", "utf-8-sig"):
        src = tmpdir / "utf8.csv"
        decoder = codecs.getincrementaldecoder(enc)()
        with open(path, "rb") as fin, open(src, "w", encoding="utf-8") as fout:
            for chunk in iter(lambda: fin.read(1 << 24), b""):
                fout.write(decoder.decode(chunk))
            fout.write(decoder.decode(b"", final=True))
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
