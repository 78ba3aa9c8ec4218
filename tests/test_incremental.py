"""Incremental equals full: a warehouse built month by month equals one built in a single run.

The demo delivery is built twice: in one full run (the session's `demo_run`, by `daiwei run`)
and incrementally, one run per month folder added to the inbox (each run loads only the new
files; `int_device_months_aggregated` is an incremental dbt model). Every table and view of
`marts` (and of `intermediate`, where the incremental model lives) must hold the same
columns and the same rows, as multisets; the raw tables, the set-aside rows and the load log's
loaded files must agree too. Only the columns of EXCLUDED may differ, each for the reason given.
One is not run identity: a month's data-quality scores are those of the run that loaded it
(decisions.md 19), so they are compared only for the month both builds validated last.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from cli import runner
from core.settings import Settings
from demo_data import generate

pytestmark = pytest.mark.slow

# relation (schema.name; schema.* = every relation of the schema) -> column -> why it may differ
EXCLUDED: dict[str, dict[str, str]] = {
    "raw.*": {"_load_seq": "numbers every file offered by every run, skipped ones too: run history"},
    "audit.load_log": {
        "load_seq": "numbers every file offered by every run, skipped ones too: run history",
        "run_id": "the Dagster run that offered the file: a new id every run",
        "offered_at": "wall-clock time the file was offered",
    },
    "audit.rejects": {"load_seq": "numbers every file offered by every run, skipped ones too: run history"},
    "intermediate.int_device_months_aggregated": {
        "max_load_seq": "the highest load_seq of the month's samples: run history (see raw.*)",
    },
    "intermediate.int_tickets_form_checked": {
        "ticket_version": "the load_seq of the ticket's current row: run history (see raw.*)",
    },
    "intermediate.int_tickets_photo_checked": {
        "ticket_version": "the load_seq of the ticket's current row: run history (see raw.*)",
    },
    "intermediate.int_tickets_clocked": {
        "ticket_version": "the load_seq of the ticket's current row: run history (see raw.*)",
    },
    "intermediate.int_tickets_described": {
        "ticket_version": "the load_seq of the ticket's current row: run history (see raw.*)",
    },
    "intermediate.int_tickets_repeat_flagged": {
        "ticket_version": "the load_seq of the ticket's current row: run history (see raw.*)",
    },
    "marts.mart_dq_scores": {
        "run_id": "the run that validated the month: a new id every run",
        "evaluated_at": "wall-clock time of that data-quality run",
        # decisions.md 19: a month keeps the results of the run that loaded it, judged against the
        # EOMS register of that time; checked separately for the months of the last incremental run.
        "passed": "decisions.md 19: judged against the EOMS register as of the run that loaded the month",
        "failed": "decisions.md 19: judged against the EOMS register as of the run that loaded the month",
        "score": "decisions.md 19: judged against the EOMS register as of the run that loaded the month",
    },
}
RUN_IDENTITY = ("run_id", "evaluated_at")  # of mart_dq_scores: what may differ for a month both runs validated
SHOWN = 5  # differing rows shown per side
FULL, INC = "full_build", "incremental_build"  # the two warehouses, as ATTACHed


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _relations(con: duckdb.DuckDBPyConnection, db: str, schema: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT table_name, table_type FROM information_schema.tables WHERE table_catalog = ? AND table_schema = ?",
        [db, schema],
    ).fetchall()
    return dict(rows)


def _columns(con: duckdb.DuckDBPyConnection, db: str, schema: str, name: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = ? AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [db, schema, name],
    ).fetchall()


def _excluded(schema: str, name: str) -> dict[str, str]:
    return {**EXCLUDED.get(f"{schema}.*", {}), **EXCLUDED.get(f"{schema}.{name}", {})}


def _multiset_diff(con: duckdb.DuckDBPyConnection, label: str, full_sql: str, inc_sql: str, cols: list[str]) -> str:
    """'' when both queries return the same rows (as multisets), else the first differing rows of each side."""
    out = []
    for side, a, b in (("full build only", full_sql, inc_sql), ("incremental build only", inc_sql, full_sql)):
        diff = f"SELECT * FROM ({a} EXCEPT ALL {b})"
        n = con.execute(f"SELECT count(*) FROM ({diff})").fetchall()[0][0]
        if n:
            rows = con.execute(f"{diff} ORDER BY ALL LIMIT {SHOWN}").fetchall()
            out.append(f"  {side}: {n} row(s), first {len(rows)}:\n" + "\n".join(f"    {r}" for r in rows))
    return f"{label} {tuple(cols)}:\n" + "\n".join(out) if out else ""


def _compare_relation(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> str:
    """'' when the relation has the same columns and rows (minus EXCLUDED) in both builds, else why not."""
    columns = _columns(con, FULL, schema, name)
    if columns != _columns(con, INC, schema, name):
        return f"{schema}.{name}: columns differ: {columns} vs {_columns(con, INC, schema, name)}"
    cols = [c for c, _ in columns if c not in _excluded(schema, name)]
    sql = f"SELECT {', '.join(_q(c) for c in cols)} FROM {{}}.{schema}.{_q(name)}"
    return _multiset_diff(con, f"{schema}.{name}", sql.format(FULL), sql.format(INC), cols)


def _compare_schema(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    """Every relation of `schema` in both builds: same relations (and kinds), same columns, same rows."""
    full, inc = _relations(con, FULL, schema), _relations(con, INC, schema)
    if full != inc:
        only_full, only_inc = sorted(full.items() - inc.items()), sorted(inc.items() - full.items())
        return [f"{schema}: relations differ: full build only {only_full}, incremental build only {only_inc}"]
    return [_compare_relation(con, schema, name) for name in sorted(full)]


def _check_exclusions_exist(con: duckdb.DuckDBPyConnection) -> list[str]:
    """EXCLUDED names only columns that exist, so it cannot go stale silently."""
    stale = []
    for key, columns in EXCLUDED.items():
        schema, name = key.split(".", 1)
        for rel in sorted(_relations(con, FULL, schema)) if name == "*" else [name]:
            present = {c for c, _ in _columns(con, FULL, schema, rel)}
            stale += [f"EXCLUDED {schema}.{rel}.{c}: no such column" for c in columns if c not in present]
    return stale


def _build_incrementally(delivery: Path, root: Path, months: list[str]) -> tuple[Path, list[str]]:
    """One run per month folder added to the inbox; each run must load exactly the new month's files."""
    inbox, wh = root / "inbox", root / "wh" / "warehouse.duckdb"
    app_db = f"sqlite:///{root / 'app.db'}"  # an empty application database of this test's own
    limits = Settings.load().limits  # as `daiwei run` (the full build) reads them
    run_ids = []
    for month in months:
        shutil.copytree(delivery / month, inbox / month, copy_function=os.link)
        out = runner.run_pipeline(inbox, wh, limits=limits, app_db=app_db)
        assert out.success, f"{month}: {out.error} (log: {out.log})"
        loaded_months = {f[0].split("/", 1)[0] for f in out.files if f[6] == "loaded"}
        assert loaded_months == {month}, f"run adding {month} loaded files of {sorted(loaded_months)}"
        run_ids.append(out.run_id)
    assert _hashes(inbox) == _hashes(delivery), "the incremental inbox does not hold the whole delivery"
    return wh, run_ids


def _compare_loads(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Both builds loaded the same rows: raw tables (counts, then rows), set-aside rows, the load log."""
    problems = []
    for name in sorted(_relations(con, FULL, "raw")):
        full, inc = (con.execute(f"SELECT count(*) FROM {db}.raw.{_q(name)}").fetchall()[0][0] for db in (FULL, INC))
        if full != inc:
            problems.append(f"raw.{name}: {full} rows in the full build, {inc} in the incremental build")
    problems += _compare_schema(con, "raw")
    problems.append(_compare_relation(con, "audit", "rejects"))
    # The load log's files loaded (the incremental build also logs the files it skipped as already loaded),
    # and the files rejected: as a set, since every later run offers a rejected file again.
    kept = [c for c, _ in _columns(con, FULL, "audit", "load_log") if c not in _excluded("audit", "load_log")]
    for status, distinct in (("loaded", ""), ("rejected", "DISTINCT ")):
        sql = f"SELECT {distinct}{', '.join(_q(c) for c in kept)} FROM {{}}.audit.load_log WHERE status = '{status}'"
        problems.append(_multiset_diff(con, f"audit.load_log {status}", sql.format(FULL), sql.format(INC), kept))
    return problems


def _compare_last_run_dq(con: duckdb.DuckDBPyConnection, last_run_id: str, last_month: str) -> str:
    """decisions.md 19 in full: the month the last incremental run validated (with every register
    in, as the full build) has the same data-quality scores; only the run's identity differs."""
    months = con.execute(
        f"SELECT DISTINCT month FROM {INC}.marts.mart_dq_scores WHERE run_id = ?", [last_run_id]
    ).fetchall()
    assert months == [(last_month,)], f"the last incremental run validated {months}, not {last_month}"
    cols = [c for c, _ in _columns(con, FULL, "marts", "mart_dq_scores") if c not in RUN_IDENTITY]
    sql = f"SELECT {', '.join(_q(c) for c in cols)} FROM {{}}.marts.mart_dq_scores WHERE month = '{last_month}'"
    return _multiset_diff(con, f"marts.mart_dq_scores {last_month}", sql.format(FULL), sql.format(INC), cols)


def test_incremental_build_equals_full_build(demo_run: dict, tmp_path: Path) -> None:
    delivery = tmp_path / "delivery"
    manifest = generate(delivery)
    # The full build is the session's `daiwei run` on its own generation of the same delivery.
    assert _hashes(delivery) == _hashes(demo_run["inbox"]), "generate() is not deterministic"
    run = demo_run["run"]
    assert run.returncode in (0, 1) and "运行失败" not in run.stderr, run.stderr  # 1: files rejected on purpose
    months = sorted(p.name for p in delivery.iterdir() if p.is_dir())
    assert months == manifest["months"] and len(months) >= 2
    assert all(p.is_dir() for p in delivery.iterdir()), "a file outside the month folders"

    wh, run_ids = _build_incrementally(delivery, tmp_path / "incremental", months)

    con = duckdb.connect()
    try:
        for alias, path in ((FULL, demo_run["wh"]), (INC, wh)):
            con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS {alias} (READ_ONLY)")
        problems = _check_exclusions_exist(con)
        problems += _compare_schema(con, "appdb")  # both builds saw the same application state
        problems += _compare_loads(con)
        problems += _compare_schema(con, "intermediate")  # int_device_months_aggregated is incremental
        problems += _compare_schema(con, "marts")
        problems.append(_compare_last_run_dq(con, run_ids[-1], months[-1]))
        marts_rows = sum(
            con.execute(f"SELECT count(*) FROM {FULL}.marts.{_q(n)}").fetchall()[0][0]
            for n in _relations(con, FULL, "marts")
        )
    finally:
        con.close()
    problems = [p for p in problems if p]
    assert not problems, "the incremental build differs from the full build:\n" + "\n".join(problems)
    assert marts_rows > 0
