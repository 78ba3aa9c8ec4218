"""The incremental ticket models recompute exactly what they must (macros/incremental.sql).

On a copy of the demo warehouse, the kept rows of two tickets are overwritten with a
marker that no computation produces. A dbt run then shows what it recomputed: a marker
that survives was kept, a marker that is gone was recomputed.

* nothing new: both markers survive (no ticket is judged again);
* a newer row of one ticket (a correction: its load sequence moves on): that ticket alone;
* a newer row that leaves the population (status no longer 已归档): its row is dropped;
* a changed rule seed or macro: every ticket, and the table equals a full build.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"
MODELS = ("int_tickets_form_checked", "int_tickets_photo_checked")
MARK = "标记 / marker"
PARETO = ("mart_fault_pareto",)
KIND_COLUMNS = {
    "int_tickets_form_checked": ("missing_items", "missing_items_before"),
    "int_tickets_photo_checked": ("missing_photo_kinds", "missing_photo_kinds_before"),
}


def _dbt_run(models: tuple[str, ...], db: Path, target: Path, *extra: str, macros: str = "m1") -> None:
    """`dbt run --select models` on the warehouse `db`, with `macros` as the hash of the project's macros."""
    dbt = Path(sys.executable).parent / "dbt"
    variables = json.dumps({"daiwei_db_path": str(db), "daiwei_macros_sha256": macros})
    cmd = [str(dbt), "run", "--select", *models, "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
    cmd += ["--target-path", str(target), "--vars", variables, *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:]


def _mark(db: Path, tickets: list[str]) -> None:
    con = duckdb.connect(str(db))
    try:
        for model, (after, before) in KIND_COLUMNS.items():
            con.execute(
                f"UPDATE intermediate.{model} SET {after} = ?, {before} = ? WHERE ticket_id IN (SELECT unnest(?))",
                [MARK, MARK, tickets],
            )
    finally:
        con.close()


def _marked(db: Path) -> dict[str, set[str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            model: {
                r[0]
                for r in con.execute(f"SELECT ticket_id FROM intermediate.{model} WHERE {after} = ?", [MARK]).fetchall()
            }
            for model, (after, _) in KIND_COLUMNS.items()
        }
    finally:
        con.close()


def _rows(db: Path, model: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            f"SELECT * EXCLUDE (rules_fingerprint) FROM intermediate.{model} ORDER BY ticket_id"
        ).fetchall()
    finally:
        con.close()


def test_ticket_models_recompute_only_what_changed(demo_run: dict, tmp_path: Path) -> None:
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_run["wh"], db)
    target = tmp_path / "dbt_target"
    _dbt_run(MODELS, db, target, "--full-refresh")  # the run's own macros hash, not the demo run's
    con = duckdb.connect(str(db), read_only=True)
    kept, corrected, leaving = (
        r[0]
        for r in con.execute(
            "SELECT ticket_id FROM intermediate.int_tickets_photo_checked ORDER BY ticket_id LIMIT 3"
        ).fetchall()
    )
    con.close()

    _mark(db, [kept, corrected])
    _dbt_run(MODELS, db, target)
    assert _marked(db) == {m: {kept, corrected} for m in MODELS}, "a run with nothing new judged tickets again"

    con = duckdb.connect(str(db))
    top = con.execute("SELECT max(_load_seq) FROM raw.tickets").fetchall()[0][0]
    con.execute("UPDATE raw.tickets SET _load_seq = ? WHERE ticket_id = ?", [top + 1, corrected])
    con.execute("UPDATE raw.tickets SET _load_seq = ?, status = '处理中' WHERE ticket_id = ?", [top + 2, leaving])
    con.close()
    _dbt_run(MODELS, db, target)
    assert _marked(db) == {m: {kept} for m in MODELS}, "only the corrected ticket is judged again"
    con = duckdb.connect(str(db), read_only=True)
    for model in MODELS:
        version = con.execute(
            f"SELECT ticket_version FROM intermediate.{model} WHERE ticket_id = ?", [corrected]
        ).fetchall()
        assert version == [(top + 1,)]
        assert con.execute(f"SELECT count(*) FROM intermediate.{model} WHERE ticket_id = ?", [leaving]).fetchall() == [
            (0,)
        ], "a ticket that left the population keeps no row"
    con.close()

    _dbt_run(MODELS, db, target, macros="m2")  # a macro was edited: every ticket is judged again
    assert _marked(db) == {m: set() for m in MODELS}
    incremental = {m: _rows(db, m) for m in MODELS}
    _dbt_run(MODELS, db, target, "--full-refresh", macros="m2")
    assert {m: _rows(db, m) for m in MODELS} == incremental

    _mark(db, [kept])
    con = duckdb.connect(str(db))  # a rule seed changes (as `dbt seed` would load an edited CSV)
    con.execute("INSERT INTO ref.photo_kinds VALUES ('新增照片', 99, 'a kind added to the seed')")
    con.close()
    _dbt_run(MODELS, db, target, macros="m2")
    marked = _marked(db)
    assert marked["int_tickets_photo_checked"] == set(), "a changed photo_kinds seed recomputes the photo check"
    assert marked["int_tickets_form_checked"] == {kept}, "the form check does not read photo_kinds"


CLOCKED_MODELS = ("int_tickets_clocked", "int_tickets_described", "int_tickets_repeat_flagged")
# a text column of each that no computation sets to MARK
CLOCKED_MARKED = {
    "int_tickets_clocked": "satisfaction_answer",
    "int_tickets_described": "cause_detail",
    "int_tickets_repeat_flagged": "previous_ticket_id",
}


def _clocked_marked(db: Path) -> dict[str, set[str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            m: {r[0] for r in con.execute(f"SELECT ticket_id FROM intermediate.{m} WHERE {c} = ?", [MARK]).fetchall()}
            for m, c in CLOCKED_MARKED.items()
        }


def _clocked_rows(db: Path, leave_out: dict[str, set[str]]) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            m: con.execute(
                f"SELECT * FROM intermediate.{m} WHERE ticket_id NOT IN (SELECT unnest(?)) ORDER BY ticket_id",
                [sorted(leave_out.get(m, ()))],
            ).fetchall()
            for m in CLOCKED_MODELS
        }


def test_clocked_tickets_and_the_models_they_feed_recompute_only_what_changed(demo_run: dict, tmp_path: Path) -> None:
    """int_tickets_clocked (every ticket not cancelled), int_tickets_described (computed from its rows)
    and int_tickets_repeat_flagged (a fault's flag reads the faults of its circuit 30 days before):

    * nothing new: nothing recomputed;
    * a fault moved 40 days earlier (a correction): that ticket in all three, and the later fault of
      its circuit in the repeat flags only (its own row did not change); a ticket cancelled by a
      correction leaves all three;
    * an accepted timeliness appeal: that ticket's clock and description, not its repeat flag;
    * every row not left marked on purpose equals a full rebuild.
    """
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_run["wh"], db)
    target = tmp_path / "dbt_target"
    _dbt_run(CLOCKED_MODELS, db, target, "--full-refresh")
    with duckdb.connect(str(db), read_only=True) as con:
        neighbour, moved, circuit = con.execute(
            "SELECT ticket_id, previous_ticket_id, circuit_id FROM intermediate.int_tickets_repeat_flagged "
            "WHERE is_repeat AND earlier_fault_count = 1 ORDER BY ticket_id LIMIT 1"
        ).fetchall()[0]
        kept, leaving = (
            r[0]
            for r in con.execute(
                "SELECT ticket_id FROM intermediate.int_tickets_clocked WHERE is_fault AND is_fault_timed "
                "AND NOT is_timely_before AND circuit_id <> ? ORDER BY ticket_id LIMIT 2",
                [circuit],
            ).fetchall()
        )
    every = [kept, leaving, neighbour, moved]
    with duckdb.connect(str(db)) as con:
        for m, c in CLOCKED_MARKED.items():
            con.execute(f"UPDATE intermediate.{m} SET {c} = ? WHERE ticket_id IN (SELECT unnest(?))", [MARK, every])
    _dbt_run(CLOCKED_MODELS, db, target)
    assert _clocked_marked(db) == {m: set(every) for m in CLOCKED_MODELS}, "a run with nothing new recomputed"

    with duckdb.connect(str(db)) as con:
        top = con.execute("SELECT max(_load_seq) FROM raw.tickets").fetchall()[0][0]
        con.execute(
            "UPDATE raw.tickets SET _load_seq = ?, dispatched_at = dispatched_at - INTERVAL 40 DAY WHERE ticket_id = ?",
            [top + 1, moved],
        )
        con.execute("UPDATE raw.tickets SET _load_seq = ?, status = '已作废' WHERE ticket_id = ?", [top + 2, leaving])
    _dbt_run(CLOCKED_MODELS, db, target)
    assert _clocked_marked(db) == {
        "int_tickets_clocked": {kept, neighbour},
        "int_tickets_described": {kept, neighbour},
        "int_tickets_repeat_flagged": {kept},  # the neighbour's window lost its only earlier fault
    }
    with duckdb.connect(str(db), read_only=True) as con:
        for m in CLOCKED_MODELS:
            left = con.execute(f"SELECT count(*) FROM intermediate.{m} WHERE ticket_id = ?", [leaving]).fetchall()
            assert left == [(0,)], f"{m}: a cancelled ticket keeps no row"
        assert con.execute(
            "SELECT is_repeat FROM intermediate.int_tickets_repeat_flagged WHERE ticket_id = ?", [neighbour]
        ).fetchall() == [(False,)]

    with duckdb.connect(str(db)) as con:
        contractor = con.execute("SELECT contractor FROM raw.tickets WHERE ticket_id = ?", [kept]).fetchall()[0][0]
        con.execute(
            "INSERT INTO appdb.appeals (appeal_id, month, ticket_id, contractor, rule, item, state) "
            "VALUES (990001, '2026-09', ?, ?, 'timeliness', NULL, 'accepted')",
            [kept, contractor],
        )
    _dbt_run(CLOCKED_MODELS, db, target)
    marked = _clocked_marked(db)
    assert marked == {
        "int_tickets_clocked": {neighbour},
        "int_tickets_described": {neighbour},
        "int_tickets_repeat_flagged": {kept},  # a ruling does not change which tickets are faults
    }
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "SELECT is_timely, is_timely_by_ruling FROM intermediate.int_tickets_described WHERE ticket_id = ?", [kept]
        ).fetchall() == [(True, True)]

    incremental = _clocked_rows(db, marked)
    _dbt_run(CLOCKED_MODELS, db, target, "--full-refresh")
    assert _clocked_rows(db, marked) == incremental


def _pareto_marked(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        sql = "SELECT DISTINCT month FROM marts.mart_fault_pareto WHERE parent_path = ?"
        return {r[0] for r in con.execute(sql, [MARK]).fetchall()}
    finally:
        con.close()


def _pareto_rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT * FROM marts.mart_fault_pareto ORDER BY ALL").fetchall()
    finally:
        con.close()


def test_the_fault_pareto_recomputes_only_the_months_that_changed(demo_run: dict, tmp_path: Path) -> None:
    """mart_fault_pareto is incremental by month (macros/incremental.sql, decision 107): a month is
    computed again when its fault tickets changed, a month without tickets loses its rows, and an
    edited macro recomputes every month; incremental and full builds then hold the same rows."""
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_run["wh"], db)
    target = tmp_path / "dbt_target"
    _dbt_run(PARETO, db, target, "--full-refresh")  # the run's own macros hash, not the demo run's
    con = duckdb.connect(str(db))
    months = [r[0] for r in con.execute("SELECT DISTINCT month FROM marts.mart_fault_tickets ORDER BY 1").fetchall()]
    assert len(months) >= 2
    first, last = months[0], months[-1]
    con.execute("UPDATE marts.mart_fault_pareto SET parent_path = ? WHERE month IN (?, ?)", [MARK, first, last])
    con.close()

    _dbt_run(PARETO, db, target)
    assert _pareto_marked(db) == {first, last}, "a run with no changed ticket computed a month again"

    con = duckdb.connect(str(db))  # one ticket of the last month gets another cause (a correction)
    con.execute(
        "UPDATE marts.mart_fault_tickets SET cause_category = '新原因' "
        "WHERE ticket_id = (SELECT min(ticket_id) FROM marts.mart_fault_tickets WHERE month = ?)",
        [last],
    )
    con.close()
    _dbt_run(PARETO, db, target)
    assert _pareto_marked(db) == {first}, "only the month of the corrected ticket is computed again"
    con = duckdb.connect(str(db))
    found = con.execute(
        "SELECT month, tickets FROM marts.mart_fault_pareto WHERE level_no = 1 AND contractor = '' "
        "AND level_key = '新原因'"
    ).fetchall()
    assert found == [(last, 1)]
    con.execute("DELETE FROM marts.mart_fault_tickets WHERE month = ?", [first])
    con.close()
    _dbt_run(PARETO, db, target)
    con = duckdb.connect(str(db), read_only=True)
    left = {r[0] for r in con.execute("SELECT DISTINCT month FROM marts.mart_fault_pareto").fetchall()}
    con.close()
    assert left == set(months) - {first}, "a month without fault tickets keeps no Pareto rows"

    con = duckdb.connect(str(db))
    con.execute("UPDATE marts.mart_fault_pareto SET parent_path = ? WHERE month = ?", [MARK, last])
    con.close()
    _dbt_run(PARETO, db, target, macros="m2")  # a macro was edited: every month is computed again
    assert _pareto_marked(db) == set()
    incremental = _pareto_rows(db)
    _dbt_run(PARETO, db, target, "--full-refresh", macros="m2")
    assert _pareto_rows(db) == incremental


ROW_MARTS = ("mart_ticket_steps", "mart_fault_tickets")


def _positions(db: Path) -> dict[str, list[str]]:
    """Each mart's tickets in the order their rows are stored (rowid)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            m: [r[0] for r in con.execute(f"SELECT ticket_id FROM marts.{m} ORDER BY rowid").fetchall()]
            for m in ROW_MARTS
        }


def _moved(before: dict[str, list[str]], after: dict[str, list[str]]) -> dict[str, set[str]]:
    """The rows written by the run between: a kept row keeps its place relative to the other kept
    rows (a delete may renumber rowids), a written row goes after all of them. The shortest tail of
    `after` whose removal leaves the kept rows in their `before` order."""
    moved = {}
    for m in ROW_MARTS:
        b, a = before[m], after[m]
        present = set(a)
        survivors = [t for t in b if t in present]
        for k in range(len(a) + 1):
            tail = set(a[len(a) - k :])
            if a[: len(a) - k] == [t for t in survivors if t not in tail]:
                moved[m] = tail
                break
    return moved


def _mart_rows(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {m: con.execute(f"SELECT * FROM marts.{m} ORDER BY ALL").fetchall() for m in ROW_MARTS}


def test_ticket_marts_write_only_the_rows_that_changed(demo_run: dict, tmp_path: Path) -> None:
    """mart_ticket_steps and mart_fault_tickets are row-incremental (macros/incremental.sql, decision
    108): a run writes the rows whose content changed and no other. The marts are first stored in
    reverse order, which a full build would undo; a row written again goes after the kept ones.

    * nothing new: no row moves;
    * a fault's cause corrected: its row of mart_fault_tickets alone (mart_ticket_steps shows no cause);
    * a ticket's outcome changed (a ruling): its row in both; a ticket gone from the tickets: dropped
      from both; a ticket no longer of the fault population: dropped from mart_fault_tickets only;
    * a row edited by hand is written back as computed;
    * a changed seed (the blank label): the rows that show it, and the marts equal a full build.
    """
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_run["wh"], db)
    target = tmp_path / "dbt_target"
    _dbt_run(ROW_MARTS, db, target, "--full-refresh")
    with duckdb.connect(str(db)) as con:
        for m in ROW_MARTS:  # stored in reverse: a full build would sort them again
            con.execute(f"CREATE OR REPLACE TABLE marts.{m} AS SELECT * FROM marts.{m} ORDER BY ticket_id DESC")
        recaused, ruled, gone, unfaulted, edited = (
            r[0]
            for r in con.execute(
                "SELECT ticket_id FROM marts.mart_fault_tickets WHERE cause_detail <> '(未填写)' "
                "AND NOT is_timely ORDER BY ticket_id LIMIT 5 OFFSET 100"
            ).fetchall()
        )
    before = _positions(db)
    _dbt_run(ROW_MARTS, db, target)
    assert _moved(before, _positions(db)) == {m: set() for m in ROW_MARTS}, "a run with nothing new wrote rows"

    with duckdb.connect(str(db)) as con:  # what the upstream ticket models would now hold
        described = "intermediate.int_tickets_described"
        con.execute(f"UPDATE {described} SET cause_detail = '新的原因' WHERE ticket_id = ?", [recaused])
        con.execute(f"UPDATE {described} SET is_timely = true, is_timely_by_ruling = true WHERE ticket_id = ?", [ruled])
        con.execute(f"DELETE FROM {described} WHERE ticket_id = ?", [gone])
        con.execute(f"UPDATE {described} SET is_fault_timed = false WHERE ticket_id = ?", [unfaulted])
        con.execute("UPDATE marts.mart_ticket_steps SET effective_minutes = -1 WHERE ticket_id = ?", [edited])
    before = _positions(db)
    _dbt_run(ROW_MARTS, db, target)
    after = _positions(db)
    assert _moved(before, after) == {"mart_ticket_steps": {ruled, edited}, "mart_fault_tickets": {recaused, ruled}}
    assert gone not in after["mart_ticket_steps"] and gone not in after["mart_fault_tickets"]
    assert unfaulted in after["mart_ticket_steps"] and unfaulted not in after["mart_fault_tickets"]
    with duckdb.connect(str(db), read_only=True) as con:
        got = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT ticket_id, cause_detail, is_timely, is_timely_by_ruling FROM marts.mart_fault_tickets "
                "WHERE ticket_id IN (?, ?)",
                [recaused, ruled],
            ).fetchall()
        }
        assert got[recaused] == ("新的原因", False, False)
        assert got[ruled][1:] == (True, True)
        steps = con.execute("SELECT is_timely FROM marts.mart_ticket_steps WHERE ticket_id = ?", [ruled]).fetchall()
        assert steps == [(True,)]
        assert con.execute(
            "SELECT effective_minutes <> -1 FROM marts.mart_ticket_steps WHERE ticket_id = ?", [edited]
        ).fetchall() == [(True,)], "a row edited by hand is written back as computed"

    with duckdb.connect(str(db)) as con:  # a rule seed changes (as `dbt seed` would load an edited CSV)
        blanks = con.execute(
            "SELECT count(*) FROM marts.mart_fault_tickets WHERE '(未填写)' IN "
            "(prefecture, county, cause_category, cause_detail, faulty_device)"
        ).fetchall()[0][0]
        con.execute("UPDATE ref.area_value_sets SET value = '(空白)' WHERE set_code = 'blank_label'")
    assert blanks > 0
    before = _positions(db)
    _dbt_run(ROW_MARTS, db, target)
    moved = _moved(before, _positions(db))
    assert moved["mart_ticket_steps"] == set()
    assert len(moved["mart_fault_tickets"]) == blanks, "exactly the rows that show the blank label"
    incremental = _mart_rows(db)
    _dbt_run(ROW_MARTS, db, target, "--full-refresh")
    assert _mart_rows(db) == incremental
