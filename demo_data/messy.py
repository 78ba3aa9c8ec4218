"""Turning a typed frame into what one exporter writes, and planting bad cells.

A `Style` says how a given exporter writes timestamps, dates, months, yes/no,
IDs and headers; `render` applies it column by column using the column kinds of
datasets.py (so a new column needs no change here) and reports the features it
produced for the manifest. `Planter` puts exactly one bad cell in a chosen row
and records file, spreadsheet row, header as written and kind.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from demo_data.common import Reference
from ingestion.model import Dataset, Kind

TS_FORMATS = {
    "iso_s": "%Y-%m-%d %H:%M:%S",
    "iso_m": "%Y-%m-%d %H:%M",
    "slash": "%Y/%-m/%-d %-H:%M",  # 2026/10/3 9:05 and 2026/10/3 14:05
    "slash_s": "%Y/%m/%d %H:%M:%S",
}
DATE_FORMATS = {"iso": "%Y-%m-%d", "slash": "%Y/%-m/%-d", "compact": "%Y%m%d"}
YESNO = {"cn": ("是", "否"), "yn": ("Y", "N"), "10": ("1", "0")}
FW = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-"}
SERIAL = "serial"  # kept ISO in the text frame; the xlsx writer stores the Excel serial


@dataclass(frozen=True)
class Style:
    """How one exporter writes a file."""

    ts: str = "iso_s"  # a TS_FORMATS key, "mixed" (per row) or SERIAL
    date: str = "iso"  # a DATE_FORMATS key, "mixed", SERIAL or "serial_bare"
    month: str = "iso"  # iso (2026-10) | compact (202610)
    yesno: str = "cn"  # a YESNO key or "mixed"
    ids: float = 0.0  # share of ID cells written with spaces / full-width / lower case
    headers: dict[str, str] = field(default_factory=dict)  # column name -> header as written
    extra: dict[str, str] = field(default_factory=dict)  # unknown extra header -> constant cell text
    blank_zero: tuple[str, ...] = ()  # integer columns left blank when 0
    bare: tuple[str, ...] = ()  # date columns stored as bare Excel serials (no date format)
    decimals: int = 2


def header_features(ds: Dataset, written: dict[str, str]) -> list[str]:
    """Which header variants a file carries, judged against the schema."""
    out = set()
    for col in ds.columns:
        h = written.get(col.name)
        if h is None or h == col.header:
            continue
        if h != h.strip():
            out.add("header_spaces")
        if "（" in h or "）" in h:
            out.add("fullwidth_brackets")
        if "(" in col.header and "(" not in h and "（" not in h and h.strip() != col.header:
            out.add("unit_suffix_missing")
        if h.strip() in col.aliases:
            out.add("alias_header")
    return sorted(out)


def _ts(expr: pl.Expr, style: str, pick: pl.Series | None) -> pl.Expr:
    if style == SERIAL:
        return expr.dt.strftime(TS_FORMATS["iso_s"])
    if style != "mixed":
        return expr.dt.strftime(TS_FORMATS[style])
    assert pick is not None
    out = expr.dt.strftime(TS_FORMATS["iso_s"])
    for k, fmt in enumerate(list(TS_FORMATS.values())[1:], start=1):
        out = pl.when(pick == k).then(expr.dt.strftime(fmt)).otherwise(out)
    return out


def _date(expr: pl.Expr, style: str, pick: pl.Series | None) -> pl.Expr:
    if style in (SERIAL, "serial_bare"):
        return expr.dt.strftime("%Y-%m-%d")
    if style != "mixed":
        return expr.dt.strftime(DATE_FORMATS[style])
    assert pick is not None
    fmts = list(DATE_FORMATS.values())
    out = expr.dt.strftime(fmts[0])
    for k, fmt in enumerate(fmts[1:], start=1):
        out = pl.when(pick % 3 == k).then(expr.dt.strftime(fmt)).otherwise(out)
    return out


def _ids(expr: pl.Expr, share: float, u: pl.Series, v: pl.Series) -> pl.Expr:
    if share <= 0:
        return expr
    fw = expr.str.replace_many(list(FW), list(FW.values()))
    return (
        pl.when(u >= share)
        .then(expr)
        .when(v == 0)
        .then(expr.str.to_lowercase())
        .when(v == 1)
        .then(fw)
        .otherwise(pl.lit(" ") + expr + pl.lit("  "))
    )


def render(df: pl.DataFrame, ds: Dataset, style: Style, rng: np.random.Generator) -> tuple[pl.DataFrame, list[str]]:
    """The text frame of a file (headers as written, every cell a string or null) and its features."""
    n = df.height
    pick = pl.Series(rng.integers(0, 4, n)) if "mixed" in (style.ts, style.date, style.yesno) else None
    u, v = pl.Series(rng.random(n)), pl.Series(rng.integers(0, 3, n))
    yes_pick = pl.Series(rng.integers(0, 3, n))
    feats: set[str] = set()
    exprs = []
    for col in ds.columns:
        if col.name not in df.columns:
            continue
        e = pl.col(col.name)
        kind = col.kind
        if kind is Kind.TIMESTAMP:
            e = _ts(e, style.ts, pick)
        elif kind is Kind.DATE:
            e = _date(e, style.date, pick)
        elif kind is Kind.MONTH:
            e = e.dt.strftime("%Y%m" if style.month == "compact" else "%Y-%m")
        elif kind is Kind.YESNO:
            if style.yesno == "mixed":
                y = (
                    pl.when(yes_pick == 0)
                    .then(pl.lit("是"))
                    .when(yes_pick == 1)
                    .then(pl.lit("Y"))
                    .otherwise(pl.lit("1"))
                )
                nn = (
                    pl.when(yes_pick == 0)
                    .then(pl.lit("否"))
                    .when(yes_pick == 1)
                    .then(pl.lit("N"))
                    .otherwise(pl.lit("0"))
                )
                feats.update(("yesno_是/否", "yesno_Y/N", "yesno_1/0"))
            else:
                y, nn = (pl.lit(x) for x in YESNO[style.yesno])
                feats.add("yesno_" + "/".join(YESNO[style.yesno]))
            e = pl.when(e).then(y).when(~e).then(nn)
            if df[col.name].null_count():
                feats.add("yesno_blank")
        elif kind is Kind.INT:
            e = e.cast(pl.Int64)
            if col.name in style.blank_zero:
                e = pl.when(e == 0).then(None).otherwise(e)
            e = e.cast(pl.String)
        elif kind is Kind.DECIMAL:
            e = e.cast(pl.Float64).round(style.decimals).cast(pl.String)
        elif kind is Kind.ID:
            e = _ids(e.cast(pl.String), style.ids, u, v)
        else:
            e = e.cast(pl.String)
        exprs.append(e.alias(style.headers.get(col.name, col.header)))
    out = df.select(exprs)
    out = out.with_columns(pl.when(pl.col(c).str.len_chars() > 0).then(pl.col(c)).alias(c) for c in out.columns)
    for h, text in style.extra.items():
        out = out.with_columns(pl.lit(text, dtype=pl.String).alias(h))
        feats.add("extra_column")
    if style.ids > 0:
        feats.update(("lowercase_ids", "fullwidth_ids", "id_spaces"))
    if style.ts == "mixed" and any(c.kind is Kind.TIMESTAMP for c in ds.columns):
        feats.add("ts_formats_mixed")
    elif style.ts != SERIAL and any(c.kind is Kind.TIMESTAMP and c.name in df.columns for c in ds.columns):
        feats.add(f"ts_{style.ts}")
    if any(c.kind is Kind.DATE and c.name in df.columns for c in ds.columns) and style.date not in (
        SERIAL,
        "serial_bare",
    ):
        feats.add("date_formats_mixed" if style.date == "mixed" else f"date_{style.date}")
    if any(c.kind is Kind.MONTH and c.name in df.columns for c in ds.columns):
        feats.add(f"month_{style.month}")
    feats.update(header_features(ds, style.headers))
    return out, sorted(feats)


BAD_ENUM = {
    "tickets.ticket_type": "咨询",
    "tickets.status": "已完成",
    "tickets.channel": "短信",
    "tickets.area_type": "农村",
    "hr_roster.role": "实习生",
    "hr_roster.education": "研究生",
    "acceptance.result": "通过",
    "instruments.status": "报废",
    "instruments.instrument_type": "示波器",
    "eoms_circuits.access_type": "光纤",
    "eoms_circuits.site_type": "家客",
    "inspections.result": "异常",
    "spare_parts.part_type": "光猫",
}


def _key(header: str) -> str:
    """Header comparison key: NFKC, no whitespace, no trailing unit in brackets, lower case."""
    h = re.sub(r"\s+", "", unicodedata.normalize("NFKC", header))
    return re.sub(r"\([^()]*\)$", "", h).lower()


@dataclass
class Planter:
    """Plants one bad cell per chosen row and remembers where (for the manifest and the tests)."""

    ref: Reference
    rng: np.random.Generator
    bad_rows: list[dict] = field(default_factory=list)

    def plant(
        self,
        frame: pl.DataFrame,
        path: str,
        ds: Dataset,
        column: str,
        kind: str,
        value: str | None = None,
        avoid: set[int] | None = None,
        where: pl.Expr | None = None,
    ) -> pl.DataFrame:
        """Set one cell of `column` (a schema column name) in a row not planted yet; returns the new frame."""
        header = self._header(frame, ds, column)
        used = {b["row"] - 2 for b in self.bad_rows if b["file"] == path} | (avoid or set())
        idx = frame.with_row_index("_i")
        cand = idx.filter(where) if where is not None else idx
        cand = cand.filter(pl.col(header).is_not_null() | (kind == "required_blank"))
        rows = cand.filter(~pl.col("_i").is_in(sorted(used)))["_i"]
        if rows.is_empty():
            raise ValueError(f"no row to plant {kind} in {path}")
        i = int(rows[int(self.rng.integers(0, rows.len()))])
        cell = self._bad_value(frame, ds, i, header, kind) if value is None else value
        frame = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == i)
            .then(pl.lit(cell or None, dtype=pl.String))
            .otherwise(pl.col(header))
            .alias(header)
        )
        self.bad_rows.append({"file": path, "row": i + 2, "column": header, "kind": kind})
        return frame

    @staticmethod
    def _header(frame: pl.DataFrame, ds: Dataset, column: str) -> str:
        col = ds.column(column)
        keys = {_key(h) for h in (col.header, *col.aliases)}
        for h in frame.columns:
            if _key(h) in keys:
                return h
        raise KeyError(f"{column} not in {frame.columns}")

    @staticmethod
    def _is(header: str, aliases: tuple[str, ...], written: str) -> bool:
        return _key(written) in {_key(h) for h in (header, *aliases)}

    def _cell(self, frame: pl.DataFrame, ds: Dataset, i: int, column: str) -> str | None:
        return frame[self._header(frame, ds, column)][i]

    def _bad_value(self, frame: pl.DataFrame, ds: Dataset, i: int, header: str, kind: str) -> str:
        choose = lambda xs: xs[int(self.rng.integers(0, len(xs)))]  # noqa: E731
        if kind == "county_not_in_prefecture":
            pref = (self._cell(frame, ds, i, "prefecture") or "").strip()
            others = [c for p, cs in self.ref.counties.items() if p != pref for c in cs]
            return choose(others)
        if kind == "lost_gt_sent":
            return str(int(float(self._cell(frame, ds, i, "ping_sent") or 0)) + int(self.rng.integers(1, 30)))
        if kind == "fixed_gt_found":
            return str(int(self._cell(frame, ds, i, "issues_found") or 0) + int(self.rng.integers(1, 3)))
        if kind == "bad_enum":
            return BAD_ENUM[ds.name + "." + next(c.name for c in ds.columns if self._is(c.header, c.aliases, header))]
        table = {
            "unparseable_timestamp": ["下午3点", "2026-10-03 25:61", "10月3日14时"],
            "unparseable_date": ["9月31日", "待补", "2026-02-30"],
            "unparseable_month": ["2026-13", "十月"],
            "unknown_prefecture": ["贵州省", "黔中市"],
            "negative_integer": ["-30", "-5", "-120"],
            "pct_over_100": ["130", "117.5"],
            "bad_yesno": ["已签", "有", "不详"],
            "not_an_integer": ["十二", "约30", "若干"],
            "not_a_number": ["约3欧", "超时", "8小时"],
            "required_blank": [""],
            "bandwidth_zero": ["0"],
        }
        return choose(table[kind])
