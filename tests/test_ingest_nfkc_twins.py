"""NFKC twins (docs/decisions.md 95): ingestion stores NFKC(value) as `<name>_nfkc`, so no model needs a UDF."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from core.seeds import ledger_fields
from ingestion import ddl
from ingestion.datasets import BY_NAME, DATASETS
from ingestion.model import Kind
from ingestion.textnorm import register_udfs
from tests.conftest import TICKET_HEADER, ticket, write_csv, write_xlsx

# The columns the dbt models compare after NFKC (grep normalize_text / nfkc_trim in dbt_project).
EXPECTED = {
    "tickets": {"ip_address", "vlan", "mac_address"},
    "hr_roster": {"certifications"},
    "eoms_circuits": {"customer_name", "service_type", "prefecture", "county", "access_type", "a_address", "z_address"},
    "ledger": {"customer_name", "service_type", "prefecture", "county", "access_type", "a_address", "z_address"},
}


def _nfkc(value: object) -> str | None:
    return None if value is None else unicodedata.normalize("NFKC", str(value))


def test_twins_are_exactly_the_columns_the_models_normalise() -> None:
    got = {d.name: {c for c, _ in ddl.nfkc_twins(d)} for d in DATASETS if ddl.nfkc_twins(d)}
    assert got == EXPECTED
    text_fields = {f.name for f in ledger_fields() if f.is_text}
    assert text_fields <= EXPECTED["ledger"] and text_fields <= EXPECTED["eoms_circuits"]


def test_enum_twins_store_the_value_because_allowed_values_are_nfkc() -> None:
    for d in DATASETS:
        for c in d.columns:
            if c.nfkc_twin and c.kind is Kind.ENUM:
                assert all(unicodedata.normalize("NFKC", a) == a for a in c.allowed), c.name


def test_twins_come_after_the_lineage_columns() -> None:
    cols = [n for n, _ in ddl.raw_columns(BY_NAME["ledger"])]
    assert cols[-7:] == [f"{c}_nfkc" for c in ("customer_name", "service_type", "prefecture", "county")] + [
        f"{c}_nfkc" for c in ("access_type", "a_address", "z_address")
    ]
    assert cols.index("_extra") == len(cols) - 8


def test_loaded_twins_are_nfkc_of_the_stored_value(tmp_path: Path, wh) -> None:
    header = [*TICKET_HEADER, "用户IP地址", "VLAN", "设备MAC地址"]
    rows = [
        header,
        ticket("GZ-1") + [" １０.1.2.3 ", "１００", "ＡＡ:bb:cc:dd:ee:ff"],
        ticket("GZ-2") + ["10.0.0.1", "", None],
        ticket("GZ-3") + ["\u3000", "7", "aa-bb"],
    ]
    write_csv(tmp_path / "in" / "tickets_a.csv", rows)
    ledger = [
        ["统计月份", "代维公司", "专线编号", "客户名称", "业务类型", "地市", "区县", "接入方式", "A端地址", "Z端地址"],
        [
            "2026-10",
            "铁通",
            "GZ-1",
            "贵州银行\u3000南明支行 ",
            "数据专线",
            " 贵阳市 ",
            "清镇市",
            "ｍｐｌｓ",
            "Ａ座  1号",
            None,
        ],
        ["2026-10", "铁通", "GZ-2", None, "", "贵阳市", "开阳县", "PON", "plain", "  "],
    ]
    write_xlsx(tmp_path / "in" / "台帐_2026-10.xlsx", ledger)
    results = wh.load(tmp_path / "in")
    assert [r.status for r in results] == ["loaded", "loaded"], results
    for table in ("tickets", "ledger"):
        for col, twin in ddl.nfkc_twins(BY_NAME[table]):
            pairs = wh.rows(f'SELECT "{col}", "{twin}" FROM raw.{table}')
            assert pairs and all(t == _nfkc(v) for v, t in pairs), (table, col, pairs)
    assert wh.rows("SELECT ip_address_nfkc, vlan_nfkc, mac_address_nfkc FROM raw.tickets ORDER BY _row") == [
        (" 10.1.2.3 ", "100", "AA:bb:cc:dd:ee:ff"),
        ("10.0.0.1", None, None),
        (None, "7", "aa-bb"),
    ]
    assert wh.one("SELECT a_address_nfkc FROM raw.ledger WHERE circuit_id = 'GZ-1'") == "A座  1号"
    assert wh.one("SELECT access_type_nfkc FROM raw.ledger WHERE circuit_id = 'GZ-1'") == "mpls"


def test_parquet_text_column_gets_its_twin(tmp_path: Path, wh) -> None:
    (tmp_path / "in").mkdir()
    table = pa.table(
        {
            "统计月份": ["2026-10", "2026-10"],
            "工号": ["E1", "E2"],
            "代维公司": ["铁通", "铁通"],
            "证书": ["ＣＣＮＡ；电工证", None],
        }
    )
    pq.write_table(table, tmp_path / "in" / "roster_2026-10.parquet")
    [res] = wh.load(tmp_path / "in")
    assert res.status == "loaded", res
    assert wh.rows("SELECT employee_id, certifications_nfkc FROM raw.hr_roster ORDER BY employee_id") == [
        ("E1", "CCNA;电工证"),
        ("E2", None),
    ]


def test_a_warehouse_without_twins_gains_them_filled_once(tmp_path: Path) -> None:
    """Migration: a raw table made before the twins gets them added and filled by create_all."""
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA raw")
    for d in DATASETS:  # the raw tables as they were: no twin columns
        twins = {t for _, t in ddl.nfkc_twins(d)}
        body = ", ".join(f'"{n}" {t}' for n, t in ddl.raw_columns(d) if n not in twins)
        con.execute(f"CREATE TABLE {d.table} ({body})")
    values = ["贵州银行\u3000南明支行 ", "Ａ座  1号", "plain", None]
    con.executemany(
        "INSERT INTO raw.ledger (circuit_id, customer_name, a_address, prefecture, _row) VALUES (?, ?, ?, ?, ?)",
        [(f"C{i}", v, v, v, i) for i, v in enumerate(values)],
    )
    con.executemany("INSERT INTO raw.tickets (ticket_id, vlan) VALUES (?, ?)", [("T1", "１００"), ("T2", None)])
    con.close()

    con = duckdb.connect(str(db))  # a new process: nothing registered yet
    ddl.create_all(con)
    for d in DATASETS:
        cols = [r[0] for r in con.execute(f"DESCRIBE {d.table}").fetchall()]
        assert cols == [n for n, _ in ddl.raw_columns(d)], d.name  # same order as a fresh table
    got = con.execute(
        "SELECT customer_name_nfkc, a_address_nfkc, prefecture_nfkc, county_nfkc FROM raw.ledger ORDER BY _row"
    ).fetchall()
    assert got == [(_nfkc(v), _nfkc(v), _nfkc(v), None) for v in values]
    assert con.execute("SELECT vlan_nfkc FROM raw.tickets ORDER BY ticket_id").fetchall() == [("100",), (None,)]
    # Filled once: a second pass adds nothing and leaves the values alone.
    con.execute("UPDATE raw.ledger SET a_address_nfkc = 'kept' WHERE circuit_id = 'C2'")
    assert all(ddl.add_nfkc_twins(con, d) == [] for d in DATASETS)
    assert con.execute("SELECT a_address_nfkc FROM raw.ledger WHERE circuit_id = 'C2'").fetchall() == [("kept",)]
    con.close()


def test_migration_agrees_with_loading(tmp_path: Path, wh) -> None:
    """The migration's fill (ingestion's nfkc) equals what a load stores, on the same values."""
    ledger = [
        ["统计月份", "代维公司", "专线编号", "客户名称", "A端地址"],
        ["2026-10", "铁通", "GZ-1", "ＡＢＣ\u3000公司 ", "①号楼 ｶﾞ"],
    ]
    write_csv(tmp_path / "in" / "台帐_a.csv", ledger)
    wh.load(tmp_path / "in")
    loaded = wh.rows("SELECT customer_name_nfkc, a_address_nfkc FROM raw.ledger")
    register_udfs(wh.con)
    migrated = wh.rows("SELECT dw_nfkc(customer_name), dw_nfkc(a_address) FROM raw.ledger")
    assert loaded == migrated == [("ABC 公司 ", "1号楼 ガ")]
