"""Real messy files, one feature each: encodings, Excel serials, header variants, formats, IDs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import fastexcel
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.settings import Limits
from ingestion.files import _excel_sheet
from tests.conftest import TICKET_HEADER, ticket, write_csv, write_xlsx


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_every_csv_encoding_loads_chinese_intact(tmp_path: Path, wh, encoding: str) -> None:
    rows = [
        TICKET_HEADER,
        ticket("GZ-1", 客户名称="x"),
        ticket("GZ-2", 代维公司="天龙讯", 地市="安顺市", 区县="普定县"),
    ]
    rows = [r[: len(TICKET_HEADER)] for r in rows]
    write_csv(tmp_path / "in" / "tickets_a.csv", rows, encoding)
    [res] = wh.load(tmp_path / "in")
    assert (res.status, res.rows_read, res.rows_loaded, res.rows_rejected) == ("loaded", 2, 2, 0)
    assert wh.rows("SELECT contractor, prefecture, county FROM raw.tickets ORDER BY ticket_id") == [
        ("铁通", "贵阳市", "清镇市"),
        ("天龙讯", "安顺市", "普定县"),
    ]


def test_gb18030_only_characters_survive(tmp_path: Path, wh) -> None:
    # 𠀀 (U+20000) has no GBK code: a GB18030 file can carry it, and it must not be mistaken for GBK.
    write_csv(
        tmp_path / "in" / "tickets_a.csv",
        [TICKET_HEADER + ["客户名称"], ticket("GZ-1") + ["𠀀科技"]],
        "gb18030",
    )
    [res] = wh.load(tmp_path / "in")
    assert res.status == "loaded"
    assert wh.one("SELECT customer_name FROM raw.tickets") == "𠀀科技"


def test_xlsx_serial_dates_bare_and_formatted(tmp_path: Path, wh) -> None:
    serial = (dt.datetime(2026, 10, 3, 14, 5) - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    rows = [TICKET_HEADER, ticket("GZ-1", serial, 完成时间=serial + 0.125)]
    write_xlsx(tmp_path / "in" / "a" / "tickets_bare.xlsx", rows)
    write_xlsx(
        tmp_path / "in" / "b" / "tickets_fmt.xlsx",
        [TICKET_HEADER, ticket("GZ-2", serial)],
        date_format="yyyy-mm-dd hh:mm",
    )
    res = wh.load(tmp_path / "in")
    assert [r.status for r in res] == ["loaded", "loaded"]
    got = dict(wh.rows("SELECT ticket_id, dispatched_at FROM raw.tickets"))
    assert got == {"GZ-1": dt.datetime(2026, 10, 3, 14, 5), "GZ-2": dt.datetime(2026, 10, 3, 14, 5)}
    assert wh.one("SELECT completed_at FROM raw.tickets WHERE ticket_id = 'GZ-1'") == dt.datetime(2026, 10, 3, 17, 5)


def test_xlsx_sheet_named_like_the_dataset_is_read(tmp_path: Path, wh) -> None:
    path = tmp_path / "in" / "ledger_2026-10_铁通.xlsx"
    path.parent.mkdir(parents=True)
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表为用户台帐"])
    ws = wb.create_sheet("用户台帐")
    ws.append(["统计月份", "代维公司", "专线编号", "客户名称", "带宽(M)"])
    ws.append(["2026-10", "铁通", "GZ-DL-1", "贵阳某银行", 100])
    wb.save(path)
    [res] = wh.load(tmp_path / "in")
    assert (res.status, res.rows_loaded) == ("loaded", 1)
    assert wh.rows("SELECT ledger_month, circuit_id, bandwidth_mbps FROM raw.ledger") == [
        (dt.date(2026, 10, 1), "GZ-DL-1", 100)
    ]


@pytest.mark.parametrize(
    "variant",
    [" 挂起时长(分钟) ", "挂起时长（分钟）", "挂起时长", "挂起时长 (分钟)"],
    ids=["spaces", "fullwidth_brackets", "no_unit", "space_before_unit"],
)
def test_header_variants_match(tmp_path: Path, wh, variant: str) -> None:
    header = [variant if h == "挂起时长(分钟)" else h for h in TICKET_HEADER]
    write_csv(tmp_path / "in" / "tickets_a.csv", [header, ticket("GZ-1", 挂起时长=None)[:-1] + ["45"]])
    [res] = wh.load(tmp_path / "in")
    assert res.status == "loaded", res.message
    assert wh.one("SELECT suspended_minutes FROM raw.tickets") == 45


def test_alias_header_and_unknown_extra_column_kept(tmp_path: Path, wh) -> None:
    header = ["工单号" if h == "工单编号" else h for h in TICKET_HEADER] + ["备注"]
    write_csv(tmp_path / "in" / "tickets_a.csv", [header, ticket("GZ-1") + ["客户要求周末上门"]])
    [res] = wh.load(tmp_path / "in")
    assert res.status == "loaded"
    assert "备注" in res.message
    assert json.loads(wh.one("SELECT _extra FROM raw.tickets")) == {"备注": "客户要求周末上门"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-03 14:05:00", dt.datetime(2026, 10, 3, 14, 5)),
        ("2026-10-03 14:05", dt.datetime(2026, 10, 3, 14, 5)),
        ("2026/10/3 14:05", dt.datetime(2026, 10, 3, 14, 5)),
        ("2026/10/3 9:05", dt.datetime(2026, 10, 3, 9, 5)),
        ("2026/10/03 14:05:00", dt.datetime(2026, 10, 3, 14, 5)),
        (" 2026-10-03 14:05:07 ", dt.datetime(2026, 10, 3, 14, 5, 7)),
    ],
)
def test_every_timestamp_format(tmp_path: Path, wh, text: str, expected: dt.datetime) -> None:
    write_csv(tmp_path / "in" / "tickets_a.csv", [TICKET_HEADER, ticket("GZ-1", text)])
    wh.load(tmp_path / "in")
    assert wh.one("SELECT dispatched_at FROM raw.tickets") == expected


@pytest.mark.parametrize("text", ["2026-10-03", "2026/10/3", "20261003"])
def test_every_date_format(tmp_path: Path, wh, text: str) -> None:
    write_csv(
        tmp_path / "in" / "acceptance_a.csv",
        [["验收单号", "专线编号", "验收日期", "资料移交日期"], ["YS-1", "GZ-DL-1", text, text]],
        "gbk",
    )
    wh.load(tmp_path / "in")
    assert wh.rows("SELECT accepted_on, docs_handed_on FROM raw.acceptance") == [(dt.date(2026, 10, 3),) * 2]


@pytest.mark.parametrize("text", ["2026-10", "202610"])
def test_both_month_formats(tmp_path: Path, wh, text: str) -> None:
    write_csv(tmp_path / "in" / "hr_roster_a.csv", [["统计月份", "工号", "代维公司"], [text, "T001", "铁通"]])
    wh.load(tmp_path / "in")
    assert wh.one("SELECT roster_month FROM raw.hr_roster") == dt.date(2026, 10, 1)


def test_yes_no_forms(tmp_path: Path, wh) -> None:
    header = ["巡检单号", "站点编号", "巡检时间", "客户签字"]
    rows = [header] + [
        [f"XJ-{i}", "GZ-DL-1", "2026-10-03 10:00", v] for i, v in enumerate(["是", "否", "Y", "N", "1", "0", "", "y"])
    ]
    write_csv(tmp_path / "in" / "inspections_a.csv", rows)
    [res] = wh.load(tmp_path / "in")
    assert res.rows_rejected == 0
    got = [r[0] for r in wh.rows("SELECT customer_signed FROM raw.inspections ORDER BY _row")]
    assert got == [True, False, True, False, True, False, None, True]


def test_fullwidth_and_lowercase_ids_normalised_original_kept(tmp_path: Path, wh) -> None:
    rows = [
        TICKET_HEADER,
        ticket("ＧＺ－０１", 专线编号=" gz-dl-000123 "),
        ticket("gz-02", 专线编号="ＧＺ－ＤＬ－０００１２３"),
    ]
    write_csv(tmp_path / "in" / "tickets_a.csv", rows, "utf-8-sig")
    wh.load(tmp_path / "in")
    assert wh.rows("SELECT ticket_id, ticket_id_raw, circuit_id FROM raw.tickets ORDER BY _row") == [
        ("GZ-01", "ＧＺ－０１", "GZ-DL-000123"),
        ("GZ-02", "gz-02", "GZ-DL-000123"),
    ]


def test_title_row_above_the_header(tmp_path: Path, wh) -> None:
    rows = [["贵州移动集客工单导出 2026年10月"], TICKET_HEADER, ticket("GZ-1"), ticket("GZ-2", "bad")]
    write_xlsx(tmp_path / "in" / "tickets_a.xlsx", rows)
    [res] = wh.load(tmp_path / "in")
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (2, 1, 1)
    assert wh.one("SELECT row FROM audit.rejects") == 4  # title = row 1, header = row 2


def _above_the_data(ws, how: str) -> int:
    """Something (or nothing) above a table; the row the table's header goes on."""
    if how == "blank_text":  # a cell holding only spaces: calamine counts it as used, people do not
        ws["A1"] = "   "
    elif how == "formatted_empty":  # formatting without a value: no reader counts it
        ws["A1"].number_format = "0.00"
    elif how == "zero_far_right":  # a real value, in a column the table does not use
        ws["N2"] = 0
    return 4


@pytest.mark.parametrize("how", ["nothing", "blank_text", "formatted_empty", "zero_far_right"])
def test_reject_rows_are_the_sheet_rows_whatever_is_above_the_table(tmp_path: Path, wh, how: str) -> None:
    """Rows are numbered as Excel numbers them: a bad row on sheet row 6 is rejected as row 6."""
    path = tmp_path / "in" / "tickets_a.xlsx"
    path.parent.mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    top = _above_the_data(ws, how)
    for offset, row in enumerate([TICKET_HEADER, ticket("GZ-1"), ticket("GZ-2", "bad"), ticket("GZ-3")]):
        for col, value in enumerate(row, start=1):
            ws.cell(row=top + offset, column=col, value=value)
    wb.save(path)
    # The header is searched for from the first row calamine itself would start at, as before.
    frame, _, first_row = _excel_sheet(path, ("tickets",), Limits())
    calamine = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, dtypes="string").to_polars()
    assert frame.equals(calamine)
    assert first_row == (1 if how == "blank_text" else 2 if how == "zero_far_right" else top)
    [res] = wh.load(tmp_path / "in")
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (3, 2, 1)
    assert wh.rows("SELECT row FROM audit.rejects") == [(6,)]
    assert wh.rows("SELECT ticket_id, _row FROM raw.tickets ORDER BY 1") == [("GZ-1", 5), ("GZ-3", 7)]


def test_dataset_found_by_header_when_the_name_says_nothing(tmp_path: Path, wh) -> None:
    write_csv(tmp_path / "in" / "导出20261105.csv", [TICKET_HEADER, ticket("GZ-1")], "gbk")
    [res] = wh.load(tmp_path / "in")
    assert (res.dataset, res.status) == ("tickets", "loaded")


def test_parquet_device_metrics_typed_columns(tmp_path: Path, wh) -> None:
    table = pa.table(
        {
            "设备编号": ["dev-1", "DEV-1", "DEV-2"],
            "专线编号": ["GZ-DL-1", "GZ-DL-1", None],
            "采集时间": pa.array([dt.datetime(2026, 10, 1, h) for h in (0, 1, 0)], pa.timestamp("s")),
            "CPU利用率(%)": [12.5, 130.0, 40.0],
            "内存利用率(%)": [30.0, 30.0, 30.0],
            "Ping包长(字节)": pa.array([1472, 1472, 64], pa.int64()),
            "Ping发送数": pa.array([100, 100, 100], pa.int64()),
            "Ping丢包数": pa.array([0, 0, 101], pa.int64()),
            "平均时延(ms)": [3.2, 3.1, 2.0],
        }
    )
    (tmp_path / "in").mkdir()
    pq.write_table(table, tmp_path / "in" / "device_metrics_2026-10.parquet")
    [res] = wh.load(tmp_path / "in")
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (3, 1, 2)
    assert wh.rows('SELECT row, "column" FROM audit.rejects ORDER BY row') == [
        (3, "CPU利用率(%)"),
        (4, "Ping丢包数"),
    ]
    assert wh.one("SELECT device_id FROM raw.device_metrics") == "DEV-1"
