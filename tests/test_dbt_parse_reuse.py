"""dbt's saved parse is valid for every warehouse (orchestration/dbt_in_build.py, decision 101).

A run opens its build copy by one relative name from its own build folder, so dbt's connection
settings and vars are the same for every warehouse and the project's saved parse (left by
`make manifest`, copied into a new warehouse's dbt folder by dagster-dbt) is reused: a new
warehouse's first run does not parse the whole project again. The models' views name no catalog
(macros/relations.sql), so the copy is readable under whatever name it is published as.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from core.warehouse import BUILD_FILE
from orchestration.dbt_in_build import BUILD_DIR_VAR, split_run_vars


def test_the_build_folder_is_taken_out_of_the_vars() -> None:
    args = ["build", "--vars", json.dumps({BUILD_DIR_VAR: "/w/.build/x", "daiwei_province": "贵州"}), "--quiet"]
    rest, taken = split_run_vars(args)
    assert taken == {BUILD_DIR_VAR: "/w/.build/x"}
    assert rest[0] == "build" and rest[-1] == "--quiet" and json.loads(rest[2]) == {"daiwei_province": "贵州"}
    # without the var, or with vars that are not JSON (typed by hand), dbt gets its arguments unchanged
    assert split_run_vars(["parse", "--vars", '{"a": 1}']) == (["parse", "--vars", '{"a": 1}'], {})
    assert split_run_vars(["parse", "--vars", "{a: 1}"]) == (["parse", "--vars", "{a: 1}"], {})
    assert split_run_vars(["parse", "--vars"]) == (["parse", "--vars"], {})


@pytest.mark.slow
def test_a_new_warehouse_reuses_the_projects_parse(demo_run: dict) -> None:
    log = demo_run["wh"].parent / "logs" / "daiwei-run.log"
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Running with dbt" in text, text[:2000]
    assert "Unable to do partial parsing" not in text, [ln for ln in text.splitlines() if "partial" in ln]


@pytest.mark.slow
def test_views_name_no_catalog_and_read_under_another_name(demo_run: dict, tmp_path: Path) -> None:
    copy = tmp_path / "另一个名字.duckdb"
    shutil.copyfile(demo_run["wh"], copy)
    con = duckdb.connect(str(copy), read_only=True)
    try:
        views = con.execute(
            "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY ALL"
        ).fetchall()
        assert len(views) >= 10
        catalog = Path(BUILD_FILE).stem
        for schema, name, sql in views:
            assert f'"{catalog}".' not in sql and f"{catalog}." not in sql.split(" AS ", 1)[1], (schema, name)
            con.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchall()
    finally:
        con.close()
    other = duckdb.connect()
    try:
        other.execute(f"ATTACH '{copy}' AS elsewhere (READ_ONLY)")
        assert other.execute("SELECT count(*) FROM elsewhere.marts.mart_dq_scores").fetchall()[0][0] >= 0
    finally:
        other.close()
