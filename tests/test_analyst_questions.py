"""The analyst's three questions, each answered in at most three interactions from the first page.

Run by Streamlit's AppTest on the demo warehouse, signed in as the department's analyst
(the sign-in itself is not counted), counting interactions the way a
person would: a page switch, a picker change, a toggle, a click on a table row
(set through the dataframe's selection state, as the browser sends it).

(a) which contractor is worst on fault timeliness this month, and why — 1 interaction;
(b) the tickets that breached in one prefecture, with their clocks — 3 interactions;
(c) which ledger lines disagree with EOMS for one contractor, on which field — 3 interactions.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from reporting.labels import LEDGER_FIELDS
from tests.apptest_auth import sign_in
from tests.conftest import APP

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("app_db")]

CLOCK = ("派单", "接单", "到场", "完成", "挂起(分钟)", "时限(分钟)", "有效历时(分钟)", "是否及时")


def rows(wh: Path, sql: str, *params: object) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


class Session:
    """An AppTest on the first page after signing in (the analyst's account), counting what the person does."""

    def __init__(self) -> None:
        self.at = AppTest.from_file(APP, default_timeout=180)
        self.at.run()
        sign_in(self.at, "analyst")  # not counted: the questions start on the first page
        self.interactions = 0
        self.check()

    def check(self) -> None:
        assert not self.at.exception, [e.value for e in self.at.exception]

    def do(self, action) -> AppTest:  # type: ignore[no-untyped-def]
        action(self.at).run()
        self.interactions += 1
        self.check()
        return self.at

    def table(self, first_column: str):  # type: ignore[no-untyped-def]
        return next(d.value for d in self.at.dataframe if len(d.value.columns) and d.value.columns[0] == first_column)


def test_a_worst_contractor_on_fault_timeliness_and_why(warehouse: Path) -> None:
    [(month,)] = rows(warehouse, "SELECT max(month) FROM marts.fct_kpi")
    ranking = rows(
        warehouse,
        "SELECT contractor, value, denominator - numerator FROM marts.fct_kpi WHERE month = ? "
        "AND kpi_code = 'fault_timely_rate' AND grain = 'contractor' AND denominator > 0 ORDER BY value, 3 DESC",
        month,
    )
    worst, _, breaches = ranking[0]
    s = Session()
    at = s.do(lambda at: at.switch_page("views/timeliness.py"))
    assert s.interactions == 1
    assert any(f"本月最差：**{worst}**" in m.value and f"超时 {int(breaches):,} 单" in m.value for m in at.markdown)
    shown = s.table("代维公司")
    assert shown["代维公司"].tolist() == [r[0] for r in ranking]  # worst first
    assert at.selectbox(key="tl_contractor").value == worst
    # Side by side: by cause, by place, by technician; each sorted by breaches and adding up to the ranking.
    for first in ("原因类别", "地市", "处理人工号"):
        table = s.table(first)
        assert table["超时工单"].tolist() == sorted(table["超时工单"], reverse=True)
        assert int(table["超时工单"].sum()) == int(breaches)
    assert at.toggle(key="tl_only_breaches").value is True
    tickets = s.table("工单编号")
    assert set(tickets["是否及时"]) == {"超时"} and set(tickets["代维公司"]) == {worst}
    off = at.toggle(key="tl_only_breaches").set_value(False).run()
    assert set(s.table("工单编号")["是否及时"]) == {"超时", "及时"}
    assert not off.exception


def test_b_breached_tickets_of_one_prefecture_with_their_clocks(warehouse: Path) -> None:
    [(month,)] = rows(warehouse, "SELECT max(month) FROM marts.fct_kpi")
    [(prefecture, breaches)] = rows(
        warehouse,
        "SELECT prefecture, count(*) FROM marts.mart_fault_tickets WHERE month = ? AND NOT is_timely "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
        month,
    )
    s = Session()
    s.do(lambda at: at.selectbox(key="prefecture").set_value(prefecture))
    at = s.do(lambda at: at.switch_page("views/timeliness.py"))
    assert at.selectbox(key="prefecture").value == prefecture  # carried across pages
    assert at.selectbox(key="tl_contractor").value == ""  # a place question: every contractor
    tickets = s.table("工单编号")
    assert len(tickets) == breaches and set(tickets["地市"]) == {prefecture} and set(tickets["是否及时"]) == {"超时"}
    pick = len(tickets) - 1

    def click_row(at: AppTest) -> AppTest:  # what the browser sends for a click on a row
        at.session_state["tl_tickets"] = {"selection": {"rows": [pick], "columns": []}}
        return at

    at = s.do(click_row)
    assert s.interactions == 3
    ticket_id = tickets["工单编号"].iloc[pick]
    assert any(ticket_id in m.value and "工单时钟" in m.value for m in at.markdown)
    labels = [m.label for m in at.metric]
    assert all(label in labels for label in CLOCK), labels
    assert next(m.value for m in at.metric if m.label == "是否及时") == "超时"
    # The same place filter narrows the fault drill-down's tickets.
    at.switch_page("views/faults.py").run()
    assert set(s.table("工单编号")["地市"]) == {prefecture}


def test_c_ledger_lines_that_disagree_for_one_contractor_on_which_field(warehouse: Path) -> None:
    [(month,)] = rows(warehouse, "SELECT max(month) FROM marts.fct_kpi")
    [(contractor, field, n)] = rows(
        warehouse,
        "SELECT contractor, field_name, count(*) FROM marts.mart_ledger_findings WHERE month = ? "
        "AND finding = 'mismatch' GROUP BY ALL ORDER BY 3 DESC, 1, 2 LIMIT 1",
        month,
    )
    s = Session()
    s.do(lambda at: at.selectbox(key="contractor").set_value(contractor))
    at = s.do(lambda at: at.switch_page("views/ledgers.py"))
    findings = s.table("代维公司")
    assert set(findings["代维公司"]) == {contractor}
    label = LEDGER_FIELDS[field][0]  # the field as the page names it (seed ledger_fields)
    at = s.do(lambda at: at.button_group(key="lg_field_filter").set_value([field]))
    assert s.interactions == 3
    findings = next(d.value for d in at.dataframe if "EOMS值" in d.value.columns)
    assert len(findings) == n
    assert set(findings["代维公司"]) == {contractor} and set(findings["问题类型"]) == {"字段不一致"}
    assert set(findings["字段"]) == {label}
    assert (findings["EOMS值"] != findings["台帐值"]).all()
