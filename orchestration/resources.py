"""Dagster resources: where the warehouse lives and how dbt is invoked."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource, DbtProject

from orchestration.warehouse import Warehouse, warehouse_path

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target="dev")


class WarehouseResource(ConfigurableResource):
    """The published warehouse; empty `path` means --warehouse / $DAIWEI_WAREHOUSE / the default."""

    path: str = ""

    def get(self) -> Warehouse:
        return Warehouse(warehouse_path(self.path or None))


def dbt_executable() -> str:
    """The dbt of this virtualenv, so runs work without the venv on PATH."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
