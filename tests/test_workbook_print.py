"""The workbook as people print it: the monthly pack and a dashboard download, opened back with openpyxl.

Every sheet: A4 landscape, one page wide (fitToPage, fitToWidth 1, fitToHeight 0),
the frozen header rows repeated on every page, the sheet name above and the page
number below; every table header Chinese; every number with a number format (no
General, so no 1118.745945945946), shares as percentages, yuan and counts with
separators, at most two decimals anywhere.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HEADER_FILL = "FF1F4E78"  # reporting.pack.xlsx.HEADER
KPI_LONG_HEADERS = ["月份", "指标代码", "代维公司", "地市", "分子", "分母", "数值", "指标名称", "目标", "达标"]


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _decimals(number_format: str) -> int:
    """Digits after the point of a format such as #,##0.00 or 0.0% (the first section)."""
    m = re.search(r"\.(0+)", number_format.split(";")[0])
    return len(m.group(1)) if m else 0


def print_problems(ws: Worksheet) -> list[str]:
    """What keeps the sheet from printing as the department prints (empty when it prints right)."""
    bad = []
    ps = ws.page_setup
    if ps.orientation != "landscape":
        bad.append(f"orientation {ps.orientation}")
    if str(ps.paperSize) != "9":
        bad.append(f"paper {ps.paperSize} (A4 is 9)")
    fit = ws.sheet_properties.pageSetUpPr
    if fit is None or not fit.fitToPage:
        bad.append("fitToPage not set")
    if (1 if ps.fitToWidth is None else ps.fitToWidth) != 1:  # OOXML's default is 1; xlsxwriter omits it
        bad.append(f"fitToWidth {ps.fitToWidth}")
    if ps.fitToHeight != 0:
        bad.append(f"fitToHeight {ps.fitToHeight}")
    titles = ws.print_title_rows
    if not titles:
        bad.append("no print title rows")
    elif ws.freeze_panes:  # the rows that stay on screen are the rows on every page
        frozen = int(re.sub(r"[A-Z]+", "", ws.freeze_panes)) - 1
        if titles != f"$1:${frozen}":
            bad.append(f"print titles {titles}, frozen rows 1-{frozen}")
    if not ws.freeze_panes:
        bad.append("no frozen header")
    if "&A" not in (ws.oddHeader.center.text or ""):
        bad.append(f"header {ws.oddHeader.center.text!r} lacks the sheet name")
    footer = ws.oddFooter.center.text or ""
    if not ("&P" in footer and "&N" in footer and CJK.search(footer)):
        bad.append(f"footer {footer!r}")
    m = ws.page_margins
    if not (0.25 <= m.left <= 1 and 0.25 <= m.right <= 1 and 0.5 <= m.top <= 1.2 and 0.5 <= m.bottom <= 1.2):
        bad.append(f"margins {m.left} {m.right} {m.top} {m.bottom}")
    return [f"{ws.title}: {b}" for b in bad]


def header_cells(ws: Worksheet) -> list[Any]:
    return [c for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb == HEADER_FILL]


def header_problems(ws: Worksheet) -> list[str]:
    heads = header_cells(ws)
    if not heads:
        return [f"{ws.title}: no table header"]
    return [f"{ws.title}!{c.coordinate}: {c.value!r}" for c in heads if not CJK.search(str(c.value or ""))]


def numbers_under_headers(ws: Worksheet) -> list[tuple[str, Any]]:
    """Every numeric cell with the header of the table it sits in (a sheet may hold several tables)."""
    out: list[tuple[str, Any]] = []
    heads: dict[int, str] = {}
    for row in ws.iter_rows():
        if any(c.fill.fgColor.rgb == HEADER_FILL for c in row):
            heads = {c.column: str(c.value) for c in row if c.fill.fgColor.rgb == HEADER_FILL}
            continue
        out.extend((heads.get(c.column, ""), c) for c in row if _is_number(c.value))
    return out


def number_problems(ws: Worksheet) -> list[str]:
    bad = []
    for head, c in numbers_under_headers(ws):
        f, where = c.number_format, f"{ws.title}!{c.coordinate} {head} {c.value!r}"
        if f == "General":
            bad.append(f"{where}: General")
        elif _decimals(f) > 2:
            bad.append(f"{where}: {f}")
        elif (head.endswith(("占比", "率")) and abs(c.value) <= 1) and not f.endswith("%"):
            bad.append(f"{where}: a share as {f}")
        elif "(元)" in head and f != "#,##0":
            bad.append(f"{where}: yuan as {f}")
        elif not float(c.value).is_integer() and _decimals(f) == 0 and not f.endswith("%") and "(元)" not in head:
            bad.append(f"{where}: a fraction as {f}")
    return bad


# --------------------------------------------------------------------------- the monthly pack


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory, demo_run: dict) -> Any:
    """The pack's workbook of the demo's last month, written by `reporting.pack.xlsx` as `daiwei pack` does."""
    from core.warehouse import open_published
    from reporting.exports import months_in
    from reporting.pack import xlsx
    from reporting.pack.content import collect_from

    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr[-2000:]
    wh: Path = demo_run["wh"]
    con = open_published(wh)
    try:
        month = max(months_in(con))
    finally:
        con.close()
    path = xlsx.write(collect_from(wh, month), tmp_path_factory.mktemp("print") / f"KPI月报_{month}.xlsx")
    return openpyxl.load_workbook(path)


@pytest.mark.slow
def test_every_pack_sheet_prints_landscape_one_page_wide_with_titles(pack: Any) -> None:
    assert len(pack.worksheets) >= 16
    problems = [p for ws in pack.worksheets for p in print_problems(ws)]
    assert not problems, problems[:20]


@pytest.mark.slow
def test_every_pack_header_is_chinese(pack: Any) -> None:
    problems = [p for ws in pack.worksheets for p in header_problems(ws)]
    assert not problems, problems[:20]
    assert [c.value for c in pack["KPI长表"][1]] == KPI_LONG_HEADERS  # one header row, the data from row 2
    assert pack["KPI长表"].print_title_rows == "$1:$1"
    assert pack["数据来源"]["D1"].value == "SHA-256校验值"


@pytest.mark.slow
def test_every_pack_number_has_a_format(pack: Any) -> None:
    problems = [p for ws in pack.worksheets for p in number_problems(ws)]
    assert not problems, problems[:20]
    # the kinds of columns the areas carry, formatted as their kind
    seen: dict[str, set[str]] = {}
    for ws in pack.worksheets:
        for head, c in numbers_under_headers(ws):
            seen.setdefault(head, set()).add(c.number_format)
    assert seen["工单占比"] == {"0.00%"} and seen["等待占历时比"] == {"0.00%"}
    assert seen["平均等待(分钟)"] == {"#,##0.0"} and seen["人均培训(小时)"] == {"#,##0.00"}
    assert seen["净扣款(元)"] == {"#,##0"} and seen["工单数"] == {"#,##0"}
    assert seen["数值"] >= {"0.00%", "0.00", "#,##0"}  # the KPI long sheet: by the KPI's unit


# --------------------------------------------------------------------------- a dashboard download


def test_a_download_prints_and_formats_the_same() -> None:
    from app.downloads import to_xlsx

    df = pd.DataFrame(
        {
            "代维公司": ["铁通", "澄星"],
            "工单数": [181, 1240],
            "占比": [0.25, 0.753333333],  # the faults page's Pareto: fractions under a Chinese label
            "平均等待(分钟)": [1118.745945945946, 60.68888888888889],
            "净扣款(元)": [1240.0, -100.0],
            "%": [12.5, 0.333],  # the ledgers page's unexpected_percent: already percent points
        }
    )
    ws = openpyxl.load_workbook(io.BytesIO(to_xlsx(df, "pareto_cause_category_2026-10"))).worksheets[0]
    assert not print_problems(ws), print_problems(ws)
    assert ws.print_title_rows == "$1:$1"
    formats = {head: {c.number_format for h, c in numbers_under_headers(ws) if h == head} for head in df.columns}
    assert formats["工单数"] == {"#,##0"} and formats["占比"] == {"0.00%"} and formats["净扣款(元)"] == {"#,##0"}
    assert formats["平均等待(分钟)"] == {"#,##0.0"} and formats["%"] == {"#,##0.00"}
    assert not number_problems(ws), number_problems(ws)
