"""Files each contractor sends: inspections, roster, ledger, spare parts, acceptances, instruments.

Which bad cells go where is declared in the tables below, keyed by
(style family, month index), so every kind of bad row lands in some file of
some encoding/format and a reader can see at a glance what is planted where.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import polars as pl

from demo_data import records, vocab
from demo_data.common import Month, rng_for
from demo_data.emit import (
    FAMILY_CRLF,
    FAMILY_ENCODING,
    Ctx,
    base_style,
    emit_csv,
    emit_family,
    emit_xlsx,
    family,
    plants_for,
    special,
    stamp,
)
from demo_data.ledger import ledger
from demo_data.messy import SERIAL, Style
from demo_data.world import World
from ingestion.datasets import ACCEPTANCE, HR_ROSTER, INSPECTIONS, INSTRUMENTS, LEDGER, SPARE_PARTS

Plants = dict[tuple[int, int], list[tuple[str, str]]]

INSP_STYLE: dict[int, dict[str, Any]] = {
    0: {"headers": {"technician_id": "巡检人工号 ", "prefecture": " 地市"}, "ids": 0.02},
    1: {"headers": {"ground_resistance_ohm": "接地电阻（Ω）"}, "extra": {"备注": "无"}},
    2: {"ts": SERIAL, "headers": {"county": "所属区县", "ground_resistance_ohm": "接地电阻"}},
}
INSP_PLANTS: Plants = {
    (0, 0): [("issues_fixed_onsite", "fixed_gt_found"), ("customer_signed", "bad_yesno")],
    (1, 1): [
        ("ground_resistance_ohm", "not_a_number"),
        ("county", "county_not_in_prefecture"),
        ("inspection_id", "required_blank"),
    ],
    (2, 2): [("inspected_at", "unparseable_timestamp"), ("photo_count", "negative_integer")],
}
ROSTER_STYLE: dict[int, dict[str, Any]] = {
    0: {},
    1: {
        "headers": {"employee_id": "员工编号", "training_hours": "当月培训时长（小时）"},
        "extra": {"备注": "无"},
    },
    2: {"date": SERIAL, "bare": ("left_on",), "headers": {"training_hours": "当月培训时长"}},
}
ROSTER_PLANTS: Plants = {
    (0, 0): [("hired_on", "unparseable_date"), ("education", "bad_enum")],
    (1, 1): [
        ("roster_month", "unparseable_month"),
        ("prefecture", "unknown_prefecture"),
        ("training_hours", "not_a_number"),
    ],
    (2, 2): [("role", "bad_enum"), ("employee_id", "required_blank")],
}
LEDGER_STYLE: dict[int, dict[str, Any]] = {
    0: {"ids": 0.03, "extra": {"备注": "核对中"}},
    1: {"headers": {"prefecture": "地州"}},
    2: {"headers": {"bandwidth_mbps": "带宽"}},
}
LEDGER_SHEET = {0: "ledger", 1: "用户台帐", 2: "Sheet1"}
LEDGER_NOTES = ("填表说明：", "1. 每月3日前报送上月末在用专线", "2. 带宽单位为M, 地州填写全称")
LEDGER_PLANTS: Plants = {
    (0, 1): [("bandwidth_mbps", "not_an_integer")],
    (1, 2): [("county", "county_not_in_prefecture")],
    (2, 0): [("bandwidth_mbps", "bandwidth_zero"), ("county", "county_not_in_prefecture")],
}
SPARE_STYLE: dict[int, dict[str, Any]] = {0: {"headers": {"on_hand": "库存数量"}}, 1: {}, 2: {}}
SPARE_PLANTS: Plants = {
    (0, 0): [("on_hand", "not_an_integer")],
    (1, 2): [("consumed", "negative_integer")],
    (2, 1): [("stock_month", "unparseable_month"), ("prefecture", "unknown_prefecture")],
}
ACC_STYLE: dict[int, dict[str, Any]] = {
    0: {"date": SERIAL},
    1: {"date": "slash"},
    2: {"date": SERIAL, "bare": ("docs_handed_on",)},
}
ACC_SHEET = {0: "acceptance", 1: "Sheet1", 2: "Sheet1"}
ACC_PLANTS: Plants = {
    (0, 0): [("accepted_on", "unparseable_date")],
    (1, 1): [("result", "bad_enum"), ("open_issues", "not_an_integer")],
    (2, 2): [("prefecture", "unknown_prefecture"), ("docs_handed_on", "unparseable_date")],
}
INSTR_STYLE: dict[int, dict[str, Any]] = {0: {"date": "serial_bare"}, 1: {}, 2: {"date": "compact"}}
INSTR_PLANTS: Plants = {(1, 0): [("status", "bad_enum"), ("calibration_due", "unparseable_date")]}


def _weak(world: World) -> int:
    """The contractor that gets the missing ledger, the roster replacement and the rejected file."""
    return min(2, len(world.ref.contractors) - 1)


def inspections(world: World, ctx: Ctx) -> None:
    allv = records.inspections(world)
    rng = rng_for(world.seed, "inspections-phantom")
    for k, m in enumerate(world.months):
        for ci, c in enumerate(world.ref.contractors):
            f = family(ci)
            df = allv.filter((pl.col("month") == m.iso) & (pl.col("ci") == ci))
            if f == 0 and df.height:  # a couple of visits to sites EOMS does not know
                ghost = df.sample(2, seed=int(rng.integers(1 << 31))).with_columns(
                    pl.Series("site_id", [f"GZ-DL-8{int(x):05d}" for x in rng.integers(0, 99999, 2)]),
                    pl.col("inspection_id") + "X",
                )
                df = pl.concat([df, ghost])
            style = base_style(ci, **INSP_STYLE[f])
            emit_family(
                ctx,
                ci,
                f"{m.iso}/inspections_{m.iso}_{c}_{stamp(m, 3)}",
                df,
                INSPECTIONS,
                style,
                "巡检记录",
                plants_for(INSP_PLANTS, f, k, len(world.months)),
            )
            if k == special(len(world.months)) and ci == _weak(world):
                bad = f"{m.iso}/inspections_{m.iso}_{c}_{stamp(m, 9)}.csv"
                emit_csv(
                    ctx,
                    bad,
                    df.drop("inspected_at"),
                    INSPECTIONS,
                    base_style(ci),
                    "gb18030",
                    crlf=True,
                    features=["missing_required_column"],
                )
                ctx.delivery.rejected_files.append({"path": bad, "why": "required column 巡检时间 is missing"})


def rosters(world: World, ctx: Ctx) -> None:
    for k, m in enumerate(world.months):
        for ci, c in enumerate(world.ref.contractors):
            f = family(ci)
            df = records.roster(world, m, ci)
            style = base_style(ci, **ROSTER_STYLE[f])
            rel = emit_family(
                ctx,
                ci,
                f"{m.iso}/hr_roster_{m.iso}_{c}_{stamp(m, 2)}",
                df,
                HR_ROSTER,
                style,
                "人员花名册",
                plants_for(ROSTER_PLANTS, f, k, len(world.months)),
            )
            if k == special(len(world.months)) and ci == _weak(world):
                _roster_replacement(world, ctx, m, ci, df, style, rel)


def _roster_replacement(
    world: World, ctx: Ctx, m: Month, ci: int, df: pl.DataFrame, style: Style, original: str
) -> None:
    """The same month's roster sent again ten days later: one person dropped, two late hires added."""
    rng = rng_for(world.seed, "roster-replacement", m.iso)
    c = world.ref.contractors[ci]
    techs = np.flatnonzero((df["role"] == "技术人员").to_numpy())
    drop = int(techs[int(rng.integers(0, len(techs)))]) if len(techs) else 0
    add = (
        df.filter(pl.col("role") == "技术人员")
        .head(2)
        .with_columns(
            pl.Series("employee_id", [f"DW{ci + 1}9{i:03d}" for i in range(1, 3)]),
            pl.Series("name", vocab.person_names(rng, 2)),
            pl.lit(m.start + timedelta(days=int(rng.integers(1, 20)))).alias("hired_on"),
            pl.lit(None, dtype=pl.Date).alias("left_on"),
            pl.lit(0.0).alias("training_hours"),
        )
    )
    new = pl.concat([df.with_row_index("_i").filter(pl.col("_i") != drop).drop("_i"), add])
    ext = ".xlsx" if original.endswith(".xlsx") else ".csv"
    rel = f"{m.iso}/hr_roster_{m.iso}_{c}_{stamp(m, 12)}{ext}"
    emit_family(ctx, ci, rel[: -len(ext)], new, HR_ROSTER, style, "人员花名册", features=["snapshot_replacement"])
    ctx.delivery.snapshot_replacements.append(
        {"original": original, "replacement": rel, "dataset": HR_ROSTER.name, "month": m.iso, "contractor": c}
    )


def ledgers(world: World, ctx: Ctx) -> None:
    missing = []
    for k, m in enumerate(world.months):
        for ci, c in enumerate(world.ref.contractors):
            f = family(ci)
            if len(world.months) > 1 and k == special(len(world.months)) and ci == _weak(world):
                missing.append({"dataset": LEDGER.name, "month": m.iso, "contractor": c})
                continue
            df = ledger(world, m, ci)
            style = base_style(ci, **LEDGER_STYLE[f])
            emit_xlsx(
                ctx,
                f"{m.iso}/ledger_{m.iso}_{c}_{stamp(m, 3)}.xlsx",
                df,
                LEDGER,
                style,
                LEDGER_SHEET[f],
                plants_for(LEDGER_PLANTS, f, k, len(world.months)),
                notes=LEDGER_NOTES if f == 1 else (),
                features=["cosmetic_text_noise"],
            )
    ctx.notes.setdefault("missing_snapshots", []).extend(missing)


def spares(world: World, ctx: Ctx) -> None:
    for k, m in enumerate(world.months):
        for ci, c in enumerate(world.ref.contractors):
            f = family(ci)
            df = records.spare_parts(world, m, ci)
            style = base_style(ci, **SPARE_STYLE[f])
            stem = f"{m.iso}/spare_parts_{m.iso}_{c}_{stamp(m, 3)}"
            feats = []
            if f == 1 and k == 0:
                stem, feats = f"{m.iso}/{c}{m.month}月备件库存", ["no_name_prefix"]
            emit_family(
                ctx,
                ci,
                stem,
                df,
                SPARE_PARTS,
                style,
                "备品备件",
                plants_for(SPARE_PLANTS, f, k, len(world.months)),
                features=feats,
            )


def acceptances(world: World, ctx: Ctx) -> None:
    allv = records.acceptances(world)
    for k, m in enumerate(world.months):
        for ci, c in enumerate(world.ref.contractors):
            f = family(ci)
            df = allv.filter((pl.col("month") == m.iso) & (pl.col("ci") == ci))
            if df.height < 3:
                continue
            rel = f"{m.iso}/acceptance_{m.iso}_{c}_{stamp(m, 4)}.xlsx"
            emit_xlsx(
                ctx,
                rel,
                df,
                ACCEPTANCE,
                base_style(ci, **ACC_STYLE[f]),
                ACC_SHEET[f],
                plants_for(ACC_PLANTS, f, k, len(world.months)),
            )
            if f == 1 and k == 0:
                ctx.delivery.duplicate(rel, rel.replace(".xlsx", "_副本.xlsx"))


def instruments(world: World, ctx: Ctx) -> None:
    first, last = world.months[0], world.months[-1]
    for ci, c in enumerate(world.ref.contractors):
        f = family(ci)
        df = records.instruments(world, ci, first.start)
        style = base_style(ci, **INSTR_STYLE[f])
        emit_family(
            ctx,
            ci,
            f"{first.iso}/instruments_{c}_{stamp(first, 6)}",
            df,
            INSTRUMENTS,
            style,
            "仪器仪表",
            INSTR_PLANTS.get((f, 0), []),
            xlsx=f == 0,
        )
    if len(world.months) > 1:
        ci = _weak(world)
        c = world.ref.contractors[ci]
        df = records.instruments(world, ci, last.start, update=True)
        emit_csv(
            ctx,
            f"{last.iso}/instruments_{c}_{stamp(last, 10)}.csv",
            df,
            INSTRUMENTS,
            base_style(ci, **INSTR_STYLE[family(ci)]),
            FAMILY_ENCODING[2],
            FAMILY_CRLF[2],
            features=["register_update"],
        )
