"""Every bad-row kind lands in rejects with its column and reason; whole files are rejected cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TICKET_HEADER, ticket, write_csv, write_xlsx

BAD_TICKETS = [
    # (the override that makes the row bad, the column named, a word of the reason)
    ({"派单时间": "2026-13-45 25:00"}, "派单时间", "无法解析的时间"),
    ({"派单时间": ""}, "派单时间", "必填项为空"),
    ({"工单编号": "  "}, "工单编号", "必填项为空"),
    ({"区县": "都匀市"}, "区县", "区县不属于该地市"),
    ({"区县": "不存在县"}, "区县", "区县不属于该地市"),
    ({"地市": "火星市"}, "地市", "未知地市"),
    ({"挂起时长(分钟)": "-30"}, "挂起时长(分钟)", "负数"),
    ({"挂起时长(分钟)": "1.5"}, "挂起时长(分钟)", "不是整数"),
    ({"工单类型": "维修"}, "工单类型", "不在允许值内"),
    ({"区域类型": "郊区"}, "区域类型", "不在允许值内"),
]


def test_each_bad_ticket_kind_rejected_with_column_and_reason(tmp_path: Path, wh) -> None:
    rows = [TICKET_HEADER, ticket("GOOD-1")]
    rows += [ticket(f"BAD-{i}", **over) for i, (over, _, _) in enumerate(BAD_TICKETS)]
    write_csv(tmp_path / "in" / "tickets_a.csv", rows, "gbk")
    [res] = wh.load(tmp_path / "in")
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (len(rows) - 1, 1, len(BAD_TICKETS))
    got = wh.rows('SELECT row, "column", reason, raw FROM audit.rejects ORDER BY row')
    for (row, column, reason, raw), (_, want_col, want_word) in zip(got, BAD_TICKETS, strict=True):
        assert column == want_col, (row, reason)
        assert want_word in reason
        assert "工单编号" in raw  # the raw cells are kept with their headers
    assert [g[0] for g in got] == list(range(3, 3 + len(BAD_TICKETS)))
    assert wh.rows("SELECT ticket_id FROM raw.tickets") == [("GOOD-1",)]


@pytest.mark.parametrize(
    ("file", "header", "row", "column", "word"),
    [
        (
            "device_metrics_a.csv",
            ["设备编号", "采集时间", "CPU利用率(%)"],
            ["D1", "2026-10-01 01:00", "130"],
            "CPU利用率(%)",
            "超过上限100",
        ),
        (
            "device_metrics_b.csv",
            ["设备编号", "采集时间", "Ping发送数", "Ping丢包数"],
            ["D1", "2026-10-01 01:00", "10", "11"],
            "Ping丢包数",
            "丢包数大于发送数",
        ),
        (
            "inspections_a.csv",
            ["巡检单号", "站点编号", "巡检时间", "发现问题数", "现场整改数"],
            ["X1", "S1", "2026-10-01 10:00", "1", "2"],
            "现场整改数",
            "现场整改数大于发现问题数",
        ),
        (
            "inspections_b.csv",
            ["巡检单号", "站点编号", "巡检时间", "配置已备份"],
            ["X1", "S1", "2026-10-01 10:00", "已备份"],
            "配置已备份",
            "不是是/否值",
        ),
        (
            "inspections_c.csv",
            ["巡检单号", "站点编号", "巡检时间", "接地电阻(Ω)"],
            ["X1", "S1", "2026-10-01 10:00", "四欧"],
            "接地电阻(Ω)",
            "不是数字",
        ),
        (
            "hr_roster_a.csv",
            ["统计月份", "工号", "代维公司"],
            ["2026-13", "T1", "铁通"],
            "统计月份",
            "无法解析的月份",
        ),
        (
            "hr_roster_b.csv",
            ["统计月份", "工号", "代维公司", "入职日期"],
            ["2026-10", "T1", "铁通", "2026-02-30"],
            "入职日期",
            "无法解析的日期",
        ),
        ("eoms_circuits_a.csv", ["专线编号", "带宽(M)"], ["C1", "0"], "带宽(M)", "小于下限1"),
        (
            "spare_parts_a.csv",
            ["统计月份", "代维公司", "地市", "备件类型", "期末库存"],
            ["2026-10", "铁通", "贵阳市", "ONU", "-1"],
            "期末库存",
            "负数",
        ),
    ],
)
def test_bad_row_kinds_across_datasets(tmp_path: Path, wh, file, header, row, column, word) -> None:
    write_csv(tmp_path / "in" / file, [header, row])
    [res] = wh.load(tmp_path / "in")
    assert (res.status, res.rows_read, res.rows_loaded, res.rows_rejected) == ("loaded", 1, 0, 1)
    [(got_row, got_col, reason)] = wh.rows('SELECT row, "column", reason FROM audit.rejects')
    assert (got_row, got_col) == (2, column)
    assert word in reason


def test_confirmation_form_items_are_never_bad_rows(tmp_path: Path, wh) -> None:
    header = TICKET_HEADER + ["用户IP地址", "VLAN", "设备MAC地址", "用户签名", "到达现场时间", "客户满意度"]
    row = ticket("GZ-1", 完成时间="不详") + ["10.0.0.256", "5000", "ZZ:ZZ", "已签", "昨天", "很好"]
    write_csv(tmp_path / "in" / "tickets_a.csv", [header, row])
    [res] = wh.load(tmp_path / "in")
    assert (res.rows_loaded, res.rows_rejected) == (1, 0)
    assert wh.rows(
        "SELECT ip_address, vlan, customer_signed, customer_signed_text, arrived_at, arrived_at_text, "
        "completed_at, completed_at_text FROM raw.tickets"
    ) == [("10.0.0.256", "5000", None, "已签", None, "昨天", None, "不详")]


@pytest.mark.parametrize(
    ("name", "content", "word"),
    [
        ("tickets_2026-09_export.xlsx", b"this is not a workbook", "不是有效的Excel文件"),
        ("tickets_x.docx", b"PK\x03\x04", "不支持的文件格式"),
        ("汇总说明.csv", "项目,说明\n巡检,每月一次\n".encode("gbk"), "无法识别的表头"),
        (
            "inspections_nodate.csv",
            "巡检单号,站点编号,巡检结果\nX1,S1,正常\n".encode(),
            "缺少必填列: 巡检时间",
        ),
        ("device_metrics_x.parquet", b"PAR1garbage", "不是有效的Parquet文件"),
        ("tickets_bin.csv", bytes(range(128, 256)) * 10, "无法识别的文本编码"),
    ],
)
def test_broken_file_rejected_whole_good_file_still_loads(tmp_path: Path, wh, name, content, word) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_bytes(content)
    write_csv(tmp_path / "in" / "zz_tickets_good.csv", [TICKET_HEADER, ticket("GZ-1")])
    results = {r.file: r for r in wh.load(tmp_path / "in")}
    bad = results[name]
    assert (bad.status, bad.rows_read, bad.rows_loaded, bad.rows_rejected) == ("rejected", 0, 0, 0)
    assert word in bad.message and " / " in bad.message  # Chinese / English, one line
    assert "\n" not in bad.message
    assert results["zz_tickets_good.csv"].status == "loaded"
    assert wh.one("SELECT count(*) FROM raw.tickets") == 1


def test_reconciliation_holds_for_every_file(tmp_path: Path, wh) -> None:
    write_csv(tmp_path / "in" / "tickets_a.csv", [TICKET_HEADER, ticket("A"), ticket("B", "x"), ticket("A")])
    write_xlsx(tmp_path / "in" / "tickets_b.xlsx", [TICKET_HEADER, ticket("C"), ticket("D", 区县="都匀市")])
    wh.load(tmp_path / "in")
    for read, loaded, rejected, n_rejects in wh.rows(
        "SELECT rows_read, rows_loaded, rows_rejected, "
        "(SELECT count(*) FROM audit.rejects r WHERE r.load_seq = l.load_seq) FROM audit.load_log l"
    ):
        assert read == loaded + rejected
        assert rejected == n_rejects


def test_the_good_row_query_without_reasons_decides_every_row_as_the_full_one(tmp_path: Path) -> None:
    """Decision 114: the good-row query leaves out the reason layer (f_<col>, `_rerrs`); the rejects
    query keeps it. Both must decide `_bad` and parse every value identically, row for row, for files
    with every bad-row kind, an extra column and an over-long cell, from a CSV and a workbook."""
    import duckdb

    from ingestion.files import DEFAULT_LIMITS
    from ingestion.loader import _open, _resolve, plan_files, prepare_connection
    from ingestion.validate import parsed_relation

    rows = [[*TICKET_HEADER, "备注X"], [*ticket("GOOD-1"), "x"]]
    rows += [[*ticket(f"BAD-{i}", **over), ""] for i, (over, _, _) in enumerate(BAD_TICKETS)]
    rows.append([*ticket("LONG-1"), "长" * (DEFAULT_LIMITS.max_field_chars + 1)])
    write_csv(tmp_path / "in" / "tickets_a.csv", rows, "utf-8")
    write_xlsx(tmp_path / "in" / "tickets_b.xlsx", rows)
    con = duckdb.connect()
    prepare_connection(con)
    compared = 0
    for i, pf in enumerate(plan_files(con, tmp_path / "in")):
        source = _open(con, pf, f"src_t{i}", DEFAULT_LIMITS)
        match = _resolve(pf, source)
        good = parsed_relation(source, match, DEFAULT_LIMITS.max_field_chars, reasons=False)
        full = parsed_relation(source, match, DEFAULT_LIMITS.max_field_chars)
        assert "_rerrs" not in good and ' AS "f_' not in good and "_rerrs" in full
        cols = ", ".join(
            ["_row", "_bad", "_extra"]
            + [f'"p_{c.name}"' for c in match.dataset.columns]
            + [f'"b_{c.name}"' for c in match.dataset.columns]
        )
        a = con.execute(f"SELECT {cols} FROM ({good}) ORDER BY _row").fetchall()
        b = con.execute(f"SELECT {cols} FROM ({full}) ORDER BY _row").fetchall()
        assert a == b and any(r[1] for r in a), pf.file
        compared += 1
    assert compared == 2


def test_small_files_checked_once_load_and_reject_exactly_as_streamed_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 114: a file of at most SMALL_FILE_ROWS rows is checked once into a temporary table that
    both inserts read; a larger one is streamed by each. Both ways give the same raw rows and rejects
    (row, column, reason, raw cells), for CSV and workbook files with every bad-row kind, an extra
    column, an over-long cell and a line that cannot be decoded."""
    import duckdb

    from ingestion import loader
    from ingestion.files import DEFAULT_LIMITS
    from tests.hostile_files import mixed_encoding_csv

    rows = [[*TICKET_HEADER, "备注X"], [*ticket("GOOD-1"), "x"]]
    rows += [[*ticket(f"BAD-{i}", **over), ""] for i, (over, _, _) in enumerate(BAD_TICKETS)]
    rows.append([*ticket("LONG-1"), "长" * (DEFAULT_LIMITS.max_field_chars + 1)])
    inbox = tmp_path / "in"
    write_csv(inbox / "tickets_a.csv", rows, "gbk")
    write_xlsx(inbox / "tickets_b.xlsx", rows)
    mixed_encoding_csv(inbox / "tickets_c.csv")

    def load(name: str) -> tuple[list[tuple], list[tuple], list[tuple]]:
        con = duckdb.connect(str(tmp_path / f"{name}.duckdb"))
        results = loader.load_folder(con, inbox, "run")
        raw = con.execute("SELECT * EXCLUDE (_load_seq) FROM raw.tickets ORDER BY _file, _row").fetchall()
        rejects = con.execute(
            'SELECT file, row, "column", reason, raw FROM audit.rejects ORDER BY file, row'
        ).fetchall()
        con.close()
        return [(r.file, r.rows_read, r.rows_loaded, r.rows_rejected, r.status) for r in results], raw, rejects

    # which path a file took: only the checked-once path computes the reasons over its temporary table
    over: list[str] = []
    real_reasons_over = loader.reasons_over
    monkeypatch.setattr(loader, "reasons_over", lambda *a, **k: over.append(a[2]) or real_reasons_over(*a, **k))

    checked_once = load("small")
    assert len(over) == 3, over  # every file has bad rows, every file is small
    monkeypatch.setattr(loader, "SMALL_FILE_ROWS", -1)
    assert load("streamed") == checked_once and len(over) == 3
    monkeypatch.setattr(loader, "SMALL_FILE_ROWS", 20_000)
    monkeypatch.setattr(loader, "SMALL_FILE_BYTES", 0)  # few rows, but too many bytes: streamed too
    assert load("streamed_by_size") == checked_once and len(over) == 3
    files, raw, rejects = checked_once
    assert [f[4] for f in files] == ["loaded"] * 3 and raw and len(rejects) >= 2 * (len(BAD_TICKETS) + 1)
