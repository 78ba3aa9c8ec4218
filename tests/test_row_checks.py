"""The generic test `row_checks` (dbt_project/tests/generic/row_checks.sql, decision 105).

Each model's and seed's keys and plain column rules are one dbt test. Its SQL is compiled by dbt
and run on a hand-made table whose broken rows are counted by hand below; then the same table
without them must return nothing. And every model and seed with such rules has exactly one.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "dbt_project"

CALL = (
    "{{ test_row_checks(model=api.Relation.create(schema='s', identifier='t'), "
    "unique=['id', ['a', 'b']], not_null=['id', 'a'], accepted_values={'kind': ['x', \"o'k\"]}, "
    "expressions=[{'name': 'b_positive', 'expression': 'b > 0', 'where_clause': \"kind = 'x'\"}, "
    "{'expression': \"a != 'q'\"}], "
    "relationships=[{'column': 'kind', 'to': api.Relation.create(schema='s', identifier='kinds'), 'field': 'k'}, "
    "{'name': 'id_b_known', 'column': \"id || '/' || b\", "
    "'to': api.Relation.create(schema='s', identifier='kinds'), 'field': 'k'}]) }}"
)

# id, a, b, kind
ROWS = [
    (1, "p", 1, "x"),
    (1, "p", 2, "o'k"),  # id 1 twice: one duplicated id
    (2, "q", 1, "y"),  # kind y is not accepted
    (None, "q", 1, None),  # no id (not a duplicate: NULLs aside); (q, 1) twice: one duplicated pair
    (None, None, None, "z"),  # no id, no a; kind z not accepted
    (3, None, None, "x"),  # (NULL, NULL) twice: a duplicated pair (NULLs count in a combination)
]


def _compiled(tmp_path: Path) -> str:
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    args = ["compile", "--quiet", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT)]
    args += ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    args += ["--vars", json.dumps({"daiwei_db_path": str(tmp_path / "compile.duckdb")}), "--inline", CALL]
    dbt = ROOT / ".venv" / "bin" / "dbt"
    p = subprocess.run([str(dbt), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    return p.stdout[p.stdout.index("select") :]


def test_each_broken_rule_is_a_row_with_its_count(tmp_path: Path) -> None:
    sql = _compiled(tmp_path)
    con = duckdb.connect()
    con.execute("CREATE SCHEMA s; CREATE TABLE s.t (id INTEGER, a VARCHAR, b INTEGER, kind VARCHAR)")
    con.executemany("INSERT INTO s.t VALUES (?, ?, ?, ?)", ROWS)
    con.execute("CREATE TABLE s.kinds (k VARCHAR)")
    con.executemany("INSERT INTO s.kinds VALUES (?)", [("x",), ("o'k",), ("y",), ("1/1",)])
    broken = sorted(con.execute(sql).fetchall())
    assert broken == [
        ("accepted_values", "kind", 2),  # y and z; NULL is allowed
        ("b_positive", "b > 0", 1),  # of the two x rows, the one without b (NULL is not true)
        ("expression_is_true", "a != 'q'", 4),  # two q rows and two without a
        ("id_b_known", "id || '/' || b → kinds.k", 2),  # 1/2 and 2/1 are not kinds; NULLs aside
        ("not_null", "a", 2),
        ("not_null", "id", 2),
        ("relationships", "kind → kinds.k", 1),  # z; NULL is not looked up
        ("unique", "a, b", 2),  # (q, 1) and (NULL, NULL)
        ("unique", "id", 1),
    ]
    con.execute("DELETE FROM s.t WHERE id IS NULL OR kind NOT IN ('x', 'o''k') OR a IS NULL OR b = 2")
    assert con.execute("SELECT count(*) FROM s.t").fetchone() == (1,)
    assert con.execute(sql).fetchall() == []


def test_every_model_and_seed_has_one_row_checks_and_no_single_rule_tests() -> None:
    manifest = json.loads((PROJECT / "target" / "manifest.json").read_text(encoding="utf-8"))
    per_node: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        name = (node.get("test_metadata") or {}).get("name")
        if node["resource_type"] == "test" and name:
            per_node.setdefault(node["attached_node"], []).append(name)
    folded = {"not_null", "unique", "accepted_values", "unique_combination_of_columns", "expression_is_true"}
    folded |= {"relationships"}
    assert not [(n, t) for n, tests in per_node.items() for t in tests if t in folded]
    assert all(tests.count("row_checks") <= 1 for tests in per_node.values())
    assert sum("row_checks" in tests for tests in per_node.values()) >= 80
