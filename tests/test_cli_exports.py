"""What `--out` writes: a real workbook for `.xlsx`, the CSV for `.csv`, and a usage error for anything else.

The workbook is the CSV in cells: the same header, the same rows in the same
order, numbers as number cells, every other value a string cell (never a
formula), with Excel's quote prefix exactly where the CSV has its apostrophe.
Each test reads the workbook back with openpyxl and compares it with the CSV
export of the same warehouse, cell by cell.
"""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pytest

from cli import main as cli
from core.inert import inert_text, needs_quote
from reporting.exports import EXCEL_MAX_CHARS

HOSTILE = '=HYPERLINK("http://x","点我")'

EXPORTS = {  # name: (arguments, the columns that hold numbers)
    "kpi": (["export"], {"numerator", "denominator", "value"}),
    "kpi_month": (["export", "--month", "2026-10"], {"numerator", "denominator", "value"}),
    "areas": (["export", "--table", "areas"], {"area_no", "denominator", "score"}),
    "rejects": (["rejects"], {"row"}),
    "rejects_clear": (["rejects", "--unmasked"], {"row"}),
    "loads": (["loads"], {"rows_read", "rows_loaded", "rows_rejected"}),
}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """The four tables the exports read, with the cells that make a workbook go wrong: formulas, signs,
    decimals, empty populations, empty contractor / prefecture, Chinese text, a line break, personal data."""
    wh = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(wh))
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE SCHEMA audit")
    con.execute(
        "CREATE TABLE marts.fct_kpi (month VARCHAR, kpi_code VARCHAR, contractor VARCHAR, prefecture VARCHAR, "
        "numerator DECIMAL(38,6), denominator DECIMAL(38,6), value DECIMAL(38,6))"
    )
    con.executemany(
        "INSERT INTO marts.fct_kpi VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("2026-10", "fault_timely_rate", "", "", "1876", "1932", "0.971014"),
            ("2026-10", "fault_timely_rate", "铁通", "贵阳市", "0", "0", None),  # an empty population
            ("2026-10", "fault_mttr_hours", HOSTILE, "-遵义市", "1195.116667", "417", "2.865987"),
            ("2026-10", "penalty_yuan", "铁通", "", "-1240.5", "1", "-1240.5"),
            ("2026-09", "composite_score", "+中移建设", "@毕节\n市", "87.25", "100", "0.8725"),
        ],
    )
    con.execute(
        "CREATE TABLE marts.mart_area_export (month VARCHAR, area_no INTEGER, headline_kpi VARCHAR, "
        "contractor VARCHAR, denominator DECIMAL(38,6), score DECIMAL(38,6))"
    )
    con.executemany(
        "INSERT INTO marts.mart_area_export VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("2026-10", 10, "ledger_consistency_rate", "铁通", "300", "95.5"),
            ("2026-10", 2, "ack_timely_rate", "", "3", "12.345678"),
            ("2026-10", 2, "ack_timely_rate", HOSTILE, "0", None),
        ],
    )
    con.execute(
        'CREATE TABLE audit.rejects (load_seq INTEGER, file VARCHAR, dataset VARCHAR, "row" INTEGER, '
        '"column" VARCHAR, reason VARCHAR, raw VARCHAR)'
    )
    raw = json.dumps({"用户姓名": "欧阳娜娜", "用户联系方式": "13812341234", "备注": HOSTILE}, ensure_ascii=False)
    con.executemany(
        "INSERT INTO audit.rejects VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                1,
                "2026-10/tickets.csv",
                "tickets",
                2,
                "用户联系方式",
                "不是有效的电话 / not a phone: 「13812341234」",
                raw,
            ),
            (2, "=cmd.csv", "tickets", 9, "备注", "-1 太短 / too short", "@SUM(A1:A9)"),
        ],
    )
    con.execute(
        "CREATE TABLE audit.load_log (load_seq INTEGER, file VARCHAR, dataset VARCHAR, sha256 VARCHAR, "
        "rows_read INTEGER, rows_loaded INTEGER, rows_rejected INTEGER, status VARCHAR, message VARCHAR)"
    )
    con.execute(
        "INSERT INTO audit.load_log VALUES (1, '2026-10/tickets.csv', 'tickets', 'ab', 12, 10, 2, 'loaded', ''),"
        " (2, '=cmd.csv', NULL, 'cd', 0, 0, 0, 'rejected', '联系人 13700001234 无法识别 / unreadable')"
    )
    con.close()
    return wh


def _run(*argv: str) -> int:
    return cli.main(list(argv))


def _csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _excel_text(value: str) -> str:
    """A string cell as Excel shows it: xlsxwriter writes control characters as `_xHHHH_`."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), value)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_xlsx_is_the_csv_cell_by_cell(name: str, warehouse: Path, tmp_path: Path) -> None:
    argv, numeric = EXPORTS[name]
    assert _run(*argv, "--warehouse", str(warehouse), "--out", str(tmp_path / "t.csv")) == 0
    assert _run(*argv, "--warehouse", str(warehouse), "--out", str(tmp_path / "t.xlsx")) == 0
    rows = _csv(tmp_path / "t.csv")
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert len(book.worksheets) == 1
    cells = [list(r) for r in book.active.iter_rows()]
    assert len(cells) == len(rows) > 1
    header = rows[0]
    assert [c.value for c in cells[0]] == header
    quoted = 0
    for text_row, cell_row in zip(rows[1:], cells[1:], strict=True):
        assert len(cell_row) == len(header)
        for column, text, cell in zip(header, text_row, cell_row, strict=True):
            assert cell.data_type != "f", (column, cell.value)  # never a formula
            if text == "":
                assert cell.value is None, (column, cell.value)
            elif column in numeric:
                assert cell.data_type == "n" and isinstance(cell.value, int | float), (column, cell.value)
                assert Decimal(text) == Decimal(repr(cell.value)), (column, text, cell.value)
                if Decimal(text) == Decimal(text).to_integral_value():
                    assert isinstance(cell.value, int), (column, cell.value)
            else:
                value = _excel_text(cell.value)
                assert cell.data_type == "s", (column, cell.value)
                assert inert_text(value) == text, (column, text, value)  # the CSV's apostrophe …
                assert bool(cell.quotePrefix) == needs_quote(value), (column, value)  # … is the quote prefix
                quoted += needs_quote(value)
    assert quoted, "the fixture's formulas reach the workbook as quoted text"


def test_xlsx_numbers_are_typed(warehouse: Path, tmp_path: Path) -> None:
    assert _run("export", "--warehouse", str(warehouse), "--out", str(tmp_path / "k.XLSX")) == 0
    sheet = openpyxl.load_workbook(tmp_path / "k.XLSX").active
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    penalty = next(r for r in rows if r[1] == "penalty_yuan")
    assert penalty[4:] == [-1240.5, 1, -1240.5]
    empty = next(r for r in rows if r[2] == "铁通" and r[1] == "fault_timely_rate")
    assert empty[4:] == [0, 0, None]  # an empty population: a blank value, not 0


def test_xlsx_masks_personal_data_as_the_csv_does(warehouse: Path, tmp_path: Path) -> None:
    assert _run("rejects", "--warehouse", str(warehouse), "--out", str(tmp_path / "r.xlsx")) == 0
    values = [c.value for r in openpyxl.load_workbook(tmp_path / "r.xlsx").active.iter_rows() for c in r]
    text = json.dumps(values, ensure_ascii=False)
    assert "13812341234" not in text and "欧阳娜娜" not in text and "138****1234" in text


def test_xlsx_cuts_a_cell_past_excels_limit_and_says_so(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    con = duckdb.connect(str(warehouse))
    con.execute("UPDATE audit.rejects SET raw = ? WHERE load_seq = 2", ["长" * (EXCEL_MAX_CHARS + 10)])
    con.close()
    assert _run("rejects", "--warehouse", str(warehouse), "--out", str(tmp_path / "r.xlsx")) == 0
    assert "32,767" in capsys.readouterr().err
    cell = openpyxl.load_workbook(tmp_path / "r.xlsx").active["F3"].value
    assert len(cell) == EXCEL_MAX_CHARS and cell.endswith("…")


def test_the_same_rows_give_the_same_workbook(warehouse: Path, tmp_path: Path) -> None:
    for name in ("a.xlsx", "b.xlsx"):
        assert _run("export", "--warehouse", str(warehouse), "--out", str(tmp_path / name)) == 0
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


@pytest.mark.parametrize("out", ["x.txt", "x.xls", "x.csv.gz", "x.json", "noextension"])
@pytest.mark.parametrize("command", [["export"], ["export", "--table", "areas"], ["rejects"], ["loads"]])
def test_an_extension_daiwei_does_not_write_is_a_usage_error(
    command: list[str], out: str, warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / out
    assert _run(*command, "--warehouse", str(warehouse), "--out", str(target)) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0, err  # one line …
    assert str(target) in err and ".csv" in err and ".xlsx" in err  # … naming the file and what it writes
    assert re.search(r"[\u4e00-\u9fff]", err) and "daiwei writes" in err  # Chinese and English
    assert not target.exists()


def test_the_extension_is_checked_before_the_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("export", "--warehouse", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "k.txt")) == 2
    assert "k.txt" in capsys.readouterr().err


def test_a_folder_option_given_a_file_is_a_usage_error(
    warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`pack` and `demo-data` write into the folder --out names: a file there is refused, not written beside."""
    existing = tmp_path / "KPI月报.xlsx"
    existing.write_bytes(b"mine")
    for argv in (["pack", "--month", "2026-10", "--warehouse", str(warehouse)], ["demo-data"]):
        assert _run(*argv, "--out", str(existing)) == 2, argv
        err = capsys.readouterr().err
        assert str(existing) in err and err.strip().count("\n") == 0
    assert existing.read_bytes() == b"mine"


# --------------------------------------------------------------------------- help


def _subparsers() -> dict:
    parser = cli._parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return dict(sub.choices)  # type: ignore[attr-defined]


def test_every_option_of_every_subcommand_has_help() -> None:
    for name, p in _subparsers().items():
        assert p.description and " / " in p.description, name  # `daiwei CMD --help` says what it does
        for action in p._actions:
            assert action.help and action.help.strip(), (name, action.option_strings)
            assert re.search(r"[\u4e00-\u9fff]", action.help.split(" / ")[0]), (name, action.help)  # Chinese first


@pytest.mark.parametrize("command", [[], *[[name] for name in sorted(_subparsers())]])
def test_help_reads_and_exits_0(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        cli._parser().parse_args([*command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "选项 / options" in out and "show this help and exit" in out
    if not command:
        assert all(name in out for name in _subparsers()) and "退出码 / exit codes" in out
    for option in ("--out",) if command and command[0] in ("export", "rejects", "loads") else ():
        assert ".csv" in out and ".xlsx" in out, option
