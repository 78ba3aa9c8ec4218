"""The list of suites, importable without pandas or Great Expectations.

Dagster reads it when the definitions load (one asset check per raw asset and
check name), so it must stay cheap; validation code is imported only when a
run starts (`runner.py`).
"""

from __future__ import annotations

from quality import device_suite, ledger_suite, raw_suites
from quality.spec import SuiteDef

_ORDER = (
    "tickets",
    "inspections",
    "device_metrics",
    "device_metrics_sample",
    "hr_roster",
    "eoms_circuits",
    "ledger",
    "ledger_vs_eoms",
    "spare_parts",
    "instruments",
    "acceptance",
)


def _ordered() -> tuple[SuiteDef, ...]:
    by_name = {sd.name: sd for sd in (*raw_suites.SUITES, *device_suite.SUITES, *ledger_suite.SUITES)}
    missing = set(by_name) ^ set(_ORDER)
    if missing:
        raise RuntimeError(f"suite list out of date: {sorted(missing)}")
    return tuple(by_name[n] for n in _ORDER)


# In the order of the datasets (ingestion.datasets.DATASETS).
SUITES: tuple[SuiteDef, ...] = _ordered()
SUITE_NAMES: tuple[str, ...] = tuple(sd.name for sd in SUITES)


def checks() -> dict[tuple[str, str], list[SuiteDef]]:
    """(asset name, check name) -> the suites that check reports, in suite order."""
    out: dict[tuple[str, str], list[SuiteDef]] = {}
    for sd in SUITES:
        out.setdefault((sd.asset, sd.check_name), []).append(sd)
    return out
