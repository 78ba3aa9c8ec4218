"""A dbt build whose inputs are those of the last complete build is not run again (decision 104).

No model reads the clock: what `dbt build` writes is decided by the project (its SQL, seeds,
macros, tests, configuration and the versions of dbt and its adapter), the vars of the run
(the province) and the tables it reads. So when all of these are what they were at the last
build that built everything and whose every test passed, building again would write the same
rows and pass the same tests; a run that loaded nothing (the nightly schedule, a re-run after
a file that was already there) keeps the warehouse's models as they are.

The tables read are the project's sources, each described cheaply and exactly enough:

* a table with a `_load_seq` column (the raw tables): its columns, row count and newest load.
  Rows are only ever inserted under a new load sequence, and deleted (superseded) only by such
  an insert, so any load that changes the table changes one of these;
* `audit.load_log`: its loaded rows (the only ones a model reads: mart_restatements), which
  skipped files, logged by every run, do not change;
* every other table (the application's decisions in `appdb`, small): its whole content.

A source read only through views (audit.dq_results, by the mart_dq_scores view) is left out:
a view is computed when it is read, so it is never stale, and the quality step rewrites that
table every run. A source whose table is missing is described as missing.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb

INPUTS_BUILT = "audit.dbt_inputs_built"
LOADED_ONLY = {("audit", "load_log"): "status = 'loaded'"}  # source -> the rows models read
PROJECT_FOLDERS = ("models", "macros", "tests", "seeds", "analyses", "snapshots")
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml")
VERSIONED = ("dbt-core", "dbt-duckdb", "duckdb")


def project_sha256(project_dir: Path) -> str:
    """Every file of the dbt project that can change what a build writes, and the versions that run it."""
    digest = hashlib.sha256()
    for package in VERSIONED:
        digest.update(f"{package}=={importlib.metadata.version(package)}\0".encode())
    files = [project_dir / name for name in PROJECT_FILES if (project_dir / name).is_file()]
    for folder in PROJECT_FOLDERS:
        if (project_dir / folder).is_dir():
            files += sorted(p for p in (project_dir / folder).rglob("*") if p.is_file())
    for path in files:
        digest.update(str(path.relative_to(project_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _views_only(manifest: Mapping[str, Any], unique_id: str) -> bool:
    """Whether everything downstream of a node is a view (no table, no test): nothing keeps its rows."""
    nodes, children = manifest.get("nodes", {}), manifest.get("child_map", {})
    stack, seen = list(children.get(unique_id, [])), set()
    while stack:
        child = stack.pop()
        if child in seen:
            continue
        seen.add(child)
        node = nodes.get(child, {})
        if node.get("resource_type") != "model" or node.get("config", {}).get("materialized") != "view":
            return False
        stack.extend(children.get(child, []))
    return True


def read_sources(manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(schema, table) of every source whose rows a build keeps somewhere, sorted."""
    out = {
        (source["schema"], source.get("identifier") or source["name"])
        for unique_id, source in manifest.get("sources", {}).items()
        if not _views_only(manifest, unique_id)
    }
    return sorted(out)


def _describe(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    columns = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    if not columns:
        return f"{schema}.{table}: missing"
    relation = f'"{schema}"."{table}"'
    names = [c for c, _ in columns]
    if "_load_seq" in names:
        count, newest = con.execute(f"SELECT count(*), max(_load_seq) FROM {relation}").fetchall()[0]
        content = f"{count}:{newest}"
    else:
        where = LOADED_ONLY.get((schema, table), "true")
        count, digest = con.execute(
            f"SELECT count(*), md5(coalesce(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR)), '')) "
            f"FROM {relation} AS t WHERE {where}"
        ).fetchall()[0]
        content = f"{count}:{digest}"
    return f"{schema}.{table}: {columns} {content}"


def inputs_sha256(
    con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any], project: str, variables: Iterable[str]
) -> str:
    """One hash of what a build reads: the project's hash, the run's vars and every kept source."""
    digest = hashlib.sha256(project.encode() + b"\0")
    for item in variables:
        digest.update(item.encode() + b"\0")
    for schema, table in read_sources(manifest):
        digest.update(_describe(con, schema, table).encode() + b"\0")
    return digest.hexdigest()


def last_built(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(fingerprint, run id) of the last complete build whose tests all passed, if recorded."""
    try:
        row = con.execute(f"SELECT fingerprint, run_id FROM {INPUTS_BUILT}").fetchone()
    except duckdb.CatalogException:
        return None
    return (str(row[0]), str(row[1])) if row else None


def record_built(con: duckdb.DuckDBPyConnection, fingerprint: str | None, run_id: str) -> None:
    """Record the inputs of a complete, passing build; None forgets the record (the next run builds)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(f"CREATE TABLE IF NOT EXISTS {INPUTS_BUILT} (fingerprint VARCHAR, run_id VARCHAR, built_at TIMESTAMP)")
    con.execute(f"DELETE FROM {INPUTS_BUILT}")
    if fingerprint is not None:
        con.execute(f"INSERT INTO {INPUTS_BUILT} VALUES (?, ?, CAST(now() AS TIMESTAMP))", [fingerprint, run_id])


def all_passed(results: Mapping[str, Any]) -> bool:
    """Every node of a dbt invocation succeeded and every test passed (a warning is not a pass)."""
    rows = results.get("results", [])
    return bool(rows) and all(r.get("status") in ("success", "pass") for r in rows)
