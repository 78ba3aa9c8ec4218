"""The ordering rule: duplicates, corrections, late files, snapshots, idempotency."""

from __future__ import annotations

import shutil
from pathlib import Path

from demo_data.metrics import H_CIRCUIT, H_CPU, H_DEVICE, H_LAT, H_LOST, H_MEM, H_SENT, H_SIZE, H_TIME, H_TYPE
from tests.conftest import TICKET_HEADER, ticket, write_csv

ROSTER = ["统计月份", "工号", "姓名", "代维公司", "岗位"]


def _dump(wh) -> list[tuple]:
    out = []
    for table in ("raw.tickets", "raw.hr_roster", "audit.rejects"):
        out.append(
            tuple(
                wh.rows(
                    f"SELECT * EXCLUDE ({'load_seq' if 'audit' in table else '_load_seq'}) FROM {table} ORDER BY ALL"
                )
            )
        )
    return out


def test_identical_file_twice_is_skipped(tmp_path: Path, wh) -> None:
    a = write_csv(tmp_path / "in" / "tickets_2026-10_20261105.csv", [TICKET_HEADER, ticket("A")], "gbk")
    shutil.copy(a, tmp_path / "in" / "tickets_2026-10_20261105_resent.csv")
    res = wh.load(tmp_path / "in")
    assert [r.status for r in res] == ["loaded", "skipped"]
    assert "tickets_2026-10_20261105.csv" in res[1].message
    assert wh.one("SELECT count(*) FROM raw.tickets") == 1


def test_later_correction_wins_and_last_row_in_a_file_wins(tmp_path: Path, wh) -> None:
    write_csv(
        tmp_path / "in" / "tickets_2026-10_20261105.csv",
        [TICKET_HEADER, ticket("A", 完成时间=""), ticket("B"), ticket("B", 完成时间="2026-10-03 15:00")],
    )
    write_csv(
        tmp_path / "in" / "tickets_2026-10_20261110.csv",
        [TICKET_HEADER, ticket("A", 完成时间="2026-10-03 18:00", 工单状态="已作废")],
    )
    wh.load(tmp_path / "in")
    got = dict((r[0], (str(r[1]), r[2])) for r in wh.rows("SELECT ticket_id, completed_at, status FROM raw.tickets"))
    assert got == {"A": ("2026-10-03 18:00:00", "已作废"), "B": ("2026-10-03 15:00:00", "已归档")}


def test_a_late_file_that_sorts_earlier_does_not_override(tmp_path: Path, wh) -> None:
    write_csv(tmp_path / "run1" / "tickets_2026-10_20261110.csv", [TICKET_HEADER, ticket("A", 工单状态="已归档")])
    wh.load(tmp_path / "run1", "r1")
    shutil.copytree(tmp_path / "run1", tmp_path / "run2")
    write_csv(tmp_path / "run2" / "tickets_2026-10_20261105.csv", [TICKET_HEADER, ticket("A", 工单状态="处理中")])
    wh.load(tmp_path / "run2", "r2")
    assert wh.one("SELECT status FROM raw.tickets") == "已归档"


def test_rejected_row_is_never_applied_previous_row_stands(tmp_path: Path, wh) -> None:
    write_csv(tmp_path / "in" / "tickets_1.csv", [TICKET_HEADER, ticket("A", 完成时间="2026-10-03 15:00")])
    write_csv(tmp_path / "in" / "tickets_2.csv", [TICKET_HEADER, ticket("A", "垃圾时间")])
    wh.load(tmp_path / "in")
    assert str(wh.one("SELECT completed_at FROM raw.tickets")) == "2026-10-03 15:00:00"


def test_snapshot_replaced_whole_by_a_later_file(tmp_path: Path, wh) -> None:
    write_csv(
        tmp_path / "in" / "hr_roster_2026-10_铁通_20261102.csv",
        [
            ROSTER,
            ["2026-10", "T1", "张三", "铁通", "技术人员"],
            ["2026-10", "T2", "李四", "铁通", "班组长"],
            ["2026-09", "T1", "张三", "铁通", "技术人员"],
        ],
    )
    write_csv(
        tmp_path / "in" / "hr_roster_2026-10_天龙讯.csv",
        [ROSTER, ["2026-10", "L1", "王五", "天龙讯", "技术人员"]],
    )
    write_csv(
        tmp_path / "in" / "hr_roster_2026-10_铁通_20261109.csv",
        [ROSTER, ["2026-10", "T1", "张三", "铁通", "班组长"], ["2026-10", "T3", "赵六", "铁通", "技术人员"]],
    )
    wh.load(tmp_path / "in")
    got = wh.rows(
        "SELECT strftime(roster_month, '%Y-%m'), contractor, employee_id, role FROM raw.hr_roster ORDER BY ALL"
    )
    assert got == [
        ("2026-09", "铁通", "T1", "技术人员"),  # another month: untouched
        ("2026-10", "天龙讯", "L1", "技术人员"),  # another contractor: untouched
        ("2026-10", "铁通", "T1", "班组长"),
        ("2026-10", "铁通", "T3", "技术人员"),  # T2 left with the replaced snapshot
    ]


def test_snapshot_not_replaced_by_a_file_with_no_good_row_for_it(tmp_path: Path, wh) -> None:
    write_csv(tmp_path / "in" / "hr_roster_1.csv", [ROSTER, ["2026-10", "T1", "张三", "铁通", "技术人员"]])
    write_csv(tmp_path / "in" / "hr_roster_2.csv", [ROSTER, ["2026-10", "T9", "坏行", "铁通", "厨师"]])
    res = wh.load(tmp_path / "in")
    assert res[1].rows_rejected == 1
    assert wh.rows("SELECT employee_id FROM raw.hr_roster") == [("T1",)]


def test_ledger_duplicate_lines_are_kept(tmp_path: Path, wh) -> None:
    header = ["统计月份", "代维公司", "专线编号", "客户名称"]
    write_csv(
        tmp_path / "in" / "ledger_1.csv",
        [header, ["2026-10", "铁通", "C1", "甲"], ["2026-10", "铁通", "C1", "甲"]],
    )
    wh.load(tmp_path / "in")
    assert wh.one("SELECT count(*) FROM raw.ledger") == 2


def test_loading_the_same_folder_twice_changes_nothing(tmp_path: Path, wh) -> None:
    write_csv(
        tmp_path / "in" / "tickets_1.csv",
        [TICKET_HEADER, ticket("A"), ticket("B", "bad"), ticket("A")],
        "gb18030",
    )
    write_csv(
        tmp_path / "in" / "hr_roster_1.csv",
        [ROSTER, ["2026-10", "T1", "张三", "铁通", "技术人员"]],
        "utf-8-sig",
    )
    (tmp_path / "in" / "readme.txt").write_text("no header here\n")
    wh.load(tmp_path / "in", "r1")
    before = _dump(wh)
    res = wh.load(tmp_path / "in", "r2")
    assert [(r.file, r.status) for r in res] == [
        ("hr_roster_1.csv", "skipped"),
        ("readme.txt", "rejected"),
        ("tickets_1.csv", "skipped"),
    ]
    assert _dump(wh) == before


def test_an_unchanged_file_is_not_read_again_a_rewritten_one_is(tmp_path: Path, wh, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """offered_files hashes a file only when its stat changed (audit.file_stats): a file rewritten in place
    with the same size and its modification time set back is still read again (its ctime moved)."""
    import os

    import ingestion.loader
    from ingestion.files import sha256_of

    reads: list[str] = []

    def counting(path: Path) -> str:
        reads.append(Path(path).name)
        return sha256_of(path)

    monkeypatch.setattr(ingestion.loader, "sha256_of", counting)
    a = write_csv(tmp_path / "in" / "tickets_2026-10_a.csv", [TICKET_HEADER, ticket("A", 工单状态="处理中")])
    b = write_csv(tmp_path / "in" / "tickets_2026-10_b.csv", [TICKET_HEADER, ticket("B")])
    assert [r.status for r in wh.load(tmp_path / "in", "r1")] == ["loaded", "loaded"]
    assert sorted(reads) == ["tickets_2026-10_a.csv", "tickets_2026-10_b.csv"]

    reads.clear()
    assert [r.status for r in wh.load(tmp_path / "in", "r2")] == ["skipped", "skipped"]
    assert reads == []  # nothing changed: nothing read to hash

    before = os.stat(a)
    a.write_bytes(a.read_bytes().replace("处理中".encode(), "已归档".encode()))  # same size, new content
    os.utime(a, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(a).st_size == before.st_size and os.stat(a).st_mtime_ns == before.st_mtime_ns
    reads.clear()
    assert [r.status for r in wh.load(tmp_path / "in", "r3")] == ["loaded", "skipped"]
    assert reads == ["tickets_2026-10_a.csv"]
    assert wh.one("SELECT status FROM raw.tickets WHERE ticket_id = 'A'") == "已归档"
    assert wh.one("SELECT count(*) FROM audit.file_stats") == 2 and b.exists()


METRICS = [H_DEVICE, H_CIRCUIT, H_TYPE, H_TIME, H_CPU, H_MEM, H_SIZE, H_SENT, H_LOST, H_LAT]


def _sample(device: str, at: str, cpu: str) -> list[str]:
    return [device, "GZ-ZX-0001", "路由器", at, cpu, "40", "64", "100", "0", "3.5"]


def test_a_key_inside_the_new_files_range_is_found_outside_it_nothing_is_scanned(tmp_path: Path, wh) -> None:
    """The overlap check is bounded by the key range of the rows just loaded (apply._key_bounds): a
    correction among new keys is still found, an earlier month with no shared key is left alone."""
    write_csv(
        tmp_path / "run1" / "device_metrics_2026-09.csv",
        [METRICS, _sample("D1", "2026-09-01 00:00", "10"), _sample("D1", "2026-09-02 00:00", "11"),
         _sample("D2", "2026-09-02 00:00", "12")],
    )  # fmt: skip
    wh.load(tmp_path / "run1", "r1")
    shutil.copytree(tmp_path / "run1", tmp_path / "run2")
    # the new month, and one corrected September sample inside the new file's (device, time) range
    write_csv(
        tmp_path / "run2" / "device_metrics_2026-10.csv",
        [METRICS, _sample("D1", "2026-09-02 00:00", "99"), _sample("D1", "2026-10-01 00:00", "20")],
    )
    wh.load(tmp_path / "run2", "r2")
    shutil.copytree(tmp_path / "run2", tmp_path / "run3")
    # keys all outside every earlier range (another device, a later time): nothing replaced
    write_csv(tmp_path / "run3" / "device_metrics_2026-11.csv", [METRICS, _sample("D9", "2026-11-01 00:00", "30")])
    wh.load(tmp_path / "run3", "r3")
    got = wh.rows("SELECT device_id, strftime(collected_at, '%m-%d'), cpu_pct FROM raw.device_metrics ORDER BY ALL")
    assert got == [
        ("D1", "09-01", 10.0),
        ("D1", "09-02", 99.0),  # the correction won
        ("D1", "10-01", 20.0),
        ("D2", "09-02", 12.0),  # same time as the correction, another device: untouched
        ("D9", "11-01", 30.0),
    ]


def test_months_loaded_are_the_months_of_the_rows_a_run_loaded(tmp_path: Path, wh) -> None:
    """What the data-quality step re-validates: the months of this run's loaded rows, by their
    month column (a ticket's dispatch), never those of earlier runs or of rejected rows."""
    from ingestion.loader import months_loaded

    write_csv(
        tmp_path / "a" / "tickets_2026-09_20261005.csv",
        [TICKET_HEADER, ticket("A", "2026-08-31 23:59:59"), ticket("B", "2026-09-01 00:00:00")],
    )
    wh.load(tmp_path / "a", "run-1")
    write_csv(
        tmp_path / "b" / "tickets_2026-10_20261105.csv",
        [TICKET_HEADER, ticket("C", "2026-10-01 00:00:00"), ticket("D", "not a time")],
    )
    wh.load(tmp_path / "b", "run-2")
    assert months_loaded(wh.con, "run-1") == {"2026-08", "2026-09"}
    assert months_loaded(wh.con, "run-2") == {"2026-10"}
    assert months_loaded(wh.con, "run-3") == set()
