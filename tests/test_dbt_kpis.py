"""The dbt project end to end on a small raw warehouse written here.

A handful of raw rows (designed so the KPI numbers can be worked out by hand) go
into a fresh DuckDB file made by `ingestion.ddl.create_all`; `dbt build` runs on
it (every unit test and data test included) and the KPI table is checked against
the export contract (every KPI at every grain for every month, empty populations,
numerator <= denominator, penalties that add up) and against a few hand-computed
values. One test lints the SQL; one shows that editing a seed changes a number.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion import ddl

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "dbt_project"
CONTRACTOR_ONLY = {"penalty_yuan", "composite_score"}
NOT_A_SHARE = {"fault_mttr_hours", "staffing_per_100"} | CONTRACTOR_ONLY

D = dt.date
T = dt.datetime
Row = dict[str, object]

# --------------------------------------------------------------------------- fixture rows

CIRCUITS: list[Row] = [
    dict(
        circuit_id="GY-001",
        customer_name="贵州银行 南明支行",
        service_type="数据专线",
        prefecture="贵阳市",
        county="南明区",
        area_type="城区",
        contractor="铁通",
        bandwidth_mbps=100,
        access_type="MPLS",
        a_address="贵阳市南明区 中华南路1号",
        z_address="贵阳市观山湖区 长岭路2号",
        site_type="自维数据专线",
        activated_on=D(2025, 1, 1),
        status="在用",
    ),
    # activated inside its inspection window: never in the inspection population of 09 / 10
    dict(
        circuit_id="ZY-002",
        customer_name="遵义茅台 分公司",
        service_type="互联网专线",
        prefecture="遵义市",
        county="汇川区",
        area_type="乡镇",
        contractor="铁通",
        bandwidth_mbps=100,
        access_type="PON",
        a_address="遵义市汇川区 上海路3号",
        z_address="遵义市红花岗区 4号",
        site_type="其他数据专线",
        activated_on=D(2026, 9, 15),
        status="在用",
    ),
    # removed on 2026-10-31: not in service at the end of October
    dict(
        circuit_id="AS-003",
        customer_name="安顺移动 营业厅",
        service_type="数据专线",
        prefecture="安顺市",
        county="西秀区",
        area_type="城区",
        contractor="天龙讯",
        bandwidth_mbps=20,
        access_type="SDH",
        a_address="安顺市西秀区 塔山路5号",
        z_address="安顺市西秀区 6号",
        site_type="营业厅网",
        activated_on=D(2024, 1, 1),
        removed_on=D(2026, 10, 31),
        status="拆机",
    ),
    # no contractor in EOMS: counts at the province grain only
    dict(
        circuit_id="GY-004",
        customer_name="无主专线",
        service_type="数据专线",
        prefecture="贵阳市",
        county="云岩区",
        area_type="城区",
        contractor=None,
        bandwidth_mbps=10,
        access_type="PON",
        a_address="贵阳市云岩区 7号",
        z_address="贵阳市云岩区 8号",
        site_type="自维数据专线",
        activated_on=D(2024, 6, 1),
        status="在用",
    ),
]

FULL_FORM = dict(
    cause_category="光缆线路",
    resolution_note="熔接尾纤",
    contact_name="张三",
    contact_phone="13800000000",
    customer_signed=True,
    customer_signed_text="是",
    ip_address="10.1.2.3",
    vlan="100",
    mac_address="AA:BB:CC:DD:EE:FF",
    a_end="路由器A",
    route="GY-OLT-1",
    z_end="ONU-Z",
    photos="到达现场;进入机房;工作过程;完成现场;设备整理;线路标签",
)


def ticket(**kw: object) -> Row:
    row = dict(FULL_FORM)
    row.update(kw)
    for item in ("arrived_at", "completed_at"):
        if row.get(item) is not None and f"{item}_text" not in row:
            row[f"{item}_text"] = str(row[item])
    return row


TICKETS: list[Row] = [
    # a fault exactly 4 h after dispatch and acknowledged exactly at 30 min: timely, ack timely;
    # a repeat: T6 on the same circuit 16 days earlier, in the previous month
    ticket(
        ticket_id="T1",
        ticket_type="故障",
        status="已归档",
        channel="EOMS",
        circuit_id="GY-001",
        prefecture="贵阳市",
        area_type="城区",
        contractor="铁通",
        technician_id="E01",
        dispatched_at=T(2026, 9, 10, 8),
        acknowledged_at=T(2026, 9, 10, 8, 30),
        arrived_at=T(2026, 9, 10, 9),
        completed_at=T(2026, 9, 10, 12),
        satisfaction="满意",
    ),
    # a 10086 complaint in 城区: 2.5 h elapsed − 30 min suspended = 2 h = its limit: timely
    ticket(
        ticket_id="T2",
        ticket_type="投诉",
        status="已归档",
        channel="10086",
        circuit_id="GY-001",
        prefecture="贵阳市",
        area_type="城区",
        contractor="铁通",
        technician_id="E01",
        dispatched_at=T(2026, 9, 11, 9),
        acknowledged_at=T(2026, 9, 11, 9, 10),
        arrived_at=T(2026, 9, 11, 9, 40),
        completed_at=T(2026, 9, 11, 11, 30),
        suspended_minutes=30,
        satisfaction=" 基本满意 ",
    ),
    # a fault with no completion: not timely, not in MTTR; acknowledged after 31 min: late
    ticket(
        ticket_id="T3",
        ticket_type="故障",
        status="处理中",
        channel="网管监控",
        circuit_id="ZY-002",
        prefecture="遵义市",
        area_type="乡镇",
        contractor="铁通",
        technician_id="E02",
        dispatched_at=T(2026, 9, 20, 10),
        acknowledged_at=T(2026, 9, 20, 10, 31),
        satisfaction=None,
        photos=None,
    ),
    # activation: clock from the splice, exactly 48 h (乡镇): timely; invalid IP and VLAN, route
    # partly blank (3 missing items), three photo kinds missing (an unknown kind ignored)
    ticket(
        ticket_id="T4",
        ticket_type="开通",
        status="已归档",
        channel="客户经理",
        circuit_id="ZY-002",
        prefecture="遵义市",
        area_type="乡镇",
        contractor="铁通",
        technician_id="E02",
        dispatched_at=T(2026, 9, 15, 9),
        acknowledged_at=T(2026, 9, 15, 9, 5),
        splice_done_at=T(2026, 9, 16, 9),
        arrived_at=T(2026, 9, 17, 9),
        completed_at=T(2026, 9, 18, 9),
        satisfaction="满意",
        ip_address="10.0.0.256",
        vlan="4095",
        mac_address="aabb-ccdd-eeff",
        z_end=None,
        photos="到达现场; 进入机房 ;工作过程;未知照片",
        cause_category=None,
    ),
    # cancelled: counts nowhere (it would make T1 a repeat and fail everything)
    ticket(
        ticket_id="T5",
        ticket_type="故障",
        status="已作废",
        channel="EOMS",
        circuit_id="GY-001",
        prefecture="贵阳市",
        area_type="城区",
        contractor="铁通",
        technician_id="E09",
        dispatched_at=T(2026, 9, 5, 8),
        acknowledged_at=None,
        completed_at=None,
        photos=None,
    ),
    # August: 3 h 0 min 30 s, the earlier fault of T1
    ticket(
        ticket_id="T6",
        ticket_type="故障",
        status="已归档",
        channel="EOMS",
        circuit_id="GY-001",
        prefecture="贵阳市",
        area_type="城区",
        contractor="铁通",
        technician_id="E01",
        dispatched_at=T(2026, 8, 25, 10),
        acknowledged_at=T(2026, 8, 25, 10, 5),
        arrived_at=T(2026, 8, 25, 11),
        completed_at=T(2026, 8, 25, 13, 0, 30),
        satisfaction="满意",
    ),
    # a 故障 reported through 10086 keeps the fault limit (4 h): 3 h, timely
    ticket(
        ticket_id="T7",
        ticket_type="故障",
        status="已归档",
        channel="10086",
        circuit_id="AS-003",
        prefecture="安顺市",
        area_type="城区",
        contractor="天龙讯",
        technician_id="E10",
        dispatched_at=T(2026, 10, 5, 8),
        acknowledged_at=T(2026, 10, 5, 8, 1),
        arrived_at=T(2026, 10, 5, 9),
        completed_at=T(2026, 10, 5, 11),
        satisfaction="不满意",
    ),
    # a 10086 complaint in 乡镇: 5 h 0 min 1 s > 5 h: not timely
    ticket(
        ticket_id="T8",
        ticket_type="投诉",
        status="已归档",
        channel="10086",
        circuit_id="AS-003",
        prefecture="安顺市",
        area_type="乡镇",
        contractor="天龙讯",
        technician_id="E11",
        dispatched_at=T(2026, 10, 6, 8),
        acknowledged_at=T(2026, 10, 6, 8, 2),
        arrived_at=T(2026, 10, 6, 9),
        completed_at=T(2026, 10, 6, 13, 0, 1),
        satisfaction=None,
    ),
    # no contractor: the province grain only; never acknowledged
    ticket(
        ticket_id="T9",
        ticket_type="按需",
        status="处理中",
        channel="电话",
        circuit_id="GY-004",
        prefecture="贵阳市",
        area_type="城区",
        contractor=None,
        technician_id=None,
        dispatched_at=T(2026, 10, 7, 8),
        acknowledged_at=None,
        satisfaction=None,
        photos=None,
    ),
]

INSPECTIONS: list[Row] = [
    dict(
        inspection_id="I1",
        site_id="GY-001",
        prefecture="贵阳市",
        contractor="铁通",
        technician_id="E01",
        inspected_at=T(2026, 9, 12, 10),
        result="正常",
    ),
    dict(
        inspection_id="I2",
        site_id="AS-003",
        prefecture="安顺市",
        contractor="天龙讯",
        technician_id="E10",
        inspected_at=T(2026, 8, 20, 10),
        result="正常",
    ),
]

DEVICE_METRICS: list[Row] = [
    # mean CPU exactly 50: not healthy
    dict(
        device_id="D1",
        circuit_id="GY-001",
        collected_at=T(2026, 9, 1, 0),
        cpu_pct=40.0,
        mem_pct=10.0,
        ping_size_bytes=1472,
        ping_sent=100,
        ping_lost=0,
    ),
    dict(
        device_id="D1",
        circuit_id="GY-001",
        collected_at=T(2026, 9, 1, 1),
        cpu_pct=60.0,
        mem_pct=10.0,
        ping_size_bytes=1472,
        ping_sent=100,
        ping_lost=0,
    ),
    dict(
        device_id="D2",
        circuit_id="AS-003",
        collected_at=T(2026, 9, 2, 0),
        cpu_pct=10.0,
        mem_pct=20.0,
        ping_size_bytes=1472,
        ping_sent=1000,
        ping_lost=0,
    ),
    # loss exactly 1/1000: not healthy
    dict(
        device_id="D2",
        circuit_id="AS-003",
        collected_at=T(2026, 10, 2, 0),
        cpu_pct=10.0,
        mem_pct=20.0,
        ping_size_bytes=1472,
        ping_sent=2000,
        ping_lost=2,
    ),
    # circuit not in EOMS, and no 1472-byte pings: not healthy, province grain only
    dict(
        device_id="D3",
        circuit_id="XX-999",
        collected_at=T(2026, 10, 3, 0),
        cpu_pct=1.0,
        mem_pct=1.0,
        ping_size_bytes=64,
        ping_sent=100,
        ping_lost=0,
    ),
]

ROSTER: list[Row] = [
    dict(
        roster_month=D(2026, 9, 1),
        employee_id="E01",
        contractor="铁通",
        prefecture="贵阳市",
        role="技术人员",
        education="本科",
        certifications="CCNA;电工证",
        core_network_years=3.0,
        hired_on=D(2020, 1, 1),
    ),
    dict(
        roster_month=D(2026, 9, 1),
        employee_id="E02",
        contractor="铁通",
        prefecture="遵义市",
        role="班组长",
        education="大专",
        certifications="代维资格证",
        core_network_years=0.0,
        hired_on=D(2021, 1, 1),
    ),
    # leaves mid-month: in turnover's population and numerator, not employed at month end
    dict(
        roster_month=D(2026, 9, 1),
        employee_id="E03",
        contractor="铁通",
        prefecture="贵阳市",
        role="后台人员",
        education="硕士",
        core_network_years=1.0,
        hired_on=D(2022, 1, 1),
        left_on=D(2026, 9, 15),
    ),
    dict(
        roster_month=D(2026, 10, 1),
        employee_id="E01",
        contractor="铁通",
        prefecture="贵阳市",
        role="技术人员",
        education="本科",
        certifications="CCNA;电工证",
        core_network_years=3.0,
        hired_on=D(2020, 1, 1),
    ),
    dict(
        roster_month=D(2026, 10, 1),
        employee_id="E02",
        contractor="铁通",
        prefecture="遵义市",
        role="班组长",
        education="大专",
        certifications="代维资格证",
        core_network_years=0.0,
        hired_on=D(2021, 1, 1),
    ),
    # hired mid-month, full-width lower-case certificate (NFKC + upper-case = HCIA)
    dict(
        roster_month=D(2026, 10, 1),
        employee_id="E04",
        contractor="铁通",
        prefecture="遵义市",
        role="技术人员",
        education="本科",
        certifications="ｈｃｉａ",
        core_network_years=0.5,
        hired_on=D(2026, 10, 10),
    ),
    # leaves on the last day: still employed at month end, and left inside the month
    dict(
        roster_month=D(2026, 9, 1),
        employee_id="E10",
        contractor="天龙讯",
        prefecture="安顺市",
        role="技术人员",
        education="本科",
        certifications="HCNE",
        core_network_years=2.0,
        hired_on=D(2019, 5, 1),
        left_on=D(2026, 9, 30),
    ),
    dict(
        roster_month=D(2026, 10, 1),
        employee_id="E11",
        contractor="天龙讯",
        prefecture="安顺市",
        role="技术人员",
        education="高中",
        core_network_years=0.0,
        hired_on=D(2026, 1, 1),
    ),
]

GY1 = dict(
    circuit_id="GY-001",
    customer_name="贵州银行\u3000南明支行 ",
    service_type="数据专线",
    prefecture="贵阳市",
    county="南明区",
    bandwidth_mbps=100,
    access_type="MPLS",
    a_address="贵阳市南明区  中华南路１号",
    z_address="贵阳市观山湖区 长岭路2号",
)
ZY2 = dict(
    circuit_id="ZY-002",
    customer_name="遵义茅台 分公司",
    service_type="互联网专线",
    prefecture="遵义市",
    county="汇川区",
    bandwidth_mbps=100,
    access_type="PON",
    a_address="遵义市汇川区 上海路3号",
    z_address="遵义市红花岗区 4号",
)
LEDGER: list[Row] = [
    # matches only after NFKC + trim + whitespace collapse; ZY-002 missing from September's ledger
    dict(ledger_month=D(2026, 9, 1), contractor="铁通", **GY1),
    # October: GY-001 listed twice, ZY-002 with a stale bandwidth
    dict(ledger_month=D(2026, 10, 1), contractor="铁通", **GY1),
    dict(ledger_month=D(2026, 10, 1), contractor="铁通", **GY1),
    dict(ledger_month=D(2026, 10, 1), contractor="铁通", **{**ZY2, "bandwidth_mbps": 50}),
]

SPARE_PARTS: list[Row] = [
    dict(
        stock_month=D(2026, 9, 1),
        contractor="铁通",
        prefecture="贵阳市",
        part_type="ONU",
        on_hand=2,
        safety_stock=3,
    ),
    dict(
        stock_month=D(2026, 9, 1),
        contractor="铁通",
        prefecture="贵阳市",
        part_type="光模块",
        on_hand=5,
        safety_stock=3,
    ),
    dict(
        stock_month=D(2026, 10, 1),
        contractor="天龙讯",
        prefecture="安顺市",
        part_type="ONU",
        on_hand=0,
        safety_stock=0,
    ),
]

INSTRUMENTS: list[Row] = [
    dict(
        instrument_id=f"M{i}",
        contractor="铁通",
        prefecture="贵阳市",
        instrument_type=kind,
        status="正常",
        calibration_due=D(2026, 9, 30) if kind == "OTDR" else D(2027, 1, 1),
    )
    for i, kind in enumerate(["OTDR", "光功率计", "红光笔", "光纤熔接机", "网络测试仪", "地阻仪"])
]

ACCEPTANCES: list[Row] = [
    # Monday: 3rd working day = Thursday 09-17, handed then: timely;
    # fault T3 on 09-20: a post-acceptance fault
    dict(
        acceptance_id="A1",
        circuit_id="ZY-002",
        prefecture="遵义市",
        contractor="铁通",
        accepted_on=D(2026, 9, 14),
        result="一次通过",
        docs_handed_on=D(2026, 9, 17),
    ),
    # across National Day: working days 09-30, 10-08, 10-09: handed 10-09 is on time
    dict(
        acceptance_id="A2",
        circuit_id="AS-003",
        prefecture="安顺市",
        contractor="天龙讯",
        accepted_on=D(2026, 9, 29),
        result="整改后通过",
        docs_handed_on=D(2026, 10, 9),
    ),
    # Friday: the weekend does not count, deadline Wednesday 09-09; handed 09-10: late
    dict(
        acceptance_id="A3",
        circuit_id="GY-001",
        prefecture="贵阳市",
        contractor="铁通",
        accepted_on=D(2026, 9, 4),
        result="一次通过",
        docs_handed_on=D(2026, 9, 10),
    ),
    # never handed over: late
    dict(
        acceptance_id="A4",
        circuit_id="GY-001",
        prefecture="贵阳市",
        contractor="铁通",
        accepted_on=D(2026, 10, 12),
        result="不通过",
        docs_handed_on=None,
    ),
]

RAW: dict[str, list[Row]] = {
    "eoms_circuits": CIRCUITS,
    "tickets": TICKETS,
    "inspections": INSPECTIONS,
    "device_metrics": DEVICE_METRICS,
    "hr_roster": ROSTER,
    "ledger": LEDGER,
    "spare_parts": SPARE_PARTS,
    "instruments": INSTRUMENTS,
    "acceptance": ACCEPTANCES,
}


def write_raw(db: Path) -> None:
    """Create the raw tables and insert the fixture rows.

    ID columns keep their raw twin; columns with an NFKC twin get it as ingestion stores it
    (NFKC of the value, NULL for NULL).
    """
    con = duckdb.connect(str(db))
    try:
        ddl.create_all(con)
        for table, rows in RAW.items():
            cols = [r[0] for r in con.execute(f"DESCRIBE raw.{table}").fetchall()]
            for i, row in enumerate(rows, start=2):
                full = dict(row)
                for c in list(row):
                    if f"{c}_raw" in cols and f"{c}_raw" not in full:
                        full[f"{c}_raw"] = row[c]
                    if f"{c}_nfkc" in cols and f"{c}_nfkc" not in full:
                        value = row[c]
                        full[f"{c}_nfkc"] = None if value is None else unicodedata.normalize("NFKC", str(value))
                full.update(_file=f"{table}_fixture.csv", _load_seq=1, _row=i)
                names = [c for c in full if c in cols]
                assert len(names) == len(full), f"{table}: unknown columns {set(full) - set(cols)}"
                sql = f"INSERT INTO raw.{table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
                con.execute(sql, [full[c] for c in names])
    finally:
        con.close()


def dbt(args: list[str], db: Path, project_dir: Path = PROJECT) -> subprocess.CompletedProcess:
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    cmd = ["uv", "run", "dbt", *args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    cmd += ["--vars", json.dumps({"daiwei_db_path": str(db)})]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)


def build(db: Path, project_dir: Path = PROJECT, target_path: Path | None = None) -> None:
    args = ["build"]
    if target_path is not None:
        args += ["--target-path", str(target_path)]
    p = dbt(args, db, project_dir)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]


def kpis(db: Path) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("SELECT * FROM marts.fct_kpi")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = tmp_path_factory.mktemp("dbt") / "warehouse.duckdb"
    write_raw(db)
    build(db, target_path=db.parent / "target")  # never dbt_project/target, which Dagster reads (pytest -n)
    yield db


@pytest.fixture(scope="module")
def rows(warehouse: Path) -> list[dict]:
    return kpis(warehouse)


def one(rows: list[dict], month: str, code: str, contractor: str = "", prefecture: str = "") -> dict:
    hit = [
        r
        for r in rows
        if (r["month"], r["kpi_code"], r["contractor"], r["prefecture"]) == (month, code, contractor, prefecture)
    ]
    assert len(hit) == 1, (month, code, contractor, prefecture, hit)
    return hit[0]


# --------------------------------------------------------------------------- the contract


def test_every_kpi_at_every_grain_for_every_month(rows: list[dict]) -> None:
    catalogue = {r["kpi_code"] for r in rows}
    assert len(catalogue) == 26
    months = sorted({r["month"] for r in rows})
    assert months == ["2026-08", "2026-09", "2026-10"]
    contractors = {"铁通", "天龙讯"}
    pairs = {("铁通", "贵阳市"), ("铁通", "遵义市"), ("天龙讯", "安顺市")}
    assert {r["contractor"] for r in rows} - {""} == contractors
    for m in months:
        for code in catalogue - CONTRACTOR_ONLY:
            one(rows, m, code)
            for c in contractors:
                one(rows, m, code, c)
            for c, p in pairs:
                one(rows, m, code, c, p)
        for code in CONTRACTOR_ONLY:
            for c in contractors:
                one(rows, m, code, c)
    every_grain = 1 + len(contractors) + len(pairs)
    assert len(rows) == len(months) * ((len(catalogue) - 2) * every_grain + 2 * len(contractors))
    keys = [(r["month"], r["kpi_code"], r["contractor"], r["prefecture"]) for r in rows]
    assert len(keys) == len(set(keys))


def test_values_follow_numerator_and_denominator(rows: list[dict]) -> None:
    for r in rows:
        if r["kpi_code"] in CONTRACTOR_ONLY:
            continue
        if r["denominator"] == 0:
            assert r["value"] is None and r["met"] is None, r
            continue
        assert r["value"] == (r["numerator"] / r["denominator"]).quantize(Decimal("0.000001")), r
        if r["kpi_code"] not in NOT_A_SHARE:
            assert 0 <= r["numerator"] <= r["denominator"], r


def test_empty_populations_are_exported_empty(rows: list[dict]) -> None:
    # 天龙讯 has no acceptance in October and no ticket in August
    for code in ("acceptance_first_pass_rate", "acceptance_docs_timely_rate", "post_acceptance_fault_rate"):
        r = one(rows, "2026-10", code, "天龙讯", "安顺市")
        assert (r["numerator"], r["denominator"], r["value"]) == (0, 0, None)
    r = one(rows, "2026-08", "fault_timely_rate", "天龙讯")
    assert (r["denominator"], r["value"]) == (0, None)


def test_hand_computed_values(rows: list[dict]) -> None:
    # September faults and complaints: T1 (exactly 4 h), T2 (2 h after suspension), T3 (no completion)
    r = one(rows, "2026-09", "fault_timely_rate")
    assert (r["numerator"], r["denominator"], r["value"]) == (2, 3, Decimal("0.666667"))
    # August MTTR: T6 took 3 h 0 min 30 s = 3.008333… h
    r = one(rows, "2026-08", "fault_mttr_hours", "铁通")
    assert (r["numerator"], r["denominator"], r["value"]) == (Decimal("3.008333"), 1, Decimal("3.008333"))
    # October 10086 complaint in 乡镇 over 5 h by one second: 天龙讯 1 of 2 on time
    r = one(rows, "2026-10", "fault_timely_rate", "天龙讯", "安顺市")
    assert (r["numerator"], r["denominator"]) == (1, 2)
    # repeat: T1 repeats T6 across the month boundary; the cancelled T5 does not count
    r = one(rows, "2026-09", "repeat_fault_rate", "铁通", "贵阳市")
    assert (r["numerator"], r["denominator"]) == (1, 1)
    # staffing: 铁通 September, E01 + E02 at month end over GY-001 + ZY-002 in service = 2 / 0.02
    r = one(rows, "2026-09", "staffing_per_100", "铁通")
    assert (r["numerator"], r["denominator"], r["value"]) == (2, Decimal("0.02"), 100)
    # turnover: E03 left 09-15 and E10 on 09-30, of four employed on 09-01
    r = one(rows, "2026-09", "turnover_rate")
    assert (r["numerator"], r["denominator"]) == (2, 4)
    # documents: A1 on time, A2 on time across National Day, A3 late across a weekend
    r = one(rows, "2026-09", "acceptance_docs_timely_rate")
    assert (r["numerator"], r["denominator"]) == (2, 3)
    # ledger: September GY-001 consistent after normalisation, ZY-002 missing, AS-003 (no ledger)
    # and GY-004 (no contractor) inconsistent
    r = one(rows, "2026-09", "ledger_consistency_rate")
    assert (r["numerator"], r["denominator"]) == (1, 4)
    # instruments: 铁通 贵阳市 complete in September, the OTDR's calibration lapses in October
    assert one(rows, "2026-09", "instrument_coverage_rate", "铁通", "贵阳市")["value"] == 1
    assert one(rows, "2026-10", "instrument_coverage_rate", "铁通", "贵阳市")["value"] == 0


def test_penalty_items_sum_to_penalty_yuan(warehouse: Path, rows: list[dict]) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        items = con.execute(
            "SELECT month, contractor, sum(amount_yuan) FROM marts.fct_penalty_items GROUP BY ALL"
        ).fetchall()
    finally:
        con.close()
    totals = {(m, c): v for m, c, v in items}
    for r in rows:
        if r["kpi_code"] == "penalty_yuan":
            assert r["value"] == totals.get((r["month"], r["contractor"]), 0), r
            assert (r["numerator"], r["denominator"]) == (r["value"], 1)
    # 铁通 September: T3 timeout 200 + late ack 20; T4 3 missing items 60 + 3 missing photos 60;
    # E01 clean (T1, T2): bonus −100; E02 has faults: no bonus → 240
    assert one(rows, "2026-09", "penalty_yuan", "铁通")["value"] == 240


# --------------------------------------------------------------------------- tooling


def test_sqlfluff_lint_is_clean(tmp_path: Path) -> None:
    # dbt's compile output goes to a private folder: dbt_project/target holds the manifest Dagster reads
    p = subprocess.run(
        ["uv", "run", "sqlfluff", "lint", "dbt_project/models", "dbt_project/tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_TARGET_PATH": str(tmp_path / "target")},
    )
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]


def test_editing_a_seed_changes_the_numbers(tmp_path: Path, rows: list[dict]) -> None:
    """Rules are data: lowering the 城区 fault limit in the seed from 240 to 239 minutes makes T1
    (restored exactly at 4 h) late, so September's fault_timely_rate numerator drops from 2 to 1."""
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
    limits = project / "seeds" / "rules" / "ticket_time_limits.csv"
    limits.write_text(
        limits.read_text(encoding="utf-8").replace("故障,*,城区,240", "故障,*,城区,239"), encoding="utf-8"
    )
    db = tmp_path / "warehouse.duckdb"
    write_raw(db)
    p = dbt(["build", "--exclude", "resource_type:unit_test"], db, project)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
    before = one(rows, "2026-09", "fault_timely_rate")
    after = one(kpis(db), "2026-09", "fault_timely_rate")
    assert (before["numerator"], after["numerator"]) == (2, 1)
