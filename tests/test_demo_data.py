"""The demo delivery is what the manifest says it is, read back from the files themselves.

Every check opens the written bytes (CSV decoded with its declared encoding,
workbooks with openpyxl, Parquet with pyarrow) rather than trusting the
generator's in-memory frames, because the loader will only ever see the bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

from demo_data import generate, write_device_metrics
from demo_data.common import load_reference
from ingestion.datasets import BY_NAME, DATASETS
from ingestion.model import Kind

REQUIRED_KINDS = {
    "unparseable_timestamp",
    "unparseable_date",
    "unparseable_month",
    "county_not_in_prefecture",
    "unknown_prefecture",
    "negative_integer",
    "pct_over_100",
    "lost_gt_sent",
    "fixed_gt_found",
    "bad_enum",
    "bad_yesno",
    "not_an_integer",
    "not_a_number",
    "required_blank",
    "bandwidth_zero",
}
REQUIRED_FEATURES = {
    "header_spaces",
    "fullwidth_brackets",
    "unit_suffix_missing",
    "alias_header",
    "extra_column",
    "excel_serial_dates",
    "excel_serial_bare",
    "fullwidth_ids",
    "lowercase_ids",
    "id_spaces",
    "ts_formats_mixed",
    "yesno_是/否",
    "yesno_Y/N",
    "yesno_1/0",
    "yesno_blank",
    "month_compact",
    "month_iso",
    "date_compact",
    "date_slash",
    "date_iso",
    "crlf",
    "no_name_prefix",
    "multiple_sheets",
}
TS_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
YESNO = {"是", "否", "Y", "N", "1", "0", "YES", "NO", "TRUE", "FALSE"}


@pytest.fixture(scope="module")
def delivery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo") / "delivery"
    return out, generate(out, seed=7)


@pytest.fixture(scope="module")
def rerun(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo2") / "delivery"
    return out, generate(out, seed=7)


def _key(h: str) -> str:
    h = re.sub(r"\s+", "", unicodedata.normalize("NFKC", h))
    return re.sub(r"\([^()]*\)$", "", h).lower()


def _entry(manifest: dict, path: str) -> dict:
    return next(f for f in manifest["files"] if f["path"] == path)


def _csv_rows(root: Path, entry: dict) -> list[list[str]]:
    text = (root / entry["path"]).read_bytes().decode(entry["encoding"])
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def _xlsx_rows(root: Path, path: str) -> list[list[object]]:
    """The data sheet (the one whose first row is a header, not a notes sheet)."""
    wb = openpyxl.load_workbook(root / path)
    for ws in wb.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        if rows and sum(v is not None for v in rows[0]) > 1:
            return rows
    raise AssertionError(f"no data sheet in {path}")


def _table(root: Path, manifest: dict, path: str) -> tuple[list[str], list[list[object]]]:
    entry = _entry(manifest, path)
    if entry["format"] == "csv":
        rows: list[list[object]] = [list(r) for r in _csv_rows(root, entry)]
    elif entry["format"] == "xlsx":
        rows = _xlsx_rows(root, path)
    else:
        tab = pq.read_table(root / path)
        return tab.column_names, [list(r.values()) for r in tab.to_pylist()]
    return [str(h) for h in rows[0]], rows[1:]


def _cell(headers: list[str], row: list[object], column: str, dataset: str) -> object:
    col = BY_NAME[dataset].column(column)
    keys = {_key(h) for h in (col.header, *col.aliases)}
    for h, v in zip(headers, row, strict=False):
        if _key(h) in keys:
            return v
    raise KeyError(column)


def _parses(text: str, formats: tuple[str, ...]) -> bool:
    for fmt in formats:
        try:
            datetime.strptime(text, fmt)
            return True
        except ValueError:
            continue
    return False


def _is_int(v: object) -> bool:
    return isinstance(v, int) or bool(re.fullmatch(r"[+-]?\d+(\.0*)?", str(v).strip()))


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) or bool(re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", str(v).strip()))


def _bad_as_stated(kind: str, value: object, dataset: str, column_name: str, get) -> bool:
    text = "" if value is None else str(value).strip()
    ref = load_reference()
    col = BY_NAME[dataset].column(column_name)
    if kind == "required_blank":
        return text == "" and col.required
    if kind == "unparseable_timestamp":
        return text != "" and not isinstance(value, int | float | datetime) and not _parses(text, TS_FORMATS)
    if kind == "unparseable_date":
        return text != "" and not isinstance(value, int | float | datetime) and not _parses(text, DATE_FORMATS)
    if kind == "unparseable_month":
        m = re.fullmatch(r"(\d{4})-?(\d{2})", text)
        return not (m and 1 <= int(m.group(2)) <= 12)
    if kind == "county_not_in_prefecture":
        pref = str(get("prefecture")).strip()
        return (
            pref in ref.counties and text not in ref.counties[pref] and any(text in cs for cs in ref.counties.values())
        )
    if kind == "unknown_prefecture":
        return text != "" and text not in ref.prefectures
    if kind == "negative_integer":
        return _is_int(text) and int(float(text)) < 0
    if kind == "pct_over_100":
        return _is_number(text) and float(text) > 100 and col.maximum == 100
    if kind == "lost_gt_sent":
        return float(text) > float(get("ping_sent"))
    if kind == "fixed_gt_found":
        return int(text) > int(get("issues_found"))
    if kind == "bad_enum":
        return col.kind is Kind.ENUM and text.upper() not in {a.upper() for a in col.allowed}
    if kind == "bad_yesno":
        return col.kind is Kind.YESNO and text != "" and text.upper() not in YESNO
    if kind == "not_an_integer":
        return col.kind is Kind.INT and text != "" and not _is_int(text)
    if kind == "not_a_number":
        return col.kind is Kind.DECIMAL and text != "" and not _is_number(text)
    if kind == "bandwidth_zero":
        return column_name == "bandwidth_mbps" and _is_number(text) and float(text) == 0
    raise AssertionError(f"unknown kind {kind}")


def test_every_dataset_present(delivery: tuple[Path, dict]) -> None:
    root, manifest = delivery
    rejected = {r["path"] for r in manifest["rejected_files"]}
    present = {f["dataset"] for f in manifest["files"] if f["path"] not in rejected}
    assert {d.name for d in DATASETS} <= present
    for f in manifest["files"]:
        assert (root / f["path"]).is_file(), f["path"]
    assert (root.parent / "delivery.manifest.json").is_file()
    assert json.loads((root.parent / "delivery.manifest.json").read_text(encoding="utf-8")) == manifest


def test_all_encodings_present_and_declared(delivery: tuple[Path, dict]) -> None:
    root, manifest = delivery
    csvs = [f for f in manifest["files"] if f["format"] == "csv"]
    assert {"utf-8", "utf-8-sig", "gbk", "gb18030"} <= {f["encoding"] for f in csvs}
    for f in csvs:
        data = (root / f["path"]).read_bytes()
        data.decode(f["encoding"])  # decodes with what it declares
        assert data.startswith(b"\xef\xbb\xbf") == (f["encoding"] == "utf-8-sig"), f["path"]
        if f["encoding"] in ("gbk", "gb18030"):
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            assert b"\r\n" in data


def test_features_cover_the_general_rules(delivery: tuple[Path, dict]) -> None:
    _, manifest = delivery
    feats = {x for f in manifest["files"] for x in f["features"]}
    assert feats >= REQUIRED_FEATURES, REQUIRED_FEATURES - feats
    ts_feats = {x for x in feats if x.startswith("ts_")}
    assert {"ts_iso_s", "ts_iso_m", "ts_slash", "ts_formats_mixed"} <= ts_feats


def test_xlsx_holds_excel_serial_dates(delivery: tuple[Path, dict]) -> None:
    root, manifest = delivery
    formatted = bare = 0
    for f in manifest["files"]:
        if f["format"] != "xlsx" or (
            "excel_serial_dates" not in f["features"] and "excel_serial_bare" not in f["features"]
        ):
            continue
        wb = openpyxl.load_workbook(root / f["path"])
        for ws in wb.worksheets:
            headers = [c.value for c in ws[1]]
            for j, h in enumerate(headers):
                if not h or not any(k in str(h) for k in ("日期", "时间", "有效期")):
                    continue
                for cell in next(ws.iter_cols(min_col=j + 1, max_col=j + 1, min_row=2, max_row=30)):
                    if cell.is_date:
                        formatted += 1
                    elif isinstance(cell.value, int | float) and 30000 < cell.value < 60000:
                        bare += 1
    assert formatted > 0 and bare > 0


def test_bad_rows_are_really_bad(delivery: tuple[Path, dict]) -> None:
    root, manifest = delivery
    seen = set()
    for b in manifest["bad_rows"]:
        assert (b["file"], b["row"]) not in seen, "one bad cell per planted row"
        seen.add((b["file"], b["row"]))
        entry = _entry(manifest, b["file"])
        headers, rows = _table(root, manifest, b["file"])
        assert b["column"] in headers, (b, headers)
        row = rows[b["row"] - 2]
        value = row[headers.index(b["column"])]
        ds = entry["dataset"]
        col = next(c for c in BY_NAME[ds].columns if _key(b["column"]) in {_key(h) for h in (c.header, *c.aliases)})
        get = lambda name: _cell(headers, row, name, ds)  # noqa: B023, E731
        assert _bad_as_stated(b["kind"], value, ds, col.name, get), (b, value)
    kinds = {b["kind"] for b in manifest["bad_rows"]}
    assert kinds >= REQUIRED_KINDS, REQUIRED_KINDS - kinds
    where = {
        (_entry(manifest, b["file"])["format"], _entry(manifest, b["file"])["encoding"]) for b in manifest["bad_rows"]
    }
    for enc in ("utf-8", "utf-8-sig", "gbk", "gb18030"):
        assert ("csv", enc) in where
    assert ("xlsx", None) in where
    assert any(_entry(manifest, b["file"])["dataset"] == "device_metrics" for b in manifest["bad_rows"])
    assert len({_entry(manifest, b["file"])["dataset"] for b in manifest["bad_rows"]}) >= 8


def test_good_cells_near_bad_rows_stay_good(delivery: tuple[Path, dict]) -> None:
    """Rows next to a planted one are clean: required columns filled, counties inside their prefecture."""
    root, manifest = delivery
    ref = load_reference()
    for b in manifest["bad_rows"][:20]:
        entry = _entry(manifest, b["file"])
        if entry["format"] == "parquet":
            continue
        headers, rows = _table(root, manifest, b["file"])
        planted = {x["row"] for x in manifest["bad_rows"] if x["file"] == b["file"]}
        i = next(r for r in range(2, len(rows) + 2) if r not in planted)
        row = rows[i - 2]
        ds = BY_NAME[entry["dataset"]]
        for col in ds.required:
            assert str(_cell(headers, row, col.name, ds.name) or "").strip(), (b["file"], i, col.header)
        if any(c.name == "county" for c in ds.columns) and any(_key(h) in ("区县", "所属区县") for h in headers):
            pref = str(_cell(headers, row, "prefecture", ds.name)).strip()
            assert str(_cell(headers, row, "county", ds.name)).strip() in ref.counties[pref]


def test_rejected_files(delivery: tuple[Path, dict]) -> None:
    root, manifest = delivery
    paths = {r["path"] for r in manifest["rejected_files"]}
    assert len(paths) >= 3
    garbled = [p for p in paths if p.endswith(".xlsx")]
    assert garbled and all(not zipfile.is_zipfile(root / p) for p in garbled)
    no_header = [p for p in paths if _entry(manifest, p)["dataset"] is None]
    assert no_header
    known = {_key(h) for d in DATASETS for c in d.columns for h in (c.header, *c.aliases)}
    for p in no_header:
        headers, _ = _table(root, manifest, p)
        assert not {_key(h) for h in headers} & known
    missing = [p for p in paths if _entry(manifest, p)["dataset"] == "inspections"]
    assert missing
    headers, rows = _table(root, manifest, missing[0])
    assert "巡检时间" not in headers and rows


def test_duplicates_are_byte_identical(delivery: tuple[Path, dict]) -> None:
    root, manifest = delivery
    assert manifest["duplicates"]
    for original, copy in manifest["duplicates"]:
        assert copy > original
        assert (root / original).read_bytes() == (root / copy).read_bytes()


def test_corrections_and_replacements(delivery: tuple[Path, dict]) -> None:
    root, manifest = delivery
    assert manifest["corrections"]
    for c in manifest["corrections"]:
        assert c["correction"] > c["original"] and c["keys"]
        ids = {}
        for path in (c["original"], c["correction"]):
            headers, rows = _table(root, manifest, path)
            j = headers.index("工单编号")
            ids[path] = {unicodedata.normalize("NFKC", str(r[j])).strip().upper(): r for r in rows}
        for key in c["keys"]:
            assert key in ids[c["original"]] and key in ids[c["correction"]]
        assert any(ids[c["original"]][k] != ids[c["correction"]][k] for k in c["keys"])
    assert manifest["snapshot_replacements"]
    for s in manifest["snapshot_replacements"]:
        assert s["replacement"] > s["original"]
        a = {tuple(map(str, r)) for r in _table(root, manifest, s["original"])[1]}
        b = {tuple(map(str, r)) for r in _table(root, manifest, s["replacement"])[1]}
        assert a != b and a & b


def test_counts_match(delivery: tuple[Path, dict]) -> None:
    root, manifest = delivery
    assert set(manifest["counts"]) == {f["path"] for f in manifest["files"]}
    for f in manifest["files"]:
        if not (f["format"] == "xlsx" and not zipfile.is_zipfile(root / f["path"])):
            if f["format"] == "parquet":
                n = pq.ParquetFile(root / f["path"]).metadata.num_rows
            else:
                n = len(_table(root, manifest, f["path"])[1])
            assert n == manifest["counts"][f["path"]], f["path"]


def test_ids_normalise_to_eoms(delivery: tuple[Path, dict]) -> None:
    """Mangled IDs (spaces, full width, lower case) still match EOMS after NFKC + trim + upper."""
    root, manifest = delivery
    last_eoms = max(f["path"] for f in manifest["files"] if f["dataset"] == "eoms_circuits")
    headers, rows = _table(root, manifest, last_eoms)
    eoms = {str(r[headers.index("专线编号")]) for r in rows}
    for f in manifest["files"]:
        if f["dataset"] != "tickets" or "lowercase_ids" not in f["features"]:
            continue
        headers, rows = _table(root, manifest, f["path"])
        raw = [str(r[headers.index("专线编号")]) for r in rows if r[headers.index("专线编号")]]
        assert any(x != x.strip() or x != x.upper() or not x.isascii() for x in raw)
        norm = [unicodedata.normalize("NFKC", x).strip().upper() for x in raw]
        assert sum(x in eoms for x in norm) / len(norm) > 0.97


def test_deterministic(delivery: tuple[Path, dict], rerun: tuple[Path, dict]) -> None:
    (a, ma), (b, mb) = delivery, rerun
    assert ma == mb
    for f in ma["files"]:
        assert (a / f["path"]).read_bytes() == (b / f["path"]).read_bytes(), f["path"]
    # Again into the same folder: the earlier run's files are replaced, a user's own file is left alone.
    (b / "notes.txt").write_text("mine", encoding="utf-8")
    assert generate(b, seed=7) == ma
    on_disk = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    assert on_disk == {f["path"] for f in ma["files"]} | {"notes.txt"}
    for f in ma["files"]:
        assert (a / f["path"]).read_bytes() == (b / f["path"]).read_bytes(), f["path"]


def test_write_device_metrics(tmp_path: Path) -> None:
    path = tmp_path / "bench.parquet"
    rows = write_device_metrics(path, n_devices=7, start=datetime(2026, 10, 1), hours=48, seed=3)
    tab = pq.read_table(path)
    assert rows == tab.num_rows == 7 * 48
    assert tab.column_names[:4] == ["设备编号", "专线编号", "设备类型", "采集时间"]
    assert str(tab.schema.field("采集时间").type).startswith("timestamp")
    assert str(tab.schema.field("Ping丢包数").type) == "int64"
