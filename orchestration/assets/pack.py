"""The monthly KPI pack as a Dagster asset: the CLI, a schedule and the UI all run this one asset.

It reads the PUBLISHED warehouse read-only (never a run's build copy), so it
can run while another run is building, and it writes only into `out_dir`.
With `deliver` (the monthly schedule, `daiwei pack --send`) it then e-mails the
pack to its recipients (reporting/delivery.py, docs/delivery.md): a contractor
recipient gets that contractor's own pack, built here the way `--contractor`
builds it, and only once the month is published to the contractors.
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

from orchestration.resources import AppDbResource, MailResource, WarehouseResource

PACK_JOB = "kpi_pack_job"


class PackConfig(Config):
    """Which month, and where the two files go."""

    month: str
    out_dir: str = "data/packs"
    # a contractor's own pack (cli.md `pack --contractor`): only its rows; empty = the department's pack
    contractor: str = ""
    # e-mail the pack to its recipients after building it (seed pack_recipients + $DAIWEI_PACK_RECIPIENTS)
    deliver: bool = False


_pack_asset = asset(
    name="kpi_pack",
    deps=[AssetKey("published_warehouse")],
    group_name="publish",
    kinds={"excel", "pdf"},
    description="KPI月报_<月份|季度|年度>.xlsx + .pdf: the pack of a month, quarter or year (read from the "
    "published warehouse; e-mailed with `deliver`).",
)


@_pack_asset
def kpi_pack(
    context: AssetExecutionContext,
    config: PackConfig,
    warehouse: WarehouseResource,
    app_db: AppDbResource,
    mail: MailResource,
) -> MaterializeResult:
    """Write the month's workbook and PDF; their paths, sizes and sha256 go to the asset's metadata.

    With `deliver`, also to whom the pack went (masked addresses), one line per recipient group."""
    import hashlib

    from reporting.pack import build
    from reporting.scope import Scope

    published = warehouse.get().path
    out_dir = Path(config.out_dir).expanduser().resolve()
    scope = Scope(contractor=config.contractor, comparisons=False) if config.contractor else None
    paths = build(config.month, out_dir, published, scope)
    meta: dict[str, object] = {"month": config.month, "warehouse": str(published)}
    for p in paths:
        kind = p.suffix.lstrip(".")
        meta[f"{kind}_path"] = MetadataValue.path(str(p))
        meta[f"{kind}_bytes"] = p.stat().st_size
        meta[f"{kind}_sha256"] = hashlib.sha256(p.read_bytes()).hexdigest()
    context.log.info(f"pack {config.month}: {', '.join(p.name for p in paths)}")
    if config.deliver:
        meta.update(_deliver(context, config, published, out_dir, paths, app_db, mail))
    return MaterializeResult(metadata=meta)  # type: ignore[arg-type]


def _deliver(
    context: AssetExecutionContext,
    config: PackConfig,
    published: Path,
    out_dir: Path,
    paths: list[Path],
    app_db: AppDbResource,
    mail: MailResource,
) -> dict[str, object]:
    """E-mail the pack: one message per recipient group; a failed group is a warning, never a failed run."""
    from reporting.delivery import deliver, recipient_groups
    from reporting.pack import build
    from reporting.scope import Scope

    settings = mail.get()
    own = config.contractor or None
    groups = recipient_groups(published, settings.recipients, contractor=own)
    skipped: list[str] = []
    packs = []
    published_to_contractors: bool | None = None
    for group in groups:
        if group.contractor is not None:
            if published_to_contractors is None:
                published_to_contractors = _published_to_contractors(app_db.url_or_default(), config.month, published)
            if not published_to_contractors:
                skipped.append(
                    f"未发送 / not sent: {group.label}: {config.month} 尚未发布给代维公司 / "
                    "the month is not published to the contractors yet"
                )
                continue
        if group.contractor == own:
            packs.append((group, paths))
        else:
            scope = Scope(contractor=group.contractor, comparisons=False)
            packs.append((group, build(config.month, out_dir, published, scope)))
    if not groups:
        skipped.append("没有收件人 / no recipients (seed pack_recipients, $DAIWEI_PACK_RECIPIENTS)")
    deliveries = deliver(config.month, packs, settings)
    for d in deliveries:
        (context.log.info if d.ok else context.log.warning)(d.line())
    for line in skipped:
        context.log.warning(line)
    return {
        "delivered_groups": sum(d.ok for d in deliveries),
        "failed_groups": sum(not d.ok for d in deliveries),
        "skipped_groups": len(skipped) if groups else 0,
        "delivery": MetadataValue.text("\n".join([d.line() for d in deliveries] + skipped)),
    }


def _published_to_contractors(app_db_url: str, label: str, published: Path) -> bool:
    """Whether every data month of the month / quarter / year is open or closed (access.md): a draft
    month's figures never reach a contractor, alone or inside a period."""
    import duckdb

    from appstate import connect, month_states
    from core.months import data_months_of
    from reporting.exports import months_in

    con = duckdb.connect(str(published), read_only=True)
    try:
        months = data_months_of(label, months_in(con))
    finally:
        con.close()
    app = connect(app_db_url)
    try:
        states = month_states(app)
    finally:
        app.dispose()
    return bool(months) and all(m in states and states[m].state in ("open", "closed") for m in months)


kpi_pack_job = define_asset_job(
    name=PACK_JOB,
    selection=AssetSelection.assets(kpi_pack),
    description="生成月报（xlsx + pdf）/ write the month's KPI pack",
)
