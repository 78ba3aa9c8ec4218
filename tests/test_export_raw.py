"""`daiwei export-raw` (scale.md item 2): the raw tables, load log and rejects of a real warehouse as a
hive-partitioned Parquet lake that reads back to exactly the same rows, written only for the department.

One module-scoped warehouse: a one-month demo delivery (all nine datasets, bad rows, files rejected
whole) built by the real pipeline, with the circuit register moved to the inbox's top so that its
load-log row has no month in its path.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

import appstate
from cli import runner
from cli.main import main
from core.principal import Principal
from core.settings import Settings, province_name
from ingestion.datasets import DATASETS
from ingestion.ddl import LOAD_LOG_COLUMNS, REJECT_COLUMNS
from reporting.lake import DECIDED, LAKE_MARKER, MANIFEST, export_raw, file_month_sql

pytestmark = pytest.mark.slow

LINEAGE = ("_file", "_load_seq", "_row", "_extra")
AUDIT = ("load_log", "rejects")
ENV = ("DAIWEI_USER", "DAIWEI_APP_DB", "DAIWEI_WAREHOUSE", "DAIWEI_PROVINCE")
FILE_RE = re.compile(r"province=贵州/dataset=([a-z_]+)/month=(\d{4}-\d{2}|unknown)/data_\d+\.parquet")
ROOT_FILE = "eoms_circuits_20261101.csv"  # at the inbox's top: no YYYY-MM in its path


@dataclass(frozen=True)
class Built:
    wh: Path
    app_db: str
    tmp: Path


def run_cli(*argv: str, built: Built, user: str | None = None, env: dict[str, str] | None = None):
    """`daiwei …` in this process, on the module's warehouse and application database: (code, out, err)."""
    out, err = io.StringIO(), io.StringIO()
    args = [*argv, "--warehouse", str(built.wh), "--app-db", built.app_db, *(["--user", user] if user else [])]
    with pytest.MonkeyPatch.context() as mp:
        for name in ENV:
            mp.delenv(name, raising=False)
        for name, value in (env or {}).items():
            mp.setenv(name, value)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args)
    return code, out.getvalue(), err.getvalue()


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and " / " in lines[0] and "Traceback" not in err, err
    return lines[0]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    from demo_data import generate

    tmp = tmp_path_factory.mktemp("export_raw")
    inbox = tmp / "in"
    generate(inbox, months=1)
    (inbox / "2026-10" / ROOT_FILE).rename(inbox / ROOT_FILE)
    app_db = f"sqlite:///{tmp / 'app.db'}"
    outcome = runner.run_pipeline(inbox, tmp / "warehouse.duckdb", app_db=app_db)
    assert outcome.success, outcome.error
    app = appstate.connect(app_db)
    try:
        boss = Principal("setup", "admin")
        appstate.add_user(app, "tt_user", "contractor", "pw-tt-123456", "铁通", actor=boss)
        appstate.add_user(app, "ana", "analyst", "pw-ana-123456", actor=boss)
    finally:
        app.dispose()
    return Built(tmp / "warehouse.duckdb", app_db, tmp)


@pytest.fixture(scope="module")
def lake(built: Built) -> Path:
    """The module's export, by the local operator (an admin), with the default province."""
    out = built.tmp / "lake"
    code, stdout, err = run_cli("export-raw", "--out", str(out), built=built)
    assert code == 0, err
    (built.tmp / "first_summary.txt").write_text(stdout, encoding="utf-8")
    return out


@pytest.fixture
def wh(built: Built) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(built.wh), read_only=True)
    yield con
    con.close()


def parquet_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.parquet"))


def glob(lake: Path, dataset: str, province: str = "贵州") -> str:
    return f"read_parquet('{lake}/province={province}/dataset={dataset}/*/*.parquet', hive_partitioning=true)"


def columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def same_rows(con: duckdb.DuckDBPyConnection, left: str, right: str) -> tuple[int, int, int]:
    """(rows only left, rows only right, rows left): a multiset comparison (EXCEPT ALL both ways)."""
    only_left = con.execute(f"SELECT count(*) FROM ({left} EXCEPT ALL {right})").fetchone()
    only_right = con.execute(f"SELECT count(*) FROM ({right} EXCEPT ALL {left})").fetchone()
    total = con.execute(f"SELECT count(*) FROM ({left})").fetchone()
    assert only_left and only_right and total
    return only_left[0], only_right[0], total[0]


# --- layout -------------------------------------------------------------------------------------------------


def test_layout_is_province_dataset_month(lake: Path, wh: duckdb.DuckDBPyConnection, built: Built) -> None:
    files = parquet_files(lake)
    assert files and all(FILE_RE.fullmatch(f) for f in files), files
    datasets = {FILE_RE.fullmatch(f).group(1) for f in files}  # type: ignore[union-attr]
    decided = {name for name, table in DECIDED if wh.execute(f"SELECT count(*) FROM {table}").fetchone()[0]}  # type: ignore[index]
    assert "dq_results" in decided  # the quality run wrote results: that round trip means something
    assert datasets == {d.name for d in DATASETS} | set(AUDIT) | decided
    others = sorted(p.relative_to(lake).as_posix() for p in lake.rglob("*") if p.is_file() and p.suffix != ".parquet")
    assert others == [LAKE_MARKER, f"province=贵州/{MANIFEST}"]
    assert not list(built.tmp.glob(".lake.export-*"))  # the staging folder beside the lake is gone
    for d in DATASETS:
        months = {FILE_RE.fullmatch(f).group(2) for f in files if f"/dataset={d.name}/" in f}  # type: ignore[union-attr]
        if d.month_column is None:  # a register: no month of its own
            assert months == {"unknown"}, d.name
        else:
            sql = f"SELECT DISTINCT coalesce(strftime({d.month_column}, '%Y-%m'), 'unknown') FROM {d.table}"
            assert months == {r[0] for r in wh.execute(sql).fetchall()}, d.name
    summary = (built.tmp / "first_summary.txt").read_text(encoding="utf-8")
    assert "raw tables exported" in summary and "province=贵州" in summary
    for d in DATASETS:
        count = wh.execute(f"SELECT count(*) FROM {d.table}").fetchone()
        assert count and count[0] > 0, d.name  # the delivery fills every dataset: the round trip means something
        assert re.search(rf"^{d.name}\s+1\s+{count[0]:,}\s", summary, re.M), summary


def test_every_dataset_reads_back_as_the_raw_table(lake: Path, wh: duckdb.DuckDBPyConnection) -> None:
    for d in DATASETS:
        raw_cols = columns(wh, d.table)
        names = ", ".join(f'"{n}"' for n, _ in raw_cols)
        lake_cols = columns(wh, glob(lake, d.name))
        # every column, same names, same types, in the same order; then the three partition keys
        assert lake_cols == [*raw_cols, ("dataset", "VARCHAR"), ("month", "VARCHAR"), ("province", "VARCHAR")]
        assert all(n in dict(raw_cols) for n in LINEAGE), d.name
        left = f"SELECT {names} FROM {d.table}"
        right = f"SELECT {names} FROM {glob(lake, d.name)}"
        only_raw, only_lake, rows = same_rows(wh, left, right)
        assert (only_raw, only_lake) == (0, 0), d.name
        assert rows == wh.execute(f"SELECT count(*) FROM {glob(lake, d.name)}").fetchone()[0]  # type: ignore[index]
        month = f"coalesce(strftime({d.month_column}, '%Y-%m'), 'unknown')" if d.month_column else "'unknown'"
        wrong = wh.execute(
            f"SELECT count(*) FROM {glob(lake, d.name)} WHERE month <> {month} OR province <> '贵州' "
            f"OR dataset <> '{d.name}' OR _file IS NULL OR _load_seq IS NULL OR _row IS NULL"
        ).fetchone()
        assert wrong == (0,), d.name


def test_timestamps_are_wall_clock_for_spark(lake: Path, wh: duckdb.DuckDBPyConnection) -> None:
    """TIMESTAMP is INT64 micros with isAdjustedToUTC=false (Spark ≥ 3.4: TIMESTAMP_NTZ), not INT96."""
    schema = wh.execute(
        f"SELECT name, type, logical_type FROM parquet_schema('{lake}/province=贵州/dataset=tickets/*/*.parquet')"
    ).fetchall()
    by_name = {n: (t, str(lt)) for n, t, lt in schema}
    assert by_name["dispatched_at"][0] == "INT64"
    assert "isAdjustedToUTC=0" in by_name["dispatched_at"][1] and "MICROS=MicroSeconds()" in by_name["dispatched_at"][1]
    assert "INT96" not in {t for _, t, _ in schema}
    first = wh.execute("SELECT ticket_id, dispatched_at FROM raw.tickets ORDER BY ticket_id LIMIT 1").fetchone()
    again = wh.execute(f"SELECT dispatched_at FROM {glob(lake, 'tickets')} WHERE ticket_id = ?", [first[0]]).fetchone()  # type: ignore[index]
    assert first and again == (first[1],)


# --- load log and rejects ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("dataset", "columns_of"), [("load_log", LOAD_LOG_COLUMNS), ("rejects", REJECT_COLUMNS)])
def test_load_log_and_rejects_round_trip(
    lake: Path, wh: duckdb.DuckDBPyConnection, built: Built, dataset: str, columns_of: tuple[tuple[str, str], ...]
) -> None:
    table = f"audit.{dataset}"
    raw = [n for n, _ in columns_of]
    assert "dataset" in raw  # the partition key's name: written as source_dataset
    in_lake = ", ".join('"source_dataset"' if n == "dataset" else f'"{n}"' for n in raw)
    quoted = ", ".join(f'"{n}"' for n in raw)
    left = f"SELECT {quoted} FROM {table}"
    right = f"SELECT {in_lake} FROM {glob(lake, dataset)}"
    only_raw, only_lake, rows = same_rows(wh, left, right)
    assert (only_raw, only_lake) == (0, 0)
    assert rows > 0 and rows == wh.execute(f"SELECT count(*) FROM {glob(lake, dataset)}").fetchone()[0]  # type: ignore[index]
    files = [f for f in parquet_files(lake) if f"/dataset={dataset}/" in f]
    summary = (built.tmp / "first_summary.txt").read_text(encoding="utf-8")
    assert re.search(rf"^{dataset}\s+{len(files)}\s+{rows:,}\s", summary, re.M), summary
    lake_names = [n for n, _ in columns(wh, glob(lake, dataset))]
    assert lake_names == [*(("source_dataset" if n == "dataset" else n) for n in raw), "dataset", "month", "province"]


@pytest.mark.parametrize(("dataset", "table"), DECIDED)
def test_decided_tables_round_trip_with_their_source_names(
    lake: Path, wh: duckdb.DuckDBPyConnection, dataset: str, table: str
) -> None:
    """Appeals, month states, frozen figures and quality results: every row, `month` as source_month, the
    partition's month the row's own; the manifest names each column's warehouse name (Spark maps it back)."""
    manifest = json.loads((lake / "province=贵州" / MANIFEST).read_text(encoding="utf-8"))["datasets"][dataset]
    warehouse_cols = columns(wh, table)
    assert manifest["table"] == table
    assert [(c["source"], c["type"]) for c in manifest["columns"]] == warehouse_cols
    assert [c["name"] for c in manifest["columns"]] == [
        ("source_month" if n == "month" else n) for n, _ in warehouse_cols
    ]
    rows = wh.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
    assert manifest["rows"] == rows
    if not rows:
        assert not (lake / "province=贵州" / f"dataset={dataset}").exists()
        return
    names = [f'"{n}"' for n, _ in warehouse_cols]
    left = f"SELECT {', '.join(names)} FROM {table}"
    in_lake = ", ".join(f'"{c["name"]}"' for c in manifest["columns"])
    right = f"SELECT {in_lake} FROM {glob(lake, dataset)}"
    only_raw, only_lake, total = same_rows(wh, left, right)
    assert (only_raw, only_lake, total) == (0, 0, rows)
    wrong = wh.execute(
        f"SELECT count(*) FROM {glob(lake, dataset)} WHERE month <> coalesce(source_month, 'unknown')"
    ).fetchone()
    assert wrong == (0,)


def test_load_log_month_from_the_path_else_offered_at(lake: Path, wh: duckdb.DuckDBPyConnection) -> None:
    rows = wh.execute(
        f"SELECT file, month, strftime(offered_at, '%Y-%m') FROM {glob(lake, 'load_log')} ORDER BY load_seq"
    ).fetchall()
    assert len(rows) == wh.execute("SELECT count(*) FROM audit.load_log").fetchone()[0]  # type: ignore[index]
    [(_, root_month, offered)] = [r for r in rows if r[0] == ROOT_FILE]
    assert root_month == offered  # no month in its path: the month it was offered
    in_folder = [r for r in rows if r[0].startswith("2026-10/")]
    assert in_folder and {r[1] for r in in_folder} == {"2026-10"}
    assert any(r[0] == "2026-10/天龙讯10月备件库存.csv" for r in in_folder)  # no YYYY-MM in its name: the folder's
    # each reject sits in its file's month
    mismatched = wh.execute(
        f"SELECT count(*) FROM {glob(lake, 'rejects')} r JOIN {glob(lake, 'load_log')} l USING (load_seq) "
        "WHERE r.month <> l.month"
    ).fetchone()
    assert mismatched == (0,)


def test_file_month_of_a_path() -> None:
    cases = {
        "2026-10/天龙讯10月备件库存.csv": "2026-10",
        "tickets_2026-10_20261105.csv": "2026-10",
        "2026-09/tickets_2026-10_x.csv": "2026-10",  # the name before its folder
        "x/2026-10-03.csv": "2026-10",
        "eoms_circuits_20261101.csv": None,  # an export date is not a period
        "2026-13/x.csv": None,
        "12026-10.csv": None,
    }
    con = duckdb.connect()
    sql = f"SELECT {file_month_sql('?')}"
    assert {path: con.execute(sql, [path]).fetchone()[0] for path in cases} == cases  # type: ignore[index]


# --- replacing -----------------------------------------------------------------------------------------------


def test_reexport_replaces_the_province_and_keeps_others(lake: Path, built: Built) -> None:
    work = built.tmp / "relake"
    shutil.copytree(lake, work)
    before = parquet_files(work)
    tickets = next(work.glob("province=贵州/dataset=tickets/month=*/data_0.parquet"))
    stale = work / "province=贵州/dataset=tickets/month=2020-01/data_0.parquet"
    stale.parent.mkdir(parents=True)
    shutil.copy(tickets, stale)
    (work / "province=贵州/dataset=gone").mkdir()
    other = work / "province=四川/dataset=tickets/month=2026-10/data_0.parquet"
    other.parent.mkdir(parents=True)
    shutil.copy(tickets, other)
    code, _, err = run_cli("export-raw", "--out", str(work), built=built)
    assert code == 0, err
    assert not stale.exists() and not (work / "province=贵州/dataset=gone").exists()
    assert other.exists()  # another province's partitions are not this export's to replace
    assert parquet_files(work) == sorted([*before, other.relative_to(work).as_posix()])
    assert not list(built.tmp.glob(".relake.export-*"))


def test_refuses_a_folder_that_is_not_a_lake(built: Built) -> None:
    out = built.tmp / "documents"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    code, stdout, err = run_cli("export-raw", "--out", str(out), built=built)
    assert code == 2 and "not a daiwei lake" in one_line(err) and str(out) in err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"] and stdout == ""
    code, _, err = run_cli("export-raw", "--out", str(out / "notes.txt"), built=built)
    assert code == 2 and "is a file" in one_line(err)
    empty = built.tmp / "empty"
    empty.mkdir()
    code, _, err = run_cli("export-raw", "--out", str(empty), built=built)
    assert code == 0, err
    assert parquet_files(empty) and all(f.startswith("province=贵州/dataset=") for f in parquet_files(empty))


def test_the_warehouse_names_its_province(built: Built) -> None:
    """The warehouse records the province of its first run (audit.warehouse_province): an export under
    another name is refused, and $DAIWEI_PROVINCE cannot relabel it either."""
    with duckdb.connect(str(built.wh), read_only=True) as con:
        assert con.execute("SELECT province FROM audit.warehouse_province").fetchall() == [("贵州",)]
    out = built.tmp / "relabelled"
    code, stdout, err = run_cli("export-raw", "--out", str(out), "--province", "四川", built=built)
    assert code == 2 and "贵州" in one_line(err) and "四川" in err and stdout == "" and not out.exists()
    code, _, err = run_cli("export-raw", "--out", str(out), built=built, env={"DAIWEI_PROVINCE": "四川"})
    assert code == 0, err
    assert all(f.startswith("province=贵州/dataset=") for f in parquet_files(out))


# --- who and which province ----------------------------------------------------------------------------------


def test_contractor_is_refused_on_the_record(built: Built) -> None:
    out = built.tmp / "tt_lake"
    code, stdout, err = run_cli("export-raw", "--out", str(out), built=built, user="tt_user")
    assert code == 2 and "contractor" in one_line(err) and stdout == ""
    assert not out.exists()
    code, _, err = run_cli("export-raw", "--out", str(built.tmp / "ana_lake"), built=built, user="ana")
    assert code == 0, err
    app = appstate.connect(built.app_db)
    try:
        trail = appstate.entries(app, action="export")
    finally:
        app.dispose()
    tt = [e for e in trail if e.username == "tt_user"]
    ana = [e for e in trail if e.username == "ana"]
    assert [(e.outcome, e.role) for e in tt] == [("denied", "contractor")] and "export-raw" in tt[0].target
    assert [(e.outcome, e.role) for e in ana] == [("ok", "analyst")] and str(built.tmp / "ana_lake") in ana[0].target
    assert any(e.role == "admin" and "export-raw --province 贵州" in e.target for e in trail)  # the module's export


@pytest.mark.parametrize("bad", ["", "  ", "贵/州", "a=b", "..", "_x", "a%b", "a\\b"])
def test_bad_province_is_a_usage_error(built: Built, bad: str) -> None:
    out = built.tmp / "bad_province"
    code, stdout, err = run_cli("export-raw", "--out", str(out), "--province", bad, built=built)
    assert code == 2 and "province" in one_line(err) and stdout == ""
    assert not out.exists()
    code, _, err = run_cli("export-raw", "--out", str(out), built=built, env={"DAIWEI_PROVINCE": bad or "a/b"})
    assert code == 2 and "province" in one_line(err) and not out.exists()


def test_province_comes_from_settings() -> None:
    assert Settings.load({}).province == "贵州"
    assert Settings.load({"DAIWEI_PROVINCE": " 四川 "}).province == "四川"
    assert Settings.load({"DAIWEI_PROVINCE": "四川"}, province="云南").province == "云南"
    assert province_name("内蒙古") == "内蒙古"
    with pytest.raises(ValueError, match="province"):
        Settings.load({}, province="")


def test_missing_warehouse_is_a_usage_error(built: Built, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            [
                "export-raw",
                "--out",
                str(tmp_path / "l"),
                "--warehouse",
                str(tmp_path / "no.duckdb"),
                "--app-db",
                built.app_db,
            ]
        )
    assert code == 2 and "warehouse not found" in one_line(err.getvalue())


# --- types Spark cannot read ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OddSource:
    name: str = "odd"
    table: str = "raw.odd"
    month_column: str | None = "at"


def test_types_spark_cannot_read_are_cast(tmp_path: Path) -> None:
    db = tmp_path / "odd.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA audit")
    con.execute(
        'CREATE TABLE raw.odd (big HUGEINT, ub UBIGINT, ut UTINYINT, ns TIMESTAMP_NS, "at" TIMESTAMP, month VARCHAR)'
    )
    con.execute(
        "INSERT INTO raw.odd VALUES (12345678901234567890123456789012345678, 18446744073709551615, 255, "
        "'2026-10-03 14:05:06.123456', '2026-10-03 14:05', 'kept'), (-1, 0, 0, NULL, NULL, NULL)"
    )
    for table, cols in (("audit.load_log", LOAD_LOG_COLUMNS), ("audit.rejects", REJECT_COLUMNS)):
        body = ", ".join(f'"{n}" {t}' for n, t in cols)
        con.execute(f"CREATE TABLE {table} ({body})")
    con.close()
    con = duckdb.connect(str(db), read_only=True)
    try:
        result = export_raw(con, tmp_path / "lake", "贵州", [OddSource()])
        files = parquet_files(tmp_path / "lake")
        assert files == [
            "province=贵州/dataset=odd/month=2026-10/data_0.parquet",
            "province=贵州/dataset=odd/month=unknown/data_0.parquet",  # a NULL month
        ]
        assert [(p.dataset, p.rows, p.files) for p in result.parts] == [
            ("odd", 2, 2),
            ("load_log", 0, 0),
            ("rejects", 0, 0),
        ]
        back = columns(con, glob(tmp_path / "lake", "odd"))
        assert back[:6] == [
            ("big", "DECIMAL(38,0)"),
            ("ub", "DECIMAL(20,0)"),
            ("ut", "SMALLINT"),
            ("ns", "TIMESTAMP"),
            ("at", "TIMESTAMP"),
            ("source_month", "VARCHAR"),  # `month` is the partition key's name
        ]
        rows = con.execute(
            f"SELECT big, ub, ut, ns, source_month, month FROM {glob(tmp_path / 'lake', 'odd')} ORDER BY ut"
        ).fetchall()
        assert [(str(r[0]), str(r[1]), r[2], r[4], r[5]) for r in rows] == [
            ("-1", "0", 0, None, "unknown"),
            ("12345678901234567890123456789012345678", "18446744073709551615", 255, "kept", "2026-10"),
        ]
        assert rows[1][3].isoformat() == "2026-10-03T14:05:06.123456"
    finally:
        con.close()
