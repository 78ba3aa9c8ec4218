"""The dbt manifest is prepared once (`dbt parse`), and again only when the project changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from dagster._utils import run_with_concurrent_update_guard

from orchestration.dbt_lib import DbtProject

WATCHED = ("models", "seeds", "macros", "tests", "dbt_project.yml", "profiles.yml")


def _newest_source(project_dir: Path) -> float:
    newest = 0.0
    for name in WATCHED:
        p = project_dir / name
        paths = [p] if p.is_file() else (p.rglob("*") if p.exists() else [])
        for f in paths:
            if f.is_file():
                newest = max(newest, f.stat().st_mtime)
    return newest


def macros_sha256(project_dir: Path) -> str:
    """One hash of the project's macros: part of the rules fingerprint of the incremental ticket
    models (macros/incremental.sql), so editing a macro they use recomputes every ticket."""
    digest = hashlib.sha256()
    for path in sorted((project_dir / "macros").rglob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def run_vars(project_dir: Path, province: str) -> dict[str, str]:
    """The vars every `dbt build` of a run passes (besides its build folder, which dbt never sees:
    orchestration/dbt_in_build.py). The parse below passes the same, so the saved parse it leaves
    in the project's target folder is valid for a new warehouse's first run (dagster-dbt copies it)."""
    return {"daiwei_macros_sha256": macros_sha256(project_dir), "daiwei_province": province}


def _parse(project: DbtProject) -> None:
    """`dbt parse` with this environment's dbt (dagster-dbt's own preparer looks for `dbt` on PATH,
    which a `.venv/bin/daiwei` started without the virtualenv on PATH does not have), with the vars
    of a run of the default province."""
    from core.settings import DEFAULT_PROVINCE
    from orchestration.resources import dbt_resource

    variables = json.dumps(run_vars(Path(project.project_dir), DEFAULT_PROVINCE), ensure_ascii=False, sort_keys=True)
    dbt_resource(project).cli(["parse", "--quiet", "--vars", variables], target_path=project.target_path).wait()


def ensure_manifest(project: DbtProject) -> Path:
    """Path of a manifest.json no older than the project files (parsing it if needed)."""
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source(Path(project.project_dir)):
        run_with_concurrent_update_guard(manifest, _parse, project=project)
    return manifest
