"""Render -> plant -> write, in one call per file, and the exporter habits of each contractor.

Contractors are told apart by a style family (their index in the seed modulo
three): one exports UTF-8 with BOM from a modern system, one saves GBK CSVs
from Excel on Chinese Windows, one sends workbooks and GB18030. Each family has
its own timestamp, date, month and yes/no habits and header quirks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from demo_data.common import Month, rng_for
from demo_data.messy import Planter, Style, render
from demo_data.writer import Delivery, Sheet, cell_kinds
from ingestion.model import Dataset

FAMILY_ENCODING = ("utf-8-sig", "gbk", "gb18030")
FAMILY_CRLF = (False, True, True)
FAMILY_TS = ("iso_m", "slash", "slash_s")
FAMILY_DATE = ("iso", "slash", "compact")
FAMILY_MONTH = ("iso", "compact", "iso")
FAMILY_YESNO = ("cn", "yn", "10")


def family(ci: int) -> int:
    return ci % 3


def base_style(ci: int, **kw: Any) -> Style:
    f = family(ci)
    return replace(Style(ts=FAMILY_TS[f], date=FAMILY_DATE[f], month=FAMILY_MONTH[f], yesno=FAMILY_YESNO[f]), **kw)


@dataclass
class Ctx:
    """What every planner needs: the output, the planter, the seed, and the plants to make per file."""

    delivery: Delivery
    planter: Planter
    seed: int
    messy: bool = True
    notes: dict = field(default_factory=dict)  # extra manifest content (missing snapshots, ...)

    def plants(self, plants: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return plants if self.messy else plants[:1]


def special(n_months: int) -> int:
    """The month that carries the one-off events (correction, replacement, rejected files): the 2nd."""
    return min(1, n_months - 1)


def plants_for(
    table: dict[tuple[int, int], list[tuple[str, str]]], f: int, k: int, n_months: int
) -> list[tuple[str, str]]:
    """The plants of family f due in month k (with fewer months, later ones move to the last month)."""
    return [p for (ff, j), ps in sorted(table.items()) if ff == f and min(j, n_months - 1) == k for p in ps]


def stamp(m: Month, day: int) -> str:
    return m.export_stamp(day)


def text_frame(
    ctx: Ctx,
    rel: str,
    df: pl.DataFrame,
    ds: Dataset,
    style: Style,
    plants: Sequence[tuple[str, str]] = (),
    avoid: set[int] | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    frame, feats = render(df, ds, style, rng_for(ctx.seed, "render", rel))
    for column, kind in ctx.plants(list(plants)):
        frame = ctx.planter.plant(frame, rel, ds, column, kind, avoid=avoid)
    return frame, feats


def emit_csv(
    ctx: Ctx,
    rel: str,
    df: pl.DataFrame,
    ds: Dataset,
    style: Style,
    encoding: str,
    crlf: bool = False,
    plants: Sequence[tuple[str, str]] = (),
    avoid: set[int] | None = None,
    features: Sequence[str] = (),
) -> pl.DataFrame:
    frame, feats = text_frame(ctx, rel, df, ds, style, plants, avoid)
    ctx.delivery.csv(rel, frame, ds.name, encoding, [*feats, *features], crlf=crlf)
    return frame


def emit_xlsx(
    ctx: Ctx,
    rel: str,
    df: pl.DataFrame,
    ds: Dataset,
    style: Style,
    sheet: str,
    plants: Sequence[tuple[str, str]] = (),
    avoid: set[int] | None = None,
    notes: tuple[str, ...] = (),
    features: Sequence[str] = (),
) -> pl.DataFrame:
    frame, feats = text_frame(ctx, rel, df, ds, style, plants, avoid)
    sheets = [Sheet("填表说明", notes=notes)] if notes else []
    sheets.append(Sheet(sheet, frame, cell_kinds(ds, style, frame.columns)))
    feats.append(f"sheet_{sheet}")
    ctx.delivery.xlsx(rel, sheets, ds.name, [*feats, *features])
    return frame


def emit_family(
    ctx: Ctx,
    ci: int,
    rel_stem: str,
    df: pl.DataFrame,
    ds: Dataset,
    style: Style,
    sheet: str,
    plants: Sequence[tuple[str, str]] = (),
    xlsx: bool | None = None,
    features: Sequence[str] = (),
) -> str:
    """Write in the contractor family's usual format: CSV in its encoding, or a workbook for family 2."""
    f = family(ci)
    if xlsx if xlsx is not None else f == 2:
        rel = rel_stem + ".xlsx"
        emit_xlsx(ctx, rel, df, ds, style, sheet, plants, features=features)
    else:
        rel = rel_stem + ".csv"
        emit_csv(ctx, rel, df, ds, style, FAMILY_ENCODING[f], FAMILY_CRLF[f], plants, features=features)
    return rel
