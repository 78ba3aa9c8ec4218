"""A ledger broken on purpose — a line missing, a line twice, a bandwidth not updated — is seen
by the Great Expectations ledger-vs-EOMS suite and in the ledger findings mart, through `daiwei run`."""

from __future__ import annotations

import json

import duckdb
import pytest

from cli import runner
from tests.conftest import write_csv, write_xlsx

pytestmark = pytest.mark.slow

EOMS = [
    "专线编号",
    "客户名称",
    "业务类型",
    "地市",
    "区县",
    "区域类型",
    "代维公司",
    "带宽(M)",
    "接入方式",
    "A端地址",
    "Z端地址",
    "站点类型",
    "开通日期",
    "状态",
]
LEDGER = [
    "统计月份",
    "代维公司",
    "专线编号",
    "客户名称",
    "业务类型",
    "地市",
    "区县",
    "带宽(M)",
    "接入方式",
    "A端地址",
    "Z端地址",
    "状态",
]


def circuit(n: int, bandwidth: int = 100) -> dict:
    return {
        "专线编号": f"GZ-DL-00000{n}",
        "客户名称": f"贵阳某银行{n}",
        "业务类型": "数据专线",
        "地市": "贵阳市",
        "区县": "清镇市",
        "区域类型": "城区",
        "代维公司": "铁通",
        "带宽(M)": bandwidth,
        "接入方式": "PON",
        "A端地址": f"清镇市红枫大道{n}号",
        "Z端地址": "贵阳市观山湖区机房",
        "站点类型": "自维数据专线",
        "开通日期": "2025-01-01",
        "状态": "在用",
    }


def ledger_line(c: dict, **over: object) -> list:
    line = {**c, "统计月份": "2026-10", **over}
    return [line[h] for h in LEDGER]


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("ledger")
    inbox = root / "in"
    circuits = [circuit(n) for n in range(1, 6)]
    write_csv(inbox / "eoms_circuits_20261101.csv", [EOMS] + [[c[h] for h in EOMS] for c in circuits])
    lines = [
        ledger_line(circuits[0]),
        # circuits[1] is missing from the ledger
        ledger_line(circuits[2]),
        ledger_line(circuits[2]),  # listed twice
        ledger_line(circuits[3], **{"带宽(M)": 50}),  # bandwidth not updated
        ledger_line(circuits[4], 客户名称="  贵阳某银行５ "),  # only cosmetic: matches after NFKC + trim
    ]
    write_xlsx(inbox / "ledger_2026-10_铁通_20261103.xlsx", [LEDGER, *lines], sheet="用户台帐")
    wh = root / "warehouse.duckdb"
    outcome = runner.run_pipeline(inbox, wh)
    assert outcome.success, outcome.error
    con = duckdb.connect(str(wh), read_only=True)
    yield {"con": con, "outcome": outcome}
    con.close()


def test_findings_mart_shows_each_break(broken) -> None:
    rows = (
        broken["con"]
        .execute(
            "SELECT finding, circuit_id, field_name, eoms_value, ledger_value FROM marts.mart_ledger_findings "
            "WHERE month = '2026-10' AND contractor = '铁通' ORDER BY ALL"
        )
        .fetchall()
    )
    kinds = {(r[0], r[1]) for r in rows}
    assert ("missing", "GZ-DL-000002") in kinds
    assert ("duplicate", "GZ-DL-000003") in kinds
    [mismatch] = [r for r in rows if r[0] == "mismatch"]
    assert mismatch[1:3] == ("GZ-DL-000004", "bandwidth_mbps")
    assert (mismatch[3], mismatch[4]) == ("100", "50")  # the two values side by side
    assert not any(r[1] in ("GZ-DL-000001", "GZ-DL-000005") for r in rows)  # consistent lines: no finding


def test_kpi_counts_the_two_good_circuits(broken) -> None:
    [(num, den)] = (
        broken["con"]
        .execute(
            "SELECT numerator, denominator FROM marts.fct_kpi WHERE month = '2026-10' "
            "AND kpi_code = 'ledger_consistency_rate' AND contractor = '铁通' AND prefecture = ''"
        )
        .fetchall()
    )
    assert (num, den) == (2, 5)


def test_great_expectations_sees_each_break(broken) -> None:
    results = (
        broken["con"]
        .execute(
            "SELECT expectation, success, unexpected_count, unexpected_sample FROM audit.dq_results "
            "WHERE suite = 'ledger_vs_eoms' AND contractor = '铁通' AND month = '2026-10' AND run_id = ?",
            [broken["outcome"].run_id],
        )
        .fetchall()
    )
    by = {r[0]: r for r in results}

    def failing(fragment: str) -> tuple:
        [hit] = [r for e, r in by.items() if fragment in e]
        assert hit[1] is False and hit[2] >= 1, hit
        return hit

    missing = failing("listed_count, 1, None")
    assert "GZ-DL-000002" in missing[3]
    twice = failing("listed_count, None, 1")
    assert "GZ-DL-000003" in twice[3]
    bandwidth = failing("bandwidth")
    assert "GZ-DL-000004" in bandwidth[3]
    assert all(json.loads(r[3]) is not None for r in results if r[3])
    agree = [r for e, r in by.items() if "customer_name" in e]
    assert agree and all(r[1] for r in agree)  # the cosmetic difference is not a finding
