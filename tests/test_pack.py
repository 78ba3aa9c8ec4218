"""`daiwei pack` end to end: through Dagster, the workbook's numbers equal `daiwei export`, the PDF reads.

One demo warehouse per module; the pack is run once as a subprocess, the way
a user runs it, and both files are opened the way a recipient would
(openpyxl, pdftotext).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from reporting.exports import fmt_number

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
FIXED_SHEETS = ["封面", "KPI长表", "超时清单", "扣款-技术员", "扣款-代维公司", "结算", "数据来源"]
SETTLEMENT_HEADER = ("代维公司", "结算月数", "基础费(元)", "考核扣款(元)", "应付(元)")


def daiwei(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, cwd=ROOT, timeout=900
    )


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, demo_run: dict) -> dict:
    tmp = tmp_path_factory.mktemp("pack")
    wh = demo_run["wh"]
    assert demo_run["run"].returncode in (0, 1)
    assert daiwei("export", "--out", str(tmp / "all.csv"), "--warehouse", str(wh)).returncode == 0
    month = max(r["month"] for r in read_csv(tmp / "all.csv"))
    assert daiwei("export", "--month", month, "--out", str(tmp / "kpi.csv"), "--warehouse", str(wh)).returncode == 0
    assert daiwei("loads", "--out", str(tmp / "loads.csv"), "--warehouse", str(wh)).returncode == 0
    p = daiwei("pack", "--month", month, "--out", str(tmp / "out"), "--warehouse", str(wh))
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stdout + p.stderr
    return {"tmp": tmp, "wh": wh, "month": month, "out": tmp / "out", "stdout": p.stdout}


def test_both_files_are_written_and_named(built: dict) -> None:
    m = built["month"]
    names = sorted(p.name for p in built["out"].iterdir())
    assert names == [f"KPI月报_{m}.pdf", f"KPI月报_{m}.xlsx"]
    assert f"KPI月报_{m}.xlsx" in built["stdout"]


def test_workbook_kpis_equal_the_export(built: dict) -> None:
    wb = openpyxl.load_workbook(built["out"] / f"KPI月报_{built['month']}.xlsx", read_only=True)
    rows = list(wb["KPI长表"].iter_rows(values_only=True))
    assert list(rows[0][:7]) == ["月份", "指标代码", "代维公司", "地市", "分子", "分母", "数值"]
    got = [[r[0], r[1], r[2] or "", r[3] or "", fmt_number(r[4]), fmt_number(r[5]), fmt_number(r[6])] for r in rows[1:]]
    expected = [
        [r[k] for k in ("month", "kpi_code", "contractor", "prefecture", "numerator", "denominator", "value")]
        for r in read_csv(built["tmp"] / "kpi.csv")
    ]
    assert len(got) == len(expected) > 100
    assert got == expected


def test_workbook_sheets_frozen_and_formatted(built: dict) -> None:
    wb = openpyxl.load_workbook(built["out"] / f"KPI月报_{built['month']}.xlsx")
    names = wb.sheetnames
    assert names[0] == "封面"
    for s in FIXED_SHEETS:
        assert s in names
    areas = [n for n in names if re.match(r"^\d+ ", n)]
    assert [int(n.split(" ")[0]) for n in areas] == list(range(1, 11))
    assert "1 工单执行流程" in areas and "10 现场留痕与回单" in areas
    for ws in wb.worksheets:
        assert len(ws.title) <= 31
        assert ws.freeze_panes is not None, ws.title
    assert wb["KPI长表"].freeze_panes == "A2"
    long = wb["KPI长表"]
    rates = [r for r in long.iter_rows(min_row=2) if r[1].value == "fault_timely_rate" and r[6].value is not None]
    assert rates and all(r[6].number_format == "0.00%" for r in rates)
    missed = [r for r in long.iter_rows(min_row=2) if r[9].value == "未达标"]
    assert missed and all(r[6].font.color is not None and r[6].font.color.rgb.endswith("C00000") for r in missed)


def test_cover_scores_and_penalties_equal_the_export(built: dict) -> None:
    wb = openpyxl.load_workbook(built["out"] / f"KPI月报_{built['month']}.xlsx", read_only=True)
    kpi = {(r["kpi_code"], r["contractor"]): r for r in read_csv(built["tmp"] / "kpi.csv") if not r["prefecture"]}
    cover = list(wb["封面"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(cover) if r[0] == "排名")
    contractors = sorted({c for _, c in kpi if c})
    rows = {r[1]: r for r in cover[header + 1 : header + 1 + len(contractors)]}
    assert sorted(rows) == contractors
    for c in contractors:
        assert fmt_number(rows[c][2]) == kpi[("composite_score", c)]["value"]
        assert fmt_number(rows[c][7]) == kpi[("penalty_yuan", c)]["value"]
    per = list(wb["扣款-代维公司"].iter_rows(values_only=True))
    for r in per[1:]:
        assert fmt_number(r[-1]) == kpi[("penalty_yuan", r[0])]["value"]
        assert sum(Decimal(str(v)) for v in r[1:-1]) == Decimal(kpi[("penalty_yuan", r[0])]["value"])


def test_sources_list_every_loaded_file_with_its_sha256(built: dict) -> None:
    wb = openpyxl.load_workbook(built["out"] / f"KPI月报_{built['month']}.xlsx", read_only=True)
    rows = list(wb["数据来源"].iter_rows(values_only=True))
    sha_col = rows[0].index("SHA-256校验值")
    listed = {r[sha_col] for r in rows[1:]}
    loaded = {r["sha256"] for r in read_csv(built["tmp"] / "loads.csv") if r["status"] == "loaded"}
    assert loaded and listed == loaded


def test_no_phone_number_leaves_in_the_workbook(built: dict) -> None:
    wb = openpyxl.load_workbook(built["out"] / f"KPI月报_{built['month']}.xlsx", read_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                assert not (isinstance(v, str) and MOBILE.search(v)), (ws.title, v)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_pdf_text_holds_headings_scores_and_fingerprints(built: dict) -> None:
    pdf = built["out"] / f"KPI月报_{built['month']}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for heading in (f"代维KPI月报 · {built['month']}", "综合得分与考核扣款", "主要指标", "十个不统一", "数据来源"):
        assert heading in text, heading
    for r in read_csv(built["tmp"] / "kpi.csv"):
        if r["kpi_code"] == "composite_score" and r["value"]:
            shown = str(Decimal(r["value"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
            assert re.search(rf"{r['contractor']}\s+{re.escape(shown)}", text), (r["contractor"], shown)
    flat = re.sub(r"\s+", "", text)
    for r in read_csv(built["tmp"] / "loads.csv"):
        if r["status"] == "loaded":
            assert r["sha256"] in flat, r["file"]


def test_month_without_data_is_a_usage_error(built: dict) -> None:
    p = daiwei("pack", "--month", "1999-01", "--out", str(built["tmp"] / "none"), "--warehouse", str(built["wh"]))
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert p.stderr.strip().count("\n") == 0 and "1999-01" in p.stderr and "no data" in p.stderr
    assert not (built["tmp"] / "none").exists()


def settlement_rows(wb: openpyxl.Workbook) -> list[tuple]:
    """The 结算 sheet's rows under its header."""
    rows = list(wb["结算"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[: len(SETTLEMENT_HEADER)] == SETTLEMENT_HEADER)
    return [r[: len(SETTLEMENT_HEADER)] for r in rows[header + 1 :] if r[0]]


def expected_settlement(wh: Path, label: str) -> dict[str, tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        sql = (
            "SELECT contractor, month_count, base_fee_yuan, penalty_yuan, payable_yuan "
            "FROM marts.mart_settlement WHERE month = ?"
        )
        return {r[0]: r for r in con.execute(sql, [label]).fetchall()}
    finally:
        con.close()


def same_settlement(got: list[tuple], expected: dict[str, tuple]) -> None:
    assert sorted(r[0] for r in got) == sorted(expected) and expected
    for r in got:
        _, months, base, penalty, payable = expected[r[0]]
        assert r[1] == months
        assert r[2] == ("未配置基础费" if base is None else float(base)), r
        assert r[3] == float(penalty), r
        assert r[4] == ("未配置基础费" if payable is None else float(payable)), r


def test_month_pack_has_the_settlement(built: dict) -> None:
    wb = openpyxl.load_workbook(built["out"] / f"KPI月报_{built['month']}.xlsx", read_only=True)
    same_settlement(settlement_rows(wb), expected_settlement(built["wh"], built["month"]))


@pytest.fixture(scope="module")
def quarter(built: dict) -> dict:
    """The pack of the quarter holding most of the demo's months, built as a user builds it."""
    months = sorted({r["month"] for r in read_csv(built["tmp"] / "all.csv")})
    quarters = [f"{m[:4]}-Q{(int(m[5:7]) + 2) // 3}" for m in months]
    label = max(sorted(set(quarters)), key=quarters.count)
    out = built["tmp"] / "quarter"
    p = daiwei("pack", "--month", label, "--out", str(out), "--warehouse", str(built["wh"]))
    assert p.returncode == 0, p.stderr
    year, q = label.split("-Q")
    return {"label": label, "out": out, "title": f"代维KPI季报 · {year}年第{q}季度"}


def test_quarter_pack_reads_the_period_figures_and_its_settlement(built: dict, quarter: dict) -> None:
    label = quarter["label"]
    assert sorted(p.name for p in quarter["out"].iterdir()) == [f"KPI月报_{label}.pdf", f"KPI月报_{label}.xlsx"]
    wb = openpyxl.load_workbook(quarter["out"] / f"KPI月报_{label}.xlsx", read_only=True)
    assert wb.sheetnames == ["封面", "KPI长表", "超时清单", "扣款-技术员", "扣款-代维公司", "结算", "数据来源"]
    cover = list(wb["封面"].iter_rows(values_only=True))
    assert cover[0][0] == quarter["title"]
    long = list(wb["KPI长表"].iter_rows(values_only=True))[1:]
    assert long and {r[0] for r in long} == {label}
    composite = {r[2]: r[6] for r in long if r[1] == "composite_score" and r[2] and not r[3]}
    header = next(i for i, r in enumerate(cover) if r[0] == "排名")
    for r in cover[header + 1 : header + 1 + len(composite)]:
        assert r[2] == composite[r[1]], r
    settlement = expected_settlement(built["wh"], label)
    same_settlement(settlement_rows(wb), settlement)
    penalty = {r[2]: r[6] for r in long if r[1] == "penalty_yuan" and r[2] and not r[3]}
    assert {c: float(s[3]) for c, s in settlement.items()} == penalty  # the quarter's penalties, summed by dbt
    if shutil.which("pdftotext"):
        pdf = quarter["out"] / f"KPI月报_{label}.pdf"
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
        assert quarter["title"] in text and "结算" in text
        assert not re.search(r"[一二三四五六七八九十]、十个不统一", text)  # scored per month: the month packs have it
        for contractor, (_, _, _, _, payable) in settlement.items():
            shown = "未配置基础费" if payable is None else f"{float(payable):,.0f} 元"
            assert re.search(rf"{contractor}.*{re.escape(shown)}", text), (contractor, shown)


def test_a_browser_that_never_answers_cannot_hold_the_pack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """kaleido's Chromium stuck: after RENDER_TIMEOUT_S the pack gives up on the PNGs (fpdf2 draws the bars)."""
    import threading
    import time

    import plotly.graph_objects as go
    import plotly.io as pio

    from reporting.pack import charts as pack_charts

    never = threading.Event()
    monkeypatch.setattr(pack_charts, "figures", lambda c: {"scores": (go.Figure(), 100)})
    monkeypatch.setattr(pio, "write_images", lambda **kw: never.wait())
    monkeypatch.setattr(pack_charts, "RENDER_TIMEOUT_S", 0.5)
    started = time.monotonic()
    try:
        assert pack_charts.render(None, tmp_path) == {}  # type: ignore[arg-type]
    finally:
        never.set()
    assert time.monotonic() - started < 5
