"""What a dbt build reads, fingerprinted (orchestration/dbt_inputs.py, decision 104).

A run skips `dbt build` only when nothing it reads changed since the last complete build whose
tests all passed. Each rule of the fingerprint is held here on a small DuckDB file and a
manifest shaped like dbt's: a new load, a superseded row, a new raw column, a changed appeal
and a closed month each change it; a skipped file in the load log and new data-quality results
(read only through a view, always live) do not; the project's files and versions are part of it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_inputs import all_passed, inputs_sha256, last_built, project_sha256, read_sources, record_built

MANIFEST = {
    "sources": {
        "source.d.raw.tickets": {"schema": "raw", "name": "tickets", "identifier": "tickets"},
        "source.d.audit.load_log": {"schema": "audit", "name": "load_log", "identifier": "load_log"},
        "source.d.audit.dq_results": {"schema": "audit", "name": "dq_results", "identifier": "dq_results"},
        "source.d.appdb.appeals": {"schema": "appdb", "name": "appeals", "identifier": "appeals"},
        "source.d.appdb.month_states": {"schema": "appdb", "name": "month_states", "identifier": "month_states"},
    },
    "nodes": {
        "model.d.stg_tickets": {"resource_type": "model", "config": {"materialized": "view"}},
        "model.d.fct": {"resource_type": "model", "config": {"materialized": "table"}},
        "model.d.mart_dq_scores": {"resource_type": "model", "config": {"materialized": "view"}},
        "model.d.stg_rulings": {"resource_type": "model", "config": {"materialized": "view"}},
        "test.d.not_null_stg_rulings": {"resource_type": "test", "config": {}},
        "model.d.restatements": {"resource_type": "model", "config": {"materialized": "table"}},
    },
    "child_map": {
        "source.d.raw.tickets": ["model.d.stg_tickets"],
        "model.d.stg_tickets": ["model.d.fct"],
        "source.d.audit.load_log": ["model.d.restatements"],
        "source.d.audit.dq_results": ["model.d.mart_dq_scores"],
        "model.d.mart_dq_scores": [],
        "source.d.appdb.appeals": ["model.d.stg_rulings"],
        "model.d.stg_rulings": ["test.d.not_null_stg_rulings"],
        "source.d.appdb.month_states": ["model.d.restatements"],
    },
}


@pytest.fixture()
def con(tmp_path: Path):  # type: ignore[no-untyped-def]
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    c.execute("CREATE SCHEMA raw; CREATE SCHEMA audit; CREATE SCHEMA appdb")
    c.execute("CREATE TABLE raw.tickets AS SELECT 'A' AS ticket_id, 1 AS _load_seq")
    c.execute("CREATE TABLE audit.load_log AS SELECT 1 AS load_seq, 'a.csv' AS file, 'loaded' AS status")
    c.execute("CREATE TABLE audit.dq_results AS SELECT 'r1' AS run_id, true AS passed")
    c.execute("CREATE TABLE appdb.appeals AS SELECT 1 AS appeal_id, 'filed' AS state")
    c.execute("CREATE TABLE appdb.month_states (month VARCHAR, state VARCHAR)")
    yield c
    c.close()


def _fp(con) -> str:  # type: ignore[no-untyped-def]
    return inputs_sha256(con, MANIFEST, "project", ["daiwei_province=贵州"])


def test_sources_read_only_through_views_are_left_out() -> None:
    # dq_results feeds one view and nothing else; appeals feed a view that a test reads: kept
    assert read_sources(MANIFEST) == [
        ("appdb", "appeals"),
        ("appdb", "month_states"),
        ("audit", "load_log"),
        ("raw", "tickets"),
    ]


def test_what_changes_the_fingerprint_and_what_does_not(con) -> None:  # type: ignore[no-untyped-def]
    seen = {_fp(con)}

    def changed(sql: str) -> bool:
        con.execute(sql)
        fp = _fp(con)
        new = fp not in seen
        seen.add(fp)
        return new

    assert not changed("INSERT INTO audit.dq_results VALUES ('r2', false)")  # a view reads it
    assert not changed("INSERT INTO audit.load_log VALUES (2, 'a.csv', 'skipped')")  # models read loaded rows
    assert changed("INSERT INTO raw.tickets VALUES ('B', 3)")  # a new load
    assert changed("DELETE FROM raw.tickets WHERE ticket_id = 'A'")  # a superseded row
    assert changed("INSERT INTO audit.load_log VALUES (3, 'b.csv', 'loaded')")
    assert changed("ALTER TABLE raw.tickets ADD COLUMN ticket_id_nfkc VARCHAR")  # ingestion's migration
    assert changed("UPDATE appdb.appeals SET state = 'accepted'")  # a ruling
    assert changed("INSERT INTO appdb.month_states VALUES ('2026-10', 'closed')")  # a month closed
    assert changed("DROP TABLE appdb.month_states")  # a warehouse from before a table existed
    before = _fp(con)
    assert inputs_sha256(con, MANIFEST, "project", ["daiwei_province=宁夏"]) != before
    assert inputs_sha256(con, MANIFEST, "edited project", ["daiwei_province=贵州"]) != before


def test_the_record_and_what_counts_as_a_passing_build(con) -> None:  # type: ignore[no-untyped-def]
    assert last_built(con) is None
    record_built(con, "fp1", "run-1")
    assert last_built(con) == ("fp1", "run-1")
    record_built(con, None, "run-2")  # an incomplete or failing build forgets it: the next run builds
    assert last_built(con) is None
    assert all_passed({"results": [{"status": "success"}, {"status": "pass"}]})
    assert not all_passed({"results": [{"status": "success"}, {"status": "warn"}]})
    assert not all_passed({"results": [{"status": "error"}]})
    assert not all_passed({})


def test_the_project_hash_covers_sql_seeds_and_configuration(tmp_path: Path) -> None:
    project = Path(__file__).resolve().parent.parent / "dbt_project"
    copy = tmp_path / "dbt_project"
    for name in ("models", "macros", "tests", "seeds"):
        shutil.copytree(project / name, copy / name)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(project / name, copy / name)
    first = project_sha256(copy)
    assert project_sha256(copy) == first
    (copy / "target").mkdir()
    (copy / "target" / "manifest.json").write_text("{}", encoding="utf-8")  # dbt's output is not an input
    assert project_sha256(copy) == first
    model = next((copy / "models").rglob("*.sql"))
    model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    second = project_sha256(copy)
    assert second != first
    seed = next((copy / "seeds").rglob("*.csv"))
    seed.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert project_sha256(copy) not in (first, second)
