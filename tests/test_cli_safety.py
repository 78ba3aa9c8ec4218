"""The command line's safe defaults: personal data masked unless asked, the dashboard bound to this machine.

`daiwei rejects` and `daiwei loads` write what the loader set aside, which holds
people's names and phone numbers (用户姓名, 用户联系方式, 姓名): masked by the
dashboard's rules unless `--unmasked`. `daiwei serve` listens on 127.0.0.1
unless `--host` says otherwise. Every option says its format and default.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from cli import main as cli

ROOT = Path(__file__).resolve().parent.parent
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

RAW_TICKET = {
    "工单编号": "GZ-1",
    "代维公司": "铁通",
    "用户姓名": "欧阳娜娜",
    "用户联系方式": "13812341234",
    "备注": "客户另留电话13900001111",
}
RAW_ROSTER = {"工号": "T1", "姓名": "张三", "代维公司": "铁通", "岗位": "厨师"}


def daiwei(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A warehouse with just the two audit tables the commands read, and personal data in both."""
    wh = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(wh))
    con.execute("CREATE SCHEMA audit")
    con.execute(
        'CREATE TABLE audit.rejects (load_seq INTEGER, file VARCHAR, dataset VARCHAR, "row" INTEGER, '
        '"column" VARCHAR, reason VARCHAR, raw VARCHAR)'
    )
    con.execute(
        "CREATE TABLE audit.load_log (load_seq INTEGER, file VARCHAR, dataset VARCHAR, sha256 VARCHAR, "
        "rows_read INTEGER, rows_loaded INTEGER, rows_rejected INTEGER, status VARCHAR, message VARCHAR)"
    )
    rejects = [
        (
            1,
            "2026-10/tickets_2026-10.csv",
            "tickets",
            2,
            "用户联系方式",
            "不是有效的电话 / not a phone number: 「13812341234」"
            "；另有 / also: 用户姓名: 太长 / too long: 「欧阳娜娜」",
            json.dumps(RAW_TICKET, ensure_ascii=False),
        ),
        (
            2,
            "2026-10/hr_roster_2026-10.csv",
            "hr_roster",
            3,
            "岗位",
            "不在允许值内 / not an allowed value: 「厨师」",
            json.dumps(RAW_ROSTER, ensure_ascii=False),
        ),
    ]
    con.executemany("INSERT INTO audit.rejects VALUES (?, ?, ?, ?, ?, ?, ?)", rejects)
    con.execute(
        "INSERT INTO audit.load_log VALUES (1, '2026-10/tickets_2026-10.csv', 'tickets', 'ab', 2, 1, 1, 'loaded', ''),"
        " (2, '2026-10/x.csv', '', 'cd', 0, 0, 0, 'rejected', '联系人电话 13700001234 的文件无法识别 / unreadable')"
    )
    con.close()
    return wh


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_rejects_are_masked_by_default(tiny: Path, tmp_path: Path) -> None:
    p = daiwei("rejects", "--out", str(tmp_path / "r.csv"), "--warehouse", str(tiny))
    assert p.returncode == 0, p.stderr
    rows = read(tmp_path / "r.csv")
    text = (tmp_path / "r.csv").read_text(encoding="utf-8")
    assert not MOBILE.search(text), MOBILE.search(text)
    for name in ("欧阳娜娜", "张三"):
        assert name not in text
    ticket, roster = (json.loads(r["raw"]) for r in rows)
    assert ticket["用户姓名"] == "欧***" and ticket["用户联系方式"] == "138****1234"
    assert ticket["备注"] == "客户另留电话139****1111"  # a mobile inside free text
    assert ticket["工单编号"] == "GZ-1" and ticket["代维公司"] == "铁通"  # the rest as delivered
    assert roster["姓名"] == "张*" and roster["岗位"] == "厨师"
    assert rows[0]["reason"] == (
        "不是有效的电话 / not a phone number: 「138****1234」；另有 / also: 用户姓名: 太长 / too long: 「欧***」"
    )
    assert rows[1]["reason"] == "不在允许值内 / not an allowed value: 「厨师」"  # not personal: as it is
    assert [r["row"] for r in rows] == ["2", "3"]


def test_rejects_unmasked_are_in_clear(tiny: Path, tmp_path: Path) -> None:
    p = daiwei("rejects", "--unmasked", "--out", str(tmp_path / "r.csv"), "--warehouse", str(tiny))
    assert p.returncode == 0, p.stderr
    rows = read(tmp_path / "r.csv")
    assert json.loads(rows[0]["raw"]) == RAW_TICKET and json.loads(rows[1]["raw"]) == RAW_ROSTER
    assert "「13812341234」" in rows[0]["reason"] and "「欧阳娜娜」" in rows[0]["reason"]
    assert "明文" in p.stderr and p.stderr.strip().count("\n") == 0  # one line says so


def test_loads_mask_phone_numbers_in_messages(tiny: Path, tmp_path: Path) -> None:
    assert daiwei("loads", "--out", str(tmp_path / "l.csv"), "--warehouse", str(tiny)).returncode == 0
    assert [r["message"] for r in read(tmp_path / "l.csv")] == [
        "",
        "联系人电话 137****1234 的文件无法识别 / unreadable",
    ]
    assert daiwei("loads", "--unmasked", "--out", str(tmp_path / "c.csv"), "--warehouse", str(tiny)).returncode == 0
    assert "13700001234" in read(tmp_path / "c.csv")[1]["message"]


@pytest.mark.slow
def test_demo_rejects_carry_names_only_masked(demo_run: dict, tmp_path: Path) -> None:
    """The demo's planted bad roster rows hold 姓名: masked by default, in clear with --unmasked."""
    wh = demo_run["wh"]
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    assert daiwei("rejects", "--out", str(tmp_path / "m.csv"), "--warehouse", str(wh)).returncode == 0
    assert daiwei("rejects", "--unmasked", "--out", str(tmp_path / "c.csv"), "--warehouse", str(wh)).returncode == 0
    masked, clear = read(tmp_path / "m.csv"), read(tmp_path / "c.csv")
    assert len(masked) == len(clear) > 0
    names = 0
    for m, c in zip(masked, clear, strict=True):
        assert {k: m[k] for k in ("file", "dataset", "row", "column")} == {
            k: c[k] for k in ("file", "dataset", "row", "column")
        }
        raw_m, raw_c = json.loads(m["raw"]), json.loads(c["raw"])
        for key in ("姓名", "用户姓名"):
            if raw_c.get(key):
                names += 1
                assert re.fullmatch(r".\*+", raw_m[key]) and raw_m[key][0] == raw_c[key].strip()[0]
        assert not MOBILE.search(m["raw"] + m["reason"])
    assert names, "the demo's rejected roster rows carry names"
    con = duckdb.connect(str(wh), read_only=True)
    stored = [r[0] for r in con.execute("SELECT raw FROM audit.rejects ORDER BY load_seq, row").fetchall()]
    con.close()
    assert [json.loads(c["raw"]) for c in clear] == [json.loads(s) for s in stored]


# --------------------------------------------------------------------------- serve


def _serve_args(*argv: str) -> list[str]:
    args = cli._parser().parse_args(["serve", *argv])
    settings = cli._settings(args)
    return cli.serve_command(Path("app/streamlit_app.py"), args.port, settings.host)


def _option(cmd: list[str], name: str) -> str:
    assert cmd.count(name) == 1, cmd
    return cmd[cmd.index(name) + 1]


def test_serve_binds_to_this_machine_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAIWEI_HOST", raising=False)
    cmd = _serve_args()
    assert cmd[1:4] == ["-m", "streamlit", "run"]
    assert _option(cmd, "--server.address") == "127.0.0.1"
    assert _option(cmd, "--server.port") == "8501"


def test_serve_binds_to_the_host_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DAIWEI_HOST", raising=False)
    cmd = _serve_args("--host", "0.0.0.0", "--port", "9000")
    assert _option(cmd, "--server.address") == "0.0.0.0"
    assert _option(cmd, "--server.port") == "9000"
    monkeypatch.setenv("DAIWEI_HOST", "10.0.0.5")
    assert _option(_serve_args(), "--server.address") == "10.0.0.5"
    assert _option(_serve_args("--host", "127.0.0.1"), "--server.address") == "127.0.0.1"  # the option wins


def test_serve_runs_the_command_it_builds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DAIWEI_HOST", raising=False)
    calls: list[tuple[list[str], dict]] = []
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, **kw: calls.append((cmd, kw)) or 0)
    assert cli.main(["serve", "--warehouse", str(tmp_path / "w.duckdb")]) == 0
    (cmd, kw) = calls[0]
    assert _option(cmd, "--server.address") == "127.0.0.1"
    assert kw["env"]["DAIWEI_WAREHOUSE"] == str((tmp_path / "w.duckdb").resolve())


# --------------------------------------------------------------------------- run and help


def test_run_passes_the_settings_limits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import cli.runner as runner
    from core.settings import Limits

    seen: dict = {}

    def fake(input_dir: Path, warehouse: Path | None = None, limits: Limits | None = None, **kw: object) -> object:
        seen.update(input_dir=input_dir, warehouse=warehouse, limits=limits)
        raise KeyboardInterrupt  # stop here: only the call is under test

    monkeypatch.setattr(runner, "run_pipeline", fake)
    monkeypatch.setenv("DAIWEI_MAX_CELLS", "1234")
    (tmp_path / "in").mkdir()
    cli.main(["run", "--input", str(tmp_path / "in"), "--warehouse", str(tmp_path / "w.duckdb")])
    assert seen["warehouse"] == (tmp_path / "w.duckdb").resolve()
    assert isinstance(seen["limits"], Limits) and seen["limits"].max_cells == 1234


def test_a_bad_setting_is_a_one_line_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DAIWEI_MAX_CELLS", "many")
    (tmp_path / "in").mkdir()
    assert cli.main(["run", "--input", str(tmp_path / "in"), "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "DAIWEI_MAX_CELLS" in err and err.strip().count("\n") == 0


def test_every_option_says_its_format_and_default() -> None:
    parser = cli._parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, p in sub.choices.items():  # type: ignore[attr-defined]
        for action in p._actions:
            if action.dest == "help":
                continue
            text = action.help or ""
            assert "/" in text, (name, action.dest, "Chinese / English")
            said = "(default" in text or "(required)" in text or action.option_strings == ["--unmasked"]
            assert said, (name, action.dest, text)
            if action.option_strings == ["--unmasked"]:
                assert "admin" in text and "audit" in text and "default: masked" in text
