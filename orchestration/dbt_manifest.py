"""The dbt manifest is prepared once (`dbt parse`), and again only when the project changed."""

from __future__ import annotations

from pathlib import Path

from dagster._utils import run_with_concurrent_update_guard
from dagster_dbt import DbtProject

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


def _parse(project: DbtProject) -> None:
    """`dbt parse` with this environment's dbt (dagster-dbt's own preparer looks for `dbt` on PATH,
    which a `.venv/bin/daiwei` started without the virtualenv on PATH does not have)."""
    from orchestration.resources import DaiweiDbtCliResource, dbt_executable

    resource = DaiweiDbtCliResource(project_dir=project, dbt_executable=dbt_executable())  # type: ignore[arg-type]
    resource.cli(["parse", "--quiet"], target_path=project.target_path).wait()


def ensure_manifest(project: DbtProject) -> Path:
    """Path of a manifest.json no older than the project files (parsing it if needed)."""
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source(Path(project.project_dir)):
        run_with_concurrent_update_guard(manifest, _parse, project=project)
    return manifest
