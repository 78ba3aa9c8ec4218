"""The monthly KPI pack as a Dagster asset: the CLI, a schedule and the UI all run this one asset.

It reads the PUBLISHED warehouse read-only (never a run's build copy), so it
can run while another run is building, and it writes only into `out_dir`.
No `from __future__ import annotations` here: Dagster inspects the
`context` and `config` annotations at definition time.
"""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    Config,
    MaterializeResult,
    MetadataValue,
    asset,
    define_asset_job,
)

from orchestration.resources import WarehouseResource

PACK_JOB = "kpi_pack_job"


class PackConfig(Config):
    """Which month, and where the two files go."""

    month: str
    out_dir: str = "data/packs"
    # a contractor's own pack (cli.md `pack --contractor`): only its rows; empty = the department's pack
    contractor: str = ""


@asset(
    name="kpi_pack",
    deps=[AssetKey("published_warehouse")],
    group_name="publish",
    kinds={"excel", "pdf"},
    description="KPI月报_YYYY-MM.xlsx + .pdf: the month's pack sent to the contractors (read from the published "
    "warehouse).",
)
def kpi_pack(context: AssetExecutionContext, config: PackConfig, warehouse: WarehouseResource) -> MaterializeResult:
    """Write the month's workbook and PDF; their paths, sizes and sha256 go to the asset's metadata."""
    import hashlib

    from reporting.pack import build
    from reporting.scope import Scope

    published = warehouse.get().path
    scope = Scope(contractor=config.contractor, comparisons=False) if config.contractor else None
    paths = build(config.month, Path(config.out_dir).expanduser().resolve(), published, scope)
    meta: dict[str, object] = {"month": config.month, "warehouse": str(published)}
    for p in paths:
        kind = p.suffix.lstrip(".")
        meta[f"{kind}_path"] = MetadataValue.path(str(p))
        meta[f"{kind}_bytes"] = p.stat().st_size
        meta[f"{kind}_sha256"] = hashlib.sha256(p.read_bytes()).hexdigest()
    context.log.info(f"pack {config.month}: {', '.join(p.name for p in paths)}")
    return MaterializeResult(metadata=meta)  # type: ignore[arg-type]


kpi_pack_job = define_asset_job(
    name=PACK_JOB,
    selection=AssetSelection.assets(kpi_pack),
    description="生成月报（xlsx + pdf）/ write the month's KPI pack",
)
