"""Demo deliveries for daiwei: a realistic, messy set of the nine source exports of one province.

`generate` writes one delivery (small demo or province-scale benchmark) and its
manifest: what was written where, which rows are planted bad and why, which
files must be rejected, duplicated, corrected or replaced. The manifest is what
the loader's tests check against. `write_device_metrics` writes a standalone
metrics Parquet file of any size for benchmarks.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from core.settings import DEFAULT_PROVINCE
from demo_data import plan_contractors, plan_system
from demo_data.common import PROVINCE, SMALL, load_reference, rng_for, window
from demo_data.emit import Ctx
from demo_data.messy import Planter
from demo_data.metrics import write_device_metrics
from demo_data.tickets import build_tickets
from demo_data.world import World, build_circuits, build_devices, build_staff
from demo_data.writer import Delivery

__all__ = ["generate", "write_device_metrics"]


def _remove_previous(out_dir: Path) -> None:
    """Delete the files an earlier demo run wrote here, and only those (never a user's own files)."""
    old = out_dir.parent / f"{out_dir.name}.manifest.json"
    if not old.is_file():
        return
    try:
        listed = [f["path"] for f in json.loads(old.read_text(encoding="utf-8")).get("files", [])]
    except (ValueError, AttributeError, KeyError, TypeError):
        return
    for rel in listed:
        p = out_dir / rel
        if p.is_file() and out_dir.resolve() in p.resolve().parents:
            p.unlink()
    for d in sorted((p for p in out_dir.rglob("*") if p.is_dir()), reverse=True):
        if not any(d.iterdir()):
            d.rmdir()


def generate(
    out_dir: Path,
    seed: int = 7,
    months: int = 3,
    scale: str = "small",
    end_month: str = "2026-10",
    _devices: int | None = None,
    province: str = DEFAULT_PROVINCE,
) -> dict:
    """Write a delivery into out_dir and return its manifest (also written beside out_dir as JSON).

    `months` months end with `end_month`. Province scale uses 12 months when `months` is left at its
    default of 3. `_devices` overrides the device count (for a quick province-scale trial run).
    `province` chooses the rows of the reference seeds (prefectures, counties, contractors) the delivery
    names; ingestion.loader.UnknownProvince, before anything is written, when the seeds have none for it.
    Files listed by a previous manifest of the same folder are removed first (nothing else is touched),
    so a re-run leaves exactly the files of this run.
    """
    if scale not in ("small", "province"):
        raise ValueError(f"unknown scale {scale!r} (small | province)")
    sc = SMALL if scale == "small" else PROVINCE
    n_months = 12 if scale == "province" and months == 3 else months
    if n_months < 1:
        raise ValueError("months must be at least 1")
    sc = replace(sc, months=n_months, n_devices=_devices or sc.n_devices)
    ref = load_reference(province=province)
    out_dir = Path(out_dir)
    _remove_previous(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    ms = window(end_month, n_months)
    circuits = build_circuits(ref, ms, sc, seed)
    staff = build_staff(ref, ms, circuits, seed)
    devices = build_devices(circuits, ms, sc.n_devices, seed)
    world = World(ref, ms, sc, seed, circuits, staff, devices)
    ctx = Ctx(Delivery(out_dir), Planter(ref, rng_for(seed, "plant")), seed, messy=sc.messy)

    plan_system.eoms(world, ctx)
    plan_system.tickets(world, ctx, build_tickets(world))
    plan_contractors.inspections(world, ctx)
    plan_contractors.rosters(world, ctx)
    plan_contractors.ledgers(world, ctx)
    plan_contractors.spares(world, ctx)
    plan_contractors.acceptances(world, ctx)
    plan_contractors.instruments(world, ctx)
    plan_system.device_metrics(world, ctx)
    plan_system.rejected_files(world, ctx)

    info = {
        "seed": seed,
        "scale": scale,
        "province": ref.province,
        "end_month": end_month,
        "months": [m.iso for m in ms],
        "contractors": list(ref.contractors),
        **ctx.notes,
    }
    manifest = ctx.delivery.manifest(ctx.planter.bad_rows, info)
    ctx.delivery.write_manifest(manifest)
    return manifest
