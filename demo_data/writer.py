"""Writing files byte-for-byte reproducibly, and keeping the manifest of what was written.

CSV text is encoded here (UTF-8, UTF-8 with BOM, GBK, GB18030; LF or CRLF);
workbooks are written by xlsxwriter in memory with a fixed creation date so a
re-run gives identical bytes. Every write goes through `Delivery`, which is the
only place the manifest's `files` and `counts` are filled.
"""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
import xlsxwriter

from demo_data.common import excel_serial
from demo_data.messy import SERIAL, Style
from ingestion.model import Dataset, Kind

XLSX_CREATED = datetime(2026, 1, 1, 9, 0, 0)
DATE_FMT = {"datetime": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd"}


@dataclass
class Sheet:
    """One worksheet: a text frame plus how each header's cells are stored."""

    name: str
    frame: pl.DataFrame | None = None
    kinds: dict[str, str] = field(default_factory=dict)  # header -> number | datetime | date | date_bare
    notes: tuple[str, ...] = ()  # a notes sheet: one line per row


def cell_kinds(ds: Dataset, style: Style, headers: list[str]) -> dict[str, str]:
    """How each written header is stored in a workbook (numbers and Excel serials where Excel would)."""
    out = {}
    for col in ds.columns:
        h = style.headers.get(col.name, col.header)
        if h not in headers:
            continue
        if col.kind in (Kind.INT, Kind.DECIMAL):
            out[h] = "number"
        elif col.kind is Kind.TIMESTAMP and style.ts == SERIAL:
            out[h] = "datetime"
        elif col.kind is Kind.DATE and style.date in (SERIAL, "serial_bare"):
            out[h] = "date_bare" if style.date == "serial_bare" or col.name in style.bare else "date"
    return out


def _number(text: str) -> float | int | None:
    try:
        x = float(text)
    except ValueError:
        return None
    return int(x) if x.is_integer() and "." not in text else x


def _serial(text: str) -> float | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return excel_serial(datetime.strptime(text, fmt))
        except ValueError:
            continue
    return None


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"created": XLSX_CREATED, "author": "daiwei-demo"})
    fmts = {k: wb.add_format({"num_format": v}) for k, v in DATE_FMT.items()}
    bold = wb.add_format({"bold": True})
    for sh in sheets:
        ws = wb.add_worksheet(sh.name)
        for r, line in enumerate(sh.notes):
            ws.write_string(r, 0, line)
        if sh.frame is None:
            continue
        for j, h in enumerate(sh.frame.columns):
            ws.write_string(0, j, h, bold)
            kind = sh.kinds.get(h)
            ws.set_column(j, j, 18 if kind in ("datetime", "date") else 12)
            for i, v in enumerate(sh.frame[h].to_list(), start=1):
                if v is None:
                    continue
                if kind == "number" and (x := _number(v)) is not None:
                    ws.write_number(i, j, x)
                elif kind in ("datetime", "date", "date_bare") and (s := _serial(v)) is not None:
                    if kind == "date_bare":
                        ws.write_number(i, j, s)
                    else:
                        ws.write_number(i, j, s, fmts[kind])
                else:
                    ws.write_string(i, j, v)
    wb.close()
    return buf.getvalue()


@dataclass
class Delivery:
    """The output folder and its manifest."""

    root: Path
    files: list[dict] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rejected_files: list[dict] = field(default_factory=list)
    duplicates: list[list[str]] = field(default_factory=list)
    corrections: list[dict] = field(default_factory=list)
    snapshot_replacements: list[dict] = field(default_factory=list)

    def _path(self, rel: str) -> Path:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def record(
        self, rel: str, dataset: str | None, fmt: str, encoding: str | None, features: list[str], rows: int
    ) -> None:
        self.files.append(
            {
                "path": rel,
                "dataset": dataset,
                "format": fmt,
                "encoding": encoding,
                "features": sorted(set(features)),
            }
        )
        self.counts[rel] = rows

    def csv(
        self,
        rel: str,
        frame: pl.DataFrame,
        dataset: str | None,
        encoding: str,
        features: list[str],
        crlf: bool = False,
    ) -> None:
        text = frame.write_csv(line_terminator="\r\n" if crlf else "\n", null_value="")
        data = text.encode(encoding)  # utf-8-sig adds the BOM; GBK/GB18030 fail loudly on an odd character
        self._path(rel).write_bytes(data)
        feats = [*features, "crlf"] if crlf else list(features)
        self.record(rel, dataset, "csv", encoding, feats, frame.height)

    def xlsx(self, rel: str, sheets: list[Sheet], dataset: str | None, features: list[str]) -> None:
        self._path(rel).write_bytes(xlsx_bytes(sheets))
        kinds = {k for sh in sheets for k in sh.kinds.values()}
        feats = list(features)
        if kinds & {"datetime", "date"}:
            feats.append("excel_serial_dates")
        if "date_bare" in kinds:
            feats.append("excel_serial_bare")
        if "number" in kinds:
            feats.append("excel_numbers")
        if len(sheets) > 1:
            feats.append("multiple_sheets")
        rows = sum(sh.frame.height for sh in sheets if sh.frame is not None)
        self.record(rel, dataset, "xlsx", None, feats, rows)

    def raw(self, rel: str, data: bytes, dataset: str | None, fmt: str, features: list[str], rows: int) -> None:
        self._path(rel).write_bytes(data)
        self.record(rel, dataset, fmt, None, features, rows)

    def duplicate(self, original: str, copy: str) -> None:
        shutil.copyfile(self.root / original, self._path(copy))
        src = next(f for f in self.files if f["path"] == original)
        self.record(
            copy,
            src["dataset"],
            src["format"],
            src["encoding"],
            [*src["features"], "duplicate_delivery"],
            self.counts[original],
        )
        self.duplicates.append([original, copy])

    def manifest(self, bad_rows: list[dict], extra: dict) -> dict:
        return {
            **extra,
            "files": sorted(self.files, key=lambda f: f["path"]),
            "bad_rows": sorted(bad_rows, key=lambda b: (b["file"], b["row"])),
            "rejected_files": self.rejected_files,
            "duplicates": self.duplicates,
            "corrections": self.corrections,
            "snapshot_replacements": self.snapshot_replacements,
            "counts": dict(sorted(self.counts.items())),
        }

    def write_manifest(self, manifest: dict) -> Path:
        path = self.root.parent / f"{self.root.name}.manifest.json"
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return path
