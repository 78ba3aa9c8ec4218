"""Dagster resources: where the warehouse lives and how dbt is invoked."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource, DbtProject

from core.settings import Limits, Settings
from core.warehouse import Warehouse, warehouse_path

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target="dev")


class WarehouseResource(ConfigurableResource):
    """The published warehouse; empty `path` means --warehouse / $DAIWEI_WAREHOUSE / the default."""

    path: str = ""

    def get(self) -> Warehouse:
        return Warehouse(warehouse_path(self.path or None))


class AppDbResource(ConfigurableResource):
    """The application database (accounts, appeals, month states, audit): an SQLAlchemy URL.

    Empty `url` means $DAIWEI_APP_DB / the default SQLite file, as Settings reads them."""

    url: str = ""

    def url_or_default(self) -> str:
        return self.url or Settings.load().app_db


class LimitsResource(ConfigurableResource):
    """What one delivered file may cost before it is rejected whole (core.settings.Limits)."""

    max_cells: int = Limits().max_cells
    max_sheet_xml_bytes: int = Limits().max_sheet_xml_bytes
    max_field_chars: int = Limits().max_field_chars

    @classmethod
    def of(cls, limits: Limits) -> LimitsResource:
        return cls(
            max_cells=limits.max_cells,
            max_sheet_xml_bytes=limits.max_sheet_xml_bytes,
            max_field_chars=limits.max_field_chars,
        )

    def get(self) -> Limits:
        return Limits(self.max_cells, self.max_sheet_xml_bytes, self.max_field_chars)


def limits_run_config(limits: Limits) -> dict:
    """The run config that hands a run these limits (the CLI's settings, not the process environment)."""
    fields = ("max_cells", "max_sheet_xml_bytes", "max_field_chars")
    return {"limits": {"config": {f: getattr(limits, f) for f in fields}}}


def dbt_executable() -> str:
    """The dbt of this virtualenv, so runs work without the venv on PATH."""
    local = Path(sys.executable).parent / "dbt"
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable())
