"""dagster-dbt, imported without importing dbt-core into the run's process (decision 112).

`import dagster_dbt` imports dbt-core (`dagster_dbt.compat` takes dbt's version, node types and
statuses from it, and with them dbt's adapters, contracts and Jinja): ≈ 1.5–1.8 s of every
`daiwei run` before it reads a file, for nothing this process uses. dbt itself never runs here:
the dbt step starts it in another process (orchestration.dbt_in_build, served by
orchestration.dbt_warm), `DaiweiDbtCliResource` takes dbt's version from the installed package's
metadata instead of `dbt --version`, and opens no dbt adapter in this process.

dagster-dbt supports running without dbt-core in its process (for the dbt Fusion engine): when
`dbt.version` cannot be imported, `dagster_dbt.compat` defines the same node types and statuses
as plain string enums (their values are dbt's; `tests/test_definitions.py` compares them with
dbt-core's). So dagster-dbt is imported here, once, with `dbt.version` made unimportable for the
duration of that import only; afterwards dbt imports normally for anyone who wants it. When dbt
is already imported in the process (a test that imported it first) nothing is hidden and
dagster-dbt imports as usual.

Every other module imports dagster-dbt's names from here, never from `dagster_dbt` directly
(an import-linter contract in pyproject.toml).
"""

from __future__ import annotations

from core.imports import hidden

with hidden("dbt.version"):  # a no-op when dbt.version is imported already (hidden() then hides nothing)
    import dagster_dbt  # noqa: F401

from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

__all__ = [
    "DagsterDbtTranslator",
    "DagsterDbtTranslatorSettings",
    "DbtCliInvocation",
    "DbtCliResource",
    "DbtProject",
    "dbt_assets",
]
