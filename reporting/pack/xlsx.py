"""The pack's workbook `KPI月报_YYYY-MM.xlsx`, formatted the way the department sends spreadsheets.

Numbers stay numbers (a rate is 0.952381 shown as 95.24%), so a contractor
can re-add them, and every number carries a format (`number_format`): shares
and rates as percentages, counts and yuan with separators, minutes, hours and
means with one or two decimals, never a bare 1118.745945945946. Missed
targets are red; headers are Chinese (`reporting.support.column_label`);
every sheet has its header frozen and sensible widths; sheet names are
Chinese and at most 31 characters. Every sheet prints the way the department
prints: A4 landscape, one page wide, the header rows on every page, the sheet
name above and "第 n 页 / 共 N 页" below.
Text is inert (edge rule 11): every text cell is a string cell, never a
formula, a link or a number (`core.inert.XLSX_OPTIONS`), and one that a
spreadsheet would take for a formula once edited carries Excel's quote prefix.
The dashboard's Excel downloads are written by the same `Book`.
"""

from __future__ import annotations

import io
import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from core.inert import XLSX_OPTIONS, needs_quote
from reporting.fmt import as_bool, records
from reporting.i18n import reason_name, support_name
from reporting.labels import REASON_NAMES
from reporting.pack.content import EXPORT_COLUMNS, AreaSection, PackContent
from reporting.support import column_label

UNIT_FORMATS = {
    "ratio": "0.00%",
    "hours": "0.00",
    "yuan": "#,##0",
    "points": "0.00",
    "persons per 100 circuits": "0.00",
}
PERCENT, COUNT, DECIMAL, MINUTES, CODE = "0.00%", "#,##0", "#,##0.00", "#,##0.0", "0"
# Print setup (xlsxwriter's header/footer codes: &C centre, &A sheet name, &P page, &N pages)
A4 = 9
PRINT_HEADER = "&C&A"
PRINT_FOOTER = "&C第 &P 页 / 共 &N 页"
PRINT_MARGINS = {"left": 0.4, "right": 0.4, "top": 0.75, "bottom": 0.75}  # inches
SHEET_LONG, SHEET_BREACHES = "KPI长表", "超时清单"
SHEET_TECH, SHEET_CONTRACTOR, SHEET_SOURCES, SHEET_COVER = "扣款-技术员", "扣款-代维公司", "数据来源", "封面"
SHEET_SETTLEMENT = "结算"
NO_BASE_FEE = "未配置基础费"
HEADER: dict[str, Any] = {
    "bold": True,
    "bg_color": "#1F4E78",
    "font_color": "#FFFFFF",
    "border": 1,
    "text_wrap": True,
    "align": "center",
}
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_name(text: str) -> str:
    return text.translate(_BAD_SHEET_CHARS)[:31]


def _missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float | np.floating) and math.isnan(v)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | Decimal | np.integer | np.floating) and not isinstance(v, bool | np.bool_)


def _integral(v: Any) -> bool:
    return float(v).is_integer()


def value_format(v: Any) -> str:
    """A number nobody gave a format: a count with separators, else two decimals."""
    return COUNT if _integral(v) else DECIMAL


def number_format(column: str, values: Any) -> str | None:
    """The format of a column of numbers, from its name (a mart's code or its Chinese label) and values.

    Shares and rates are the columns the dashboard shows as percentages (`*_share`, `*_rate`,
    `share_of_*`; labelled 占比 / 率 / 比), and only while every value is a fraction: a page that
    gives percent points (`unexpected_percent`) keeps them as numbers. Yuan (`*_yuan`, 元) and
    counts have separators; minutes one decimal, hours and means two. None for a column without
    numbers (text, dates).
    """
    nums = [float(v) for v in values if _is_number(v) and not _missing(v)]
    if not nums:
        return None
    name = column.lower()
    share = name.endswith(("_share", "_rate")) or "share_of" in name or name.endswith(("占比", "率", "比"))
    if share and all(-1.0 <= v <= 1.0 for v in nums):
        return PERCENT
    if name.endswith(("_yuan", "元", "元)")) or "(元)" in name:
        return COUNT
    if name in ("rank", "area_no", "bucket_no", "source_row", "排名", "行号"):
        return CODE
    per = "_per_" in name and not name.endswith(("_numerator", "_denominator"))  # staffing_per_100's are counts
    averaged = name.startswith(("mean_", "median_", "avg_", "平均")) or per or "人均" in name
    if all(v.is_integer() for v in nums) and not averaged:
        return COUNT
    if name.endswith("_minutes") or "分钟" in name:
        return MINUTES
    return DECIMAL


def _display_width(v: Any) -> int:
    text = str(v)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


class Book:
    """A thin layer over xlsxwriter: one place for formats, cell typing and column widths."""

    def __init__(self, target: Path | io.BytesIO) -> None:
        in_memory = isinstance(target, io.BytesIO)
        self.wb = xlsxwriter.Workbook(
            target if in_memory else str(target),
            {"nan_inf_to_errors": True, "remove_timezone": True, "in_memory": in_memory, **XLSX_OPTIONS},
        )
        self._formats: dict[tuple, Any] = {}
        self.widths: dict[str, dict[int, int]] = {}
        self.title_rows: dict[str, int] = {}  # rows repeated on every printed page (and frozen)
        self.first_heading: dict[str, int] = {}  # the first table header's row, per sheet

    def fmt(self, num: str | None = None, **props: Any) -> Any:
        key = (num, tuple(sorted(props.items())))
        if key not in self._formats:
            spec = {"font_name": "等线", "font_size": 10, "valign": "vcenter", **props}
            if num:
                spec["num_format"] = num
            self._formats[key] = self.wb.add_format(spec)
        return self._formats[key]

    def heading(self, ws: Worksheet, r: int, c: int, text: str) -> None:
        """A table's header cell."""
        self.text(ws, r, c, text, **HEADER)
        self.first_heading[ws.name] = min(r, self.first_heading.get(ws.name, r))

    def sheet(self, name: str) -> Worksheet:
        """A sheet set up to print: A4 landscape, one page wide (as many pages down as it takes),
        the sheet name above and the page number below."""
        ws = self.wb.add_worksheet(sheet_name(name))
        self.widths[ws.name] = {}
        ws.set_paper(A4)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_margins(**PRINT_MARGINS)
        ws.set_header(PRINT_HEADER)
        ws.set_footer(PRINT_FOOTER)
        ws.center_horizontally()
        return ws

    def freeze(self, ws: Worksheet, rows: int) -> None:
        """The first `rows` rows stay on screen and print on every page."""
        ws.freeze_panes(rows, 0)
        self.title_rows[ws.name] = rows

    def cell(self, ws: Worksheet, r: int, c: int, v: Any, num: str | None = None, **props: Any) -> None:
        widths = self.widths[ws.name]
        if _missing(v):
            ws.write_blank(r, c, None, self.fmt(num, **props))
            return
        if isinstance(v, bool | np.bool_):
            v = "是" if v else "否"
        if isinstance(v, pd.Timestamp | datetime):
            ws.write_datetime(r, c, pd.Timestamp(v).to_pydatetime(), self.fmt(num or "yyyy-mm-dd hh:mm", **props))
            widths[c] = max(widths.get(c, 0), 16)
            return
        if isinstance(v, date):
            ws.write_datetime(r, c, datetime(v.year, v.month, v.day), self.fmt(num or "yyyy-mm-dd", **props))
            widths[c] = max(widths.get(c, 0), 11)
            return
        if _is_number(v):
            if num in (None, "General"):
                num = value_format(v)
            ws.write_number(r, c, float(v), self.fmt(num, **props))
            widths[c] = max(widths.get(c, 0), min(16, len(f"{float(v):,.2f}")))
            return
        self.text(ws, r, c, str(v), num, **props)
        widths[c] = max(widths.get(c, 0), min(60, _display_width(v)))

    def text(self, ws: Worksheet, r: int, c: int, text: str, num: str | None = None, **props: Any) -> None:
        """Every text of the workbook: a string cell. `=1+1` stays the text `=1+1`, and carries Excel's
        quote prefix so it stays text when someone edits the cell."""
        if needs_quote(text):
            props = {**props, "quote_prefix": True}
        ws.write_string(r, c, text, self.fmt(num, **props))

    def table(
        self,
        ws: Worksheet,
        r: int,
        df: pd.DataFrame,
        headers: list[str] | None = None,
        formats: dict[str, str] | None = None,
    ) -> int:
        """Write df with a styled header at row r; returns the row after it.

        A numeric column without a format in `formats` gets `number_format` of its name (or its header).
        """
        headers = headers or [str(c) for c in df.columns]
        formats = dict(formats or {})
        for col, head in zip(df.columns, headers, strict=True):
            if str(col) not in formats:
                found = number_format(str(col), df[col]) or number_format(head, df[col])
                if found:
                    formats[str(col)] = found
        for c, h in enumerate(headers):
            self.heading(ws, r, c, h)
            self.widths[ws.name][c] = max(self.widths[ws.name].get(c, 0), min(30, _display_width(h) + 2))
        for i, row in enumerate(df.itertuples(index=False), start=1):
            for c, (col, v) in enumerate(zip(df.columns, row, strict=True)):
                self.cell(ws, r + i, c, v, formats.get(str(col)), border=1, border_color="#D9D9D9")
        return r + len(df) + 2

    def title(self, ws: Worksheet, r: int, text: str, size: int = 14) -> None:
        self.text(ws, r, 0, text, bold=True, font_size=size, font_color="#1F4E78")

    def close(self) -> None:
        """Column widths, and the print titles: the frozen rows, or (a sheet frozen by hand, as the
        dashboard's downloads are) every row down to the first table header."""
        for ws in self.wb.worksheets():
            for c, w in self.widths.get(ws.name, {}).items():
                ws.set_column(c, c, max(8, w + 2))
            last = self.title_rows.get(ws.name, self.first_heading.get(ws.name, 0) + 1) - 1
            ws.repeat_rows(0, max(0, last))
        self.wb.close()


def _value_fmt(unit: Any) -> str | None:
    return UNIT_FORMATS.get(str(unit)) if not _missing(unit) else None


def _missed_props(met: Any) -> dict[str, Any]:
    b = as_bool(met)
    if b is False:
        return {"font_color": "#C00000", "bg_color": "#FDE9E9", "bold": True}
    if b is True:
        return {"font_color": "#006100"}
    return {}


def _cover(book: Book, c: PackContent) -> None:
    ws = book.sheet(SHEET_COVER)
    book.title(ws, 0, c.title, 18)
    book.text(
        ws,
        1,
        0,
        f"生成时间 {c.generated_at:%Y-%m-%d %H:%M} · 仓库 {c.warehouse} · "
        f"数据文件 {len(c.inputs)} 个（见「{SHEET_SOURCES}」） · 姓名与电话已脱敏"
        + (f" · 含数据月份 {'、'.join(c.months)}（十个不统一按月评分，见各月月报）" if c.kind != "month" else ""),
        font_color="#595959",
    )
    book.freeze(ws, 2)
    book.title(ws, 3, "综合得分与考核扣款", 12)
    missed = c.kpis[(c.kpis["contractor"] != "") & (c.kpis["met"] == False)]  # noqa: E712
    n_missed = missed.groupby("contractor").size()
    r = 4
    for h_i, h in enumerate(
        [
            "排名",
            "代维公司",
            "综合得分",
            "目标",
            "达标",
            f"{c.previous}得分",
            "环比",
            "考核扣款(元)",
            f"{c.previous}扣款(元)",
            "未达标指标数",
        ]
    ):
        book.heading(ws, r, h_i, h)
    for i, s in enumerate(records(c.scores.sort_values("rank")), start=1):
        props = _missed_props(s.composite_met)
        change = (
            None
            if _missing(s.composite) or _missing(s.prev_composite)
            else (float(s.composite) - float(s.prev_composite))
        )
        row = [
            s.rank,
            s.contractor,
            s.composite,
            s.composite_target,
            None,
            s.prev_composite,
            change,
            s.penalty,
            s.prev_penalty,
            int(n_missed.get(s.contractor, 0)),
        ]
        fmts = ["0", None, "0.00", "0", None, "0.00", "+0.00;-0.00;0.00", "#,##0", "#,##0", "0"]
        for col, (v, f) in enumerate(zip(row, fmts, strict=True)):
            book.cell(ws, r + i, col, v, f, border=1, **(props if col == 2 else {}))
        b = as_bool(s.composite_met)
        book.cell(ws, r + i, 4, "—" if b is None else "达标" if b else "未达标", border=1, **props)
    r += len(c.scores) + 2
    book.title(ws, r, "主要指标（全省与各代维公司；红色为未达标）", 12)
    r = _kpi_matrix(book, ws, r + 1, c)
    if c.areas:
        book.title(ws, r, "十个不统一：不统一度（各公司主指标得分的最大值 − 最小值）", 12)
        df = pd.DataFrame(
            [(f"{a.area_no} {a.name_zh}", a.headline_name, a.index, a.best, a.worst) for a in c.areas],
            columns=["领域", "主指标", "不统一度", "最好", "最差"],
        )
        book.table(ws, r + 1, df, formats={"不统一度": "0.00"})


def _kpi_matrix(book: Book, ws: Worksheet, r: int, c: PackContent) -> int:
    cols = ["", *c.contractors]
    for i, head in enumerate(["指标", "目标", "全省", *c.contractors]):
        book.heading(ws, r, i, head)
    kpis = c.kpis.drop_duplicates("kpi_code")
    for i, k in enumerate(records(kpis), start=1):
        book.cell(ws, r + i, 0, k.kpi_name_zh, border=1)
        book.cell(ws, r + i, 1, k.target, _value_fmt(k.unit), border=1)
        for j, contractor in enumerate(cols):
            hit = c.kpis[(c.kpis["kpi_code"] == k.kpi_code) & (c.kpis["contractor"] == contractor)]
            if hit.empty:
                book.cell(ws, r + i, 2 + j, None, border=1)
                continue
            h: Any = hit.iloc[0]
            book.cell(ws, r + i, 2 + j, h["value"], _value_fmt(h["unit"]), border=1, **_missed_props(h["met"]))
    return r + len(kpis) + 2


def _area(book: Book, a: AreaSection, names: dict[str, tuple[str, str]]) -> None:
    ws = book.sheet(f"{a.area_no} {a.name_zh}")
    book.title(ws, 0, f"{a.area_no} {a.name_zh}", 16)
    book.text(ws, 1, 0, a.wording, italic=True, font_color="#595959")
    idx = "—" if a.index is None else f"{a.index:.2f}"
    book.text(
        ws,
        2,
        0,
        f"主指标：{a.headline_name}（{a.headline_kpi}） · 不统一度 {idx} · 最好 {a.best or '—'} · "
        f"最差 {a.worst or '—'}",
        bold=True,
    )
    book.freeze(ws, 3)
    value_fmt = "0.00" if a.headline_kpi == "staffing_per_100" else "0.00%"
    r = book.table(
        ws,
        4,
        a.scores,
        ["代维公司", "分子", "分母", "数值", "得分(0–100)"],
        {"value": value_fmt, "score": "0.00"},
    )
    for mart, df in a.views:
        book.title(ws, r, f"{support_name(mart)}（{mart}）", 12)
        shown = df.drop(columns=[c for c in ("month",) if c in df.columns])
        if "contractor" in shown.columns:
            shown = shown.assign(contractor=shown["contractor"].fillna("").replace("", "全省"))
        r = book.table(ws, r + 1, shown, [column_label(str(col), names) for col in shown.columns])


def _long(book: Book, c: PackContent) -> None:
    """The rows and columns of `daiwei export --month`, under Chinese headers only: a program reads
    the CSV export (same rows, the English codes as its header), a person reads this sheet."""
    ws = book.sheet(SHEET_LONG)
    headers = [*(column_label(col, {}) for col in EXPORT_COLUMNS), "指标名称", "目标", "达标"]
    for i, h in enumerate(headers):
        book.heading(ws, 0, i, h)
        book.widths[ws.name][i] = _display_width(h) + 2
    for i, k in enumerate(records(c.kpi_long), start=1):
        vals = [k.month, k.kpi_code, k.contractor, k.prefecture, k.numerator, k.denominator]
        for col, v in enumerate(vals):
            book.cell(ws, i, col, v)
        book.cell(ws, i, 6, k.value, _value_fmt(k.unit), **_missed_props(k.met))
        book.cell(ws, i, 7, k.kpi_name_zh)
        book.cell(ws, i, 8, k.target, _value_fmt(k.unit))
        b = as_bool(k.met)
        book.cell(ws, i, 9, "" if b is None else "达标" if b else "未达标", **_missed_props(k.met))
    book.freeze(ws, 1)
    ws.autofilter(0, 0, len(c.kpi_long), len(headers) - 1)


def _simple(
    book: Book, name: str, df: pd.DataFrame, names: dict[str, tuple[str, str]], formats: dict[str, str] | None = None
) -> None:
    ws = book.sheet(name)
    book.table(ws, 0, df, [column_label(str(col), names) for col in df.columns], formats)
    book.freeze(ws, 1)
    if len(df.columns):
        ws.autofilter(0, 0, max(len(df), 1), len(df.columns) - 1)


def _per_contractor(c: PackContent) -> pd.DataFrame:
    """Reasons as columns, the net amount beside fct_kpi's penalty_yuan (they agree by construction)."""
    p = c.penalty_reasons.pivot_table(
        index="contractor", columns="reason_code", values="amount_yuan", aggfunc="sum", fill_value=0
    )
    p = p.reindex(columns=[r for r in REASON_NAMES if r in p.columns]).reset_index()
    p.columns = ["代维公司", *[f"{reason_name(str(r))}(元)" for r in p.columns[1:]]]
    totals = c.scores.set_index("contractor")["penalty"]
    p["考核扣款合计(元)"] = p["代维公司"].map(totals)
    return p


def settlement_frame(c: PackContent) -> pd.DataFrame:
    """结算 per contractor: base fee, net penalty, payable (numbers), 未配置基础费 where the seed has none."""
    s = c.settlement
    if s.empty:
        return pd.DataFrame(columns=["代维公司", "结算月数", "基础费(元)", "考核扣款(元)", "应付(元)"])
    return pd.DataFrame(
        {
            "代维公司": s["contractor"],
            "结算月数": s["month_count"],
            "基础费(元)": [NO_BASE_FEE if _missing(v) else v for v in s["base_fee_yuan"]],
            "考核扣款(元)": s["penalty_yuan"],
            "应付(元)": [NO_BASE_FEE if _missing(v) else v for v in s["payable_yuan"]],
        }
    )


def _settlement(book: Book, c: PackContent) -> None:
    """结算: what each contractor is paid for the month, quarter or year."""
    ws = book.sheet(SHEET_SETTLEMENT)
    book.title(ws, 0, f"结算 · {c.period}", 14)
    book.text(
        ws,
        1,
        0,
        "应付 = 基础费 − 考核扣款（考核扣款为负数时是净奖励，增加应付）；季度、年度为各月之和。",
        font_color="#595959",
    )
    df = settlement_frame(c)
    yuan = {col: COUNT for col in ("基础费(元)", "考核扣款(元)", "应付(元)")}
    book.table(ws, 3, df, formats={"结算月数": "0", **yuan})
    book.freeze(ws, 4)


def write(content: PackContent, path: Path) -> Path:
    book = Book(path)
    _cover(book, content)
    for area in content.areas:
        _area(book, area, content.kpi_names)
    _long(book, content)
    _simple(book, SHEET_BREACHES, content.breaches, content.kpi_names)
    _simple(book, SHEET_TECH, content.technicians, content.kpi_names)
    per = _per_contractor(content)
    _simple(book, SHEET_CONTRACTOR, per, {}, {c: "#,##0" for c in per.columns[1:]})
    _settlement(book, content)
    sources = content.inputs.rename(
        columns={
            "file": "文件",
            "dataset": "数据集",
            "rows_loaded": "加载行数",
            "sha256": "SHA-256校验值",
            "run_id": "运行",
            "offered_at": "提交时间",
        }
    )
    _simple(book, SHEET_SOURCES, sources, {}, {"加载行数": "#,##0"})
    book.close()
    return path
