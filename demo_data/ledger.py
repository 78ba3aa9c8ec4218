"""Each contractor's hand-kept customer ledger (用户台帐): EOMS plus drift.

Drift that must count as inconsistent (missing lines, removed lines still
listed, the same line twice, a name or address typed differently, a bandwidth
not updated) is fixed per circuit through its stored uniform `u`, so a line
that is wrong stays wrong month after month, as in a real spreadsheet. Cosmetic
noise (full-width digits, doubled or ideographic spaces, padding) must still
match after NFKC + trim + whitespace collapse, and is applied on top.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from core.seeds import ledger_fields
from demo_data.common import Month, profile_of, rng_for
from demo_data.world import World

# A ledger line: the circuit, the fields compared with EOMS (seed ledger_fields, in its order) and 状态.
LEDGER_COLS = ("ledger_month", "contractor", "circuit_id", *(f.name for f in ledger_fields()), "status")
FW_DIGITS = {str(i): chr(0xFF10 + i) for i in range(10)}


def _band(u: pl.Expr, lo: float, hi: float) -> pl.Expr:
    return (u >= lo) & (u < hi)


def ledger(world: World, m: Month, ci: int) -> pl.DataFrame:
    """The contractor's ledger snapshot for month m, typed, one row per listed line."""
    rng = rng_for(world.seed, "ledger", m.iso, ci)
    d = profile_of(ci).ledger_drift
    c = world.circuits.filter((pl.col("ci") == ci) & (pl.col("activated_on") <= m.end))
    u = pl.col("u")
    u2 = (pl.col("u") * 7919) % 1  # a second per-circuit uniform, independent enough of u
    p_miss, p_name, p_addr, p_bw, p_dup = (0.004 * d, 0.005 * d, 0.005 * d, 0.004 * d, 0.003 * d)
    removed = pl.col("removed_on").is_not_null() & (pl.col("removed_on") <= m.end)
    still_listed = (pl.col("removed_on") >= world.start) & (u2 < min(1.0, 0.22 * d))
    late_entry = (pl.col("activated_on") >= m.start) & (pl.Series(rng.random(c.height)) < min(0.9, 0.12 * d))
    rows = c.filter((~removed | still_listed) & ~_band(u, 0, p_miss) & ~late_entry)

    o = p_miss
    name_bad, o = _band(u, o, o + p_name), o + p_name
    addr_bad, o = _band(u, o, o + p_addr), o + p_addr
    bw_typo = _band(u, o, o + p_bw)
    upgraded = pl.col("bw_changed_on").is_not_null() & (pl.col("bw_changed_on") <= m.end)
    bw_eoms = (
        pl.when(pl.col("bw_changed_on").is_null() | upgraded)
        .then(pl.col("bandwidth_mbps"))
        .otherwise(pl.col("bandwidth_before"))
    )
    stale = upgraded & (u2 < min(1.0, 0.3 * d))
    altered = (
        pl.col("customer_name")
        .str.replace("有限公司", "有限责任公司")
        .str.replace("支行", "分理处")
        .str.replace("营业厅", "营业部")
    )
    new_num = pl.Series(rng.integers(1, 300, rows.height)).cast(pl.String)
    rows = rows.with_columns(
        pl.when(name_bad)
        .then(pl.when(altered != pl.col("customer_name")).then(altered).otherwise(pl.col("customer_name") + "分部"))
        .otherwise(pl.col("customer_name"))
        .alias("customer_name"),
        pl.when(addr_bad)
        .then(pl.col("a_address").str.replace(r"\d+号$", "") + new_num + "号")
        .otherwise(pl.col("a_address"))
        .alias("a_address"),
        pl.when(bw_typo)
        .then(bw_eoms * 10)
        .when(stale)
        .then(pl.col("bandwidth_before"))
        .otherwise(bw_eoms)
        .alias("bandwidth_mbps"),
        pl.lit("在用").alias("status"),
        pl.lit(m.start).alias("ledger_month"),
    )
    dup = rows.filter(_band(u, 1 - p_dup, 1.0))
    rows = pl.concat([rows, dup]).sort("prefecture", "county", "seq")
    return _cosmetic(rows, rng).select(LEDGER_COLS)


def _cosmetic(rows: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Noise that normalisation removes: the row still agrees with EOMS."""
    n = rows.height
    k = pl.Series(rng.integers(0, 20, n))
    fw = pl.col("a_address").str.replace_many(list(FW_DIGITS), list(FW_DIGITS.values()))
    return rows.with_columns(
        pl.when(k == 0)
        .then(fw)
        .when(k == 1)
        .then(pl.col("a_address").str.replace(" ", "  "))
        .when(k == 2)
        .then(pl.col("a_address").str.replace(" ", "\u3000"))
        .when(k == 3)
        .then(pl.col("a_address") + " ")
        .otherwise(pl.col("a_address"))
        .alias("a_address"),
        pl.when(k == 4)
        .then(pl.lit(" ") + pl.col("customer_name"))
        .when(k == 5)
        .then(pl.col("customer_name") + "  ")
        .otherwise(pl.col("customer_name"))
        .alias("customer_name"),
        pl.when(k == 6).then(pl.col("z_address") + " ").otherwise(pl.col("z_address")).alias("z_address"),
    )
