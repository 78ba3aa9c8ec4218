"""The dashboard run by Streamlit's AppTest on a real demo warehouse: every page, the pickers, the numbers.

One demo delivery is built per module (≈ 80 s): generated, then loaded through
the CLI exactly as a user would (`daiwei run`), then compared with `daiwei export`.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from core.inert import md

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("app_db")]  # every session signs in (as admin)

from tests.apptest_auth import sign_in  # noqa: E402
from tests.conftest import APP, PAGES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def daiwei(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, cwd=ROOT, timeout=900
    )


@pytest.fixture(scope="module")
def export(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str, str], dict]:
    out = tmp_path_factory.mktemp("dash_export") / "kpi.csv"
    p = daiwei("export", "--out", str(out), "--warehouse", str(warehouse))
    assert p.returncode == 0, p.stderr
    with open(out, encoding="utf-8") as f:
        return {(r["month"], r["kpi_code"], r["contractor"], r["prefecture"]): r for r in csv.DictReader(f)}


def months_of(export: dict) -> list[str]:
    return sorted({k[0] for k in export}, reverse=True)


def contractors_of(export: dict) -> list[str]:
    return sorted({k[2] for k in export if k[2]})


def app(page: str | None = None) -> AppTest:
    """A session signed in as the department's admin (who sees everything), on `page`."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    sign_in(at, "admin")
    if page:
        at.switch_page(page).run()
    return at


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def half_up(text: str, places: str = "0.01") -> str:
    return str(Decimal(text).quantize(Decimal(places), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(warehouse: Path, page: str) -> None:
    at = app(page)
    no_exception(at)
    assert at.title and at.title[0].value
    assert not [i.value for i in at.info if "尚未构建" in i.value], "a mart of docs/marts.md is missing"


@pytest.mark.parametrize("page", PAGES)
def test_pickers_carry_across_pages(warehouse: Path, export: dict, page: str) -> None:
    month, contractor = months_of(export)[-1], contractors_of(export)[0]
    at = app()
    at.selectbox(key="month").set_value(month).run()
    at.selectbox(key="contractor").set_value(contractor).run()
    no_exception(at)
    at.switch_page(page).run()
    no_exception(at)
    assert at.selectbox(key="month").value == month
    assert at.selectbox(key="contractor").value == contractor
    if page == "views/overview.py":
        assert at.title[0].value.startswith(month)
        assert len([m for m in at.metric if m.label == "综合得分"]) == 1


def test_overview_composite_scores_equal_the_export(warehouse: Path, export: dict) -> None:
    at = app("views/overview.py")
    month = at.selectbox(key="month").value
    assert month == months_of(export)[0]
    shown = [m.value for m in at.metric if m.label == "综合得分"]
    expected = sorted(
        (Decimal(export[(month, "composite_score", c, "")]["value"]) for c in contractors_of(export)), reverse=True
    )
    assert shown == [half_up(str(v)) for v in expected]


def test_overview_kpi_detail_numerators_equal_the_export(warehouse: Path, export: dict) -> None:
    at = app("views/overview.py")
    month = at.selectbox(key="month").value
    detail = next(d.value for d in at.dataframe if "分子" in d.value.columns and "指标" in d.value.columns)
    assert len(detail) > 20
    con = duckdb.connect(str(warehouse), read_only=True)
    codes = dict(con.execute("SELECT kpi_name_zh, kpi_code FROM marts.dim_kpis").fetchall())
    con.close()
    checked = 0
    for row in detail.itertuples(index=False):
        rec = dict(zip(detail.columns, row, strict=True))
        contractor = "" if rec["代维公司"] == "全省" else rec["代维公司"]
        ref = export[(month, codes[rec["指标"]], contractor, "")]
        numerator, denominator = (str(rec[c]).replace(",", "") for c in ("分子", "分母"))
        if ref["numerator"] == "":
            assert numerator == "—"  # shown as a dash, never "None"
        else:
            assert Decimal(numerator) == Decimal(ref["numerator"])
        assert Decimal(denominator) == Decimal(ref["denominator"])
        checked += 1
    assert checked == len(detail)


def test_areas_index_equals_the_areas_export(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "areas.csv"
    assert daiwei("export", "--table", "areas", "--out", str(out), "--warehouse", str(warehouse)).returncode == 0
    at = app("views/areas.py")
    month = at.selectbox(key="month").value
    with open(out, encoding="utf-8") as f:
        index = {
            int(r["area_no"]): r["score"] for r in csv.DictReader(f) if r["month"] == month and not r["contractor"]
        }
    table = next(d.value for d in at.dataframe if "不统一度" in d.value.columns)
    for area, value in zip(table["领域"], table["不统一度"], strict=True):
        ref = index[int(str(area).split(" ", 1)[0])]
        assert (ref == "" and value != value) or abs(float(value) - float(ref)) <= 0.005 + 1e-9


def test_a_quarter_on_the_overview_shows_its_figures_and_settlement(warehouse: Path) -> None:
    """The month picker offers the quarters: the overview reads the period's figures and its 结算; a page that
    shows months only says so."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        quarter = con.execute("SELECT max(month) FROM marts.fct_kpi_periods WHERE period_kind = 'quarter'").fetchone()[
            0
        ]  # type: ignore[index]
        composite = con.execute(
            "SELECT value FROM marts.fct_kpi_periods WHERE month = ? AND kpi_code = 'composite_score' "
            "AND grain = 'contractor' AND value IS NOT NULL ORDER BY value DESC",
            [quarter],
        ).fetchall()
        payable = dict(
            con.execute(
                "SELECT contractor, payable_yuan FROM marts.mart_settlement WHERE month = ?", [quarter]
            ).fetchall()
        )
    finally:
        con.close()
    at = app("views/overview.py")
    at.selectbox(key="month").set_value(quarter).run()
    no_exception(at)
    year, q = quarter.split("-Q")
    assert at.title[0].value.startswith(f"{year}年第{q}季度")
    assert [m.value for m in at.metric if m.label == "综合得分"] == [half_up(str(v)) for (v,) in composite]
    assert "结算" in [h.value for h in at.subheader]
    table = next(d.value for d in at.dataframe if "应付" in d.value.columns)
    assert sorted(table["代维公司"]) == sorted(payable) and len(payable) > 0
    for contractor, shown in zip(table["代维公司"], table["应付"], strict=True):
        v = payable[contractor]
        assert shown == ("未配置基础费" if v is None else f"{v:,.0f} 元"), (contractor, shown)
    at.switch_page("views/timeliness.py").run()
    no_exception(at)
    assert any("本页按月显示" in i.value for i in at.info)


def test_english_switch_on_every_page(warehouse: Path) -> None:
    at = app("views/overview.py")
    at.radio(key="lang_choice").set_value("English").run()
    no_exception(at)
    assert "at a glance" in at.title[0].value
    assert [m for m in at.metric if m.label == "Composite score"]
    for page in PAGES:
        at.switch_page(page).run()
        no_exception(at)
        assert not re.search(r"[\u4e00-\u9fff]", at.title[0].value), at.title[0].value


def test_drilldown_narrows_to_a_ticket_clock(warehouse: Path) -> None:
    at = app("views/faults.py")
    assert [m for m in at.metric if m.label == "时限(分钟)"], "the worst ticket's clock is shown"
    at.selectbox(key="fa_cause_category").select_index(1).run()  # the cause with most tickets
    no_exception(at)
    cause = at.selectbox(key="fa_cause_category").value
    assert cause and at.selectbox(key="fa_cause_detail").value == ""
    assert any(md(cause) in m.value for m in at.markdown if "当前路径" in m.value)  # data text is escaped
    at.selectbox(key="fa_cause_detail").select_index(1).run()
    no_exception(at)
    tickets = next(d.value for d in at.dataframe if "工单编号" in d.value.columns)
    assert len(tickets) > 0 and set(tickets["原因类别"]) == {cause}
    assert set(tickets["原因细项"]) == {at.selectbox(key="fa_cause_detail").value}


def test_personal_data_is_masked_on_every_page(warehouse: Path) -> None:
    names_seen = 0
    for page in PAGES:
        at = app(page)
        for d in at.dataframe:
            text = d.value.astype(str).to_csv()
            assert not MOBILE.search(text), (page, MOBILE.search(text))
            for name in re.findall(r'"(?:姓名|用户姓名)":\s*"([^"]*)"', text.replace('""', '"')):
                names_seen += 1
                assert re.fullmatch(r".\*+", name), (page, name)
    assert names_seen, "the demo's rejected roster rows carry names: the load page must show them masked"


@pytest.fixture
def bare_warehouse(warehouse: Path, tmp_path: Path) -> Iterator[Path]:
    """The same warehouse without the supporting marts and the data-quality results (an older build)."""
    copy = tmp_path / "bare.duckdb"
    shutil.copyfile(warehouse, copy)
    con = duckdb.connect(str(copy))
    for kind, name in con.execute(
        "SELECT CASE WHEN table_type = 'VIEW' THEN 'VIEW' ELSE 'TABLE' END, table_schema || '.' || table_name "
        "FROM information_schema.tables WHERE (table_schema = 'marts' AND table_name LIKE 'mart_%') "
        "OR (table_schema = 'audit' AND table_name LIKE 'dq_%') ORDER BY table_type = 'VIEW' DESC"
    ).fetchall():
        con.execute(f"DROP {kind} IF EXISTS {name} CASCADE")
    con.close()
    os.environ["DAIWEI_WAREHOUSE"] = str(copy)
    yield copy
    os.environ["DAIWEI_WAREHOUSE"] = str(warehouse)


@pytest.mark.parametrize("page", PAGES)
def test_an_incomplete_warehouse_is_refused_once_at_the_door(bare_warehouse: Path, page: str) -> None:
    """Pages do not test for each mart: one gate (reporting.reader.missing) says the file is incomplete."""
    at = app(page)
    no_exception(at)
    if page != "views/loads.py":
        assert [i.value for i in at.info if "仓库缺少" in i.value and "daiwei run" in i.value]
        assert not at.dataframe


@pytest.mark.parametrize("page", PAGES)
def test_pages_without_any_warehouse(tmp_path: Path, page: str, warehouse: Path) -> None:
    os.environ["DAIWEI_WAREHOUSE"] = str(tmp_path / "nothing.duckdb")
    try:
        at = app(page)
        no_exception(at)
        assert [i.value for i in at.info if "daiwei run" in i.value]
    finally:
        os.environ["DAIWEI_WAREHOUSE"] = str(warehouse)
