"""Dagster resources: where the warehouse lives and how dbt is invoked."""

from __future__ import annotations

import importlib.metadata
import os
import sys
from dataclasses import replace
from functools import cached_property
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from packaging import version
from pydantic import PrivateAttr

from core.settings import SMTP_PASSWORD_ENV, Limits, Mail, Settings, province_name
from core.warehouse import Warehouse, warehouse_path
from orchestration.dbt_in_build import WARM_VAR
from orchestration.dbt_lib import DbtCliResource, DbtProject
from orchestration.dbt_warm import WarmDbt, start_server

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target="dev")


class WarehouseResource(ConfigurableResource):
    """The published warehouse and the province it holds.

    Empty `path` means --warehouse / $DAIWEI_WAREHOUSE / the default. Empty `province` means
    --province / $DAIWEI_PROVINCE / the default, as Settings reads them: the province whose rows of
    the reference seeds a run reads (the loader's lists, the data-quality suites) and whose
    contracts the dbt models price (var `daiwei_province`)."""

    path: str = ""
    province: str = ""

    def get(self) -> Warehouse:
        return Warehouse(warehouse_path(self.path or None))

    def get_province(self) -> str:
        return province_name(self.province) if self.province else Settings.load().province


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


class MailResource(ConfigurableResource):
    """Where the monthly pack is delivered (core.settings.Mail): SMTP host, sender, outbox, recipients.

    A field left unset (None) means what Settings reads from the environment ($DAIWEI_SMTP_HOST, …),
    as for AppDbResource; the CLI sets every field from its own Settings (`mail_run_config`). The
    password is never a field, so it is never in a run's config (which Dagster stores and shows):
    it is read from $DAIWEI_SMTP_PASSWORD by the process that sends.
    """

    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_user: str | None = None
    starttls: bool | None = None
    sender: str | None = None
    outbox: str | None = None
    recipients: list[str] | None = None
    timeout_seconds: int | None = None

    def get(self) -> Mail:
        given = {name: getattr(self, name) for name in MAIL_FIELDS if getattr(self, name) is not None}
        if "outbox" in given:
            given["outbox"] = Path(given["outbox"]).expanduser().resolve()
        if "recipients" in given:
            given["recipients"] = tuple(given["recipients"])
        base = Settings.load().mail if len(given) < len(MAIL_FIELDS) else Mail()
        return replace(base, smtp_password=os.environ.get(SMTP_PASSWORD_ENV, ""), **given)


MAIL_FIELDS = ("smtp_host", "smtp_port", "smtp_user", "starttls", "sender", "outbox", "recipients", "timeout_seconds")


def mail_run_config(mail: Mail) -> dict:
    """The run config that hands a run these mail settings, without the password."""
    config = {name: getattr(mail, name) for name in MAIL_FIELDS}
    config["outbox"] = str(mail.outbox)
    config["recipients"] = list(mail.recipients)
    return {"mail": {"config": config}}


class DaiweiDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two costs no asset here uses (≈ 6 s a run, decision 90): it
    asked `dbt --version` in a subprocess before every invocation, and opened a dbt adapter in
    this process (loading the project's macros) only to fetch column metadata and row counts."""

    @cached_property
    def _cli_version(self) -> version.Version:
        # dbt runs in this environment (orchestration.dbt_in_build), so its version is the installed dbt-core's.
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # dagster-dbt's signature
        return None

    # dbt imported in the background from the start of a run (decision 105): the run's steps
    # before dbt's (loading) hide the ≈ 1.2 s a new dbt process spends importing itself.
    _warm: WarmDbt | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        super().setup_for_execution(context)
        self._warm = start_server()

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._warm is not None:
            self._warm.stop()
            self._warm = None

    def run_vars(self) -> dict[str, str]:
        """The vars that hand an invocation to the warm dbt (taken out before dbt sees them)."""
        return {WARM_VAR: self._warm.socket_path} if self._warm is not None else {}


def dbt_resource(project: DbtProject | None = None) -> DbtCliResource:
    """dbt through `orchestration.dbt_in_build`, which starts it in the build folder a run names."""
    # DbtCliResource.__init__ takes a DbtProject; mypy sees only the pydantic field (str)
    return DaiweiDbtCliResource(
        project_dir=project or dbt_project,  # type: ignore[arg-type]
        dbt_executable=sys.executable,
        global_config_flags=["-m", "orchestration.dbt_in_build"],
    )
