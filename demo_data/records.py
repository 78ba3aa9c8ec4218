"""The smaller datasets as typed frames (English column names of datasets.py), one view of the world each.

EOMS exports, rosters, inspections, acceptances, spare parts and instruments.
Ledgers, which need drift, live in `ledger.py`. Nothing here formats text:
`messy.py` turns these frames into what a particular exporter writes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import polars as pl

from demo_data import vocab
from demo_data.common import Month, np_day, profile_of, rng_for
from demo_data.world import World, in_service
from ingestion.datasets import INSTRUMENT_TYPES, PART_TYPES

EOMS_COLS = (
    "circuit_id",
    "customer_name",
    "service_type",
    "prefecture",
    "county",
    "area_type",
    "service_level",
    "contractor",
    "bandwidth_mbps",
    "access_type",
    "a_address",
    "z_address",
    "site_type",
    "activated_on",
    "removed_on",
    "status",
)
CYCLE = {"自维数据专线": 1, "其他数据专线": 2, "营业厅网": 3}
REQUIRED_INSTRUMENTS = INSTRUMENT_TYPES[:6]


def eoms_snapshot(world: World, m: Month) -> pl.DataFrame:
    """EOMS as exported on the 1st of the next month: lines activated so far, current bandwidth and status."""
    c = world.circuits.filter(pl.col("activated_on") <= m.end)
    removed = pl.col("removed_on").is_not_null() & (pl.col("removed_on") <= m.end)
    upgraded = pl.col("bw_changed_on").is_not_null() & (pl.col("bw_changed_on") <= m.end)
    return c.with_columns(
        pl.when(removed).then(pl.col("removed_on")).alias("removed_on"),
        pl.when(removed).then(pl.lit("拆机")).otherwise(pl.lit("在用")).alias("status"),
        pl.when(upgraded | pl.col("bw_changed_on").is_null())
        .then(pl.col("bandwidth_mbps"))
        .otherwise(pl.col("bandwidth_before"))
        .alias("bandwidth_mbps"),
    ).select(EOMS_COLS)


def roster(world: World, m: Month, ci: int) -> pl.DataFrame:
    """One contractor's roster for a month: everyone employed at some point of it (leavers included)."""
    rng = rng_for(world.seed, "roster", m.iso, ci)
    s = world.staff.filter(
        (pl.col("ci") == ci)
        & (pl.col("hired_on") <= m.end)
        & (pl.col("left_on").is_null() | (pl.col("left_on") >= m.start))
    )
    prof = profile_of(ci)
    hours = np.round(rng.gamma(2.0, prof.training_h / 2.0, s.height) * 2) / 2
    hours = np.where(rng.random(s.height) < 0.1, 0.0, hours)
    return s.with_columns(
        pl.lit(m.start).alias("roster_month"),
        pl.Series("training_hours", hours),
    ).select(
        "roster_month",
        "employee_id",
        "name",
        "contractor",
        "prefecture",
        "role",
        "education",
        "certifications",
        "core_network_years",
        "work_years",
        "hired_on",
        "left_on",
        "training_hours",
    )


def _work_time(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    minutes = rng.integers(8 * 60 + 30, 18 * 60, len(days))
    return days.astype("datetime64[m]") + minutes * np.timedelta64(1, "m")


def inspections(world: World) -> pl.DataFrame:
    """Site visits on each line's cycle; a contractor-specific share of due visits slips a month or more."""
    rng = rng_for(world.seed, "inspections")
    c = world.circuits
    cyc = c["site_type"].replace_strict(CYCLE, return_dtype=pl.Int64).to_numpy()
    miss = np.array([profile_of(int(k)).inspect_miss for k in c["ci"].to_numpy()])
    act = c["activated_on"].to_numpy()
    rem = c["removed_on"].to_numpy()
    # Old lines were last inspected just before the window so each is due in the first month.
    last = np.full(c.height, -1, dtype=np.int64) - (cyc - 1)
    first_month = np.array([np_day(m.start) for m in world.months])
    out = []
    staff = world.staff.filter(pl.col("role").is_in(["技术人员", "班组长"]))
    for k, m in enumerate(world.months):
        started = act <= np_day(m.start)
        last = np.where(~started & (act <= np_day(m.end)), k, last)  # a new line starts its cycle
        live = started & (np.isnat(rem) | (rem > np_day(m.end)))
        due = live & (k - last >= cyc)
        early = live & (k - last == cyc - 1) & (cyc > 1) & (rng.random(c.height) < 0.15)
        done = (due & (rng.random(c.height) >= miss)) | early
        idx = np.flatnonzero(done)
        last[idx] = k
        days = first_month[k] + rng.integers(0, m.days, len(idx)).astype("timedelta64[D]")
        out.append(
            pl.DataFrame(
                {
                    "cidx": idx,
                    "inspected_at": _work_time(rng, days).astype("datetime64[us]"),
                    "month": [m.iso] * len(idx),
                }
            )
        )
    df = (
        pl.concat(out)
        .join(
            c.select("idx", "circuit_id", "prefecture", "county", "contractor", "ci"),
            left_on="cidx",
            right_on="idx",
            how="left",
        )
        .sort("inspected_at", "cidx")
    )
    n = df.height
    found = np.where(rng.random(n) < 0.18, rng.integers(1, 5, n), 0)
    fixed = np.minimum(found, rng.integers(0, 5, n))
    ci = df["ci"].to_numpy()
    weak = np.array([profile_of(int(k)).inspect_miss for k in ci]) > 0.05
    techs = _pick_staff(rng, staff, df)
    return df.with_columns(
        pl.concat_str(
            [
                pl.lit("XJ"),
                pl.col("month").str.replace("-", ""),
                (pl.int_range(pl.len()).over("month") + 1).cast(pl.String).str.zfill(5),
            ]
        ).alias("inspection_id"),
        pl.col("circuit_id").alias("site_id"),
        pl.Series("technician_id", techs),
        pl.Series("result", np.where(found > 0, "发现问题", "正常")),
        pl.Series("issues_found", found),
        pl.Series("issues_fixed_onsite", fixed),
        pl.Series(
            "photo_count",
            np.where(rng.random(n) < np.where(weak, 0.15, 0.04), rng.integers(0, 3, n), rng.integers(3, 9, n)),
        ),
        pl.Series("customer_signed", rng.random(n) < np.where(weak, 0.8, 0.95)),
        pl.Series("config_backed_up", rng.random(n) < np.where(weak, 0.75, 0.93)),
        pl.Series(
            "ground_resistance_ohm",
            np.round(np.where(rng.random(n) < 0.06, rng.uniform(5, 9, n), rng.uniform(0.6, 4.8, n)), 2),
        ),
    )


def _pick_staff(rng: np.random.Generator, staff: pl.DataFrame, df: pl.DataFrame) -> np.ndarray:
    out = np.empty(df.height, dtype=object)
    rows = df.select("contractor", "prefecture").with_row_index("i")
    for (c, p), g in rows.group_by("contractor", "prefecture", maintain_order=True):
        ids = staff.filter((pl.col("contractor") == c) & (pl.col("prefecture") == p))["employee_id"].to_numpy()
        out[g["i"].to_numpy()] = ids[rng.integers(0, len(ids), g.height)]
    return out.astype(str)


def acceptances(world: World) -> pl.DataFrame:
    """Every new line is accepted around its activation; a weak contractor passes fewer first time."""
    rng = rng_for(world.seed, "acceptance")
    new = world.circuits.filter(pl.col("is_new"))
    n = new.height
    ci = new["ci"].to_numpy()
    prof = [profile_of(int(k)) for k in ci]
    first = np.array([p.first_pass for p in prof])
    u = rng.random(n)
    result = np.where(u < first, "一次通过", np.where(u < first + (1 - first) * 0.75, "整改后通过", "不通过"))
    accepted = new["activated_on"].to_numpy() + rng.integers(0, 6, n).astype("timedelta64[D]")
    slow = rng.random(n) < np.array([p.docs_slow for p in prof])
    gap = np.where(slow, rng.integers(4, 7, n), rng.integers(0, 3, n)).astype("timedelta64[D]")
    blank = rng.random(n) < np.array([p.docs_blank for p in prof])
    docs = np.where(blank, np.datetime64("NaT"), accepted + gap)
    issues = np.where(result == "一次通过", 0, rng.integers(1, 4, n))
    df = new.select("circuit_id", "prefecture", "contractor", "ci").with_columns(
        pl.Series("builder", np.array(vocab.BUILDERS)[rng.integers(0, len(vocab.BUILDERS), n)]),
        pl.Series("accepted_on", accepted),
        pl.Series("result", result),
        pl.Series("open_issues", issues),
        pl.Series("docs_handed_on", docs.astype("datetime64[D]")),
    )
    # The window's last month is partly accepted after it ends: those are not delivered.
    df = df.filter(pl.col("accepted_on") <= world.end).with_columns(
        pl.col("accepted_on").dt.strftime("%Y-%m").alias("month")
    )
    df = _before_breaks(world, df)
    return df.sort("accepted_on", "circuit_id").with_columns(
        pl.concat_str(
            [
                pl.lit("YS"),
                pl.col("month").str.replace("-", ""),
                (pl.col("ci") + 1).cast(pl.String),
                (pl.int_range(pl.len()).over("month", "ci") + 1).cast(pl.String).str.zfill(4),
            ]
        ).alias("acceptance_id")
    )


def _is_workday(d: date) -> bool:
    """China's official calendar (holidays off, 调休 weekends on); weekends only outside its years."""
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(d))
    except (ImportError, NotImplementedError):
        return d.weekday() < 5


def _nth_workday_after(d: date, n: int) -> date:
    day = d
    while n > 0:
        day += timedelta(days=1)
        n -= _is_workday(day)
    return day


def _before_breaks(world: World, df: pl.DataFrame) -> pl.DataFrame:
    """Per month and contractor, two acceptances on the eve of the month's longest break (a weekend or
    the National Day holiday): docs on the 3rd working day after (just in time) and on the 4th (late)."""
    edits: dict[str, tuple[date, date]] = {}
    for m in world.months:
        days = [m.start + timedelta(days=i) for i in range(m.days)]
        best, eve = -1, None
        for d in days:
            if not _is_workday(d):
                continue
            gap = 0
            while not _is_workday(d + timedelta(days=gap + 1)):
                gap += 1
            if gap >= best:
                best, eve = gap, d
        if eve is None:
            continue
        for ci in range(len(world.ref.contractors)):
            ids = df.filter((pl.col("month") == m.iso) & (pl.col("ci") == ci))["circuit_id"].to_list()[:2]
            for k, cid in enumerate(ids):
                edits[cid] = (eve, _nth_workday_after(eve, 3 + k))
    if not edits:
        return df
    acc = pl.col("circuit_id").replace_strict({k: v[0] for k, v in edits.items()}, default=None, return_dtype=pl.Date)
    docs = pl.col("circuit_id").replace_strict({k: v[1] for k, v in edits.items()}, default=None, return_dtype=pl.Date)
    return df.with_columns(
        pl.coalesce(acc, pl.col("accepted_on")).alias("accepted_on"),
        pl.coalesce(docs, pl.col("docs_handed_on")).alias("docs_handed_on"),
    )


def spare_parts(world: World, m: Month, ci: int) -> pl.DataFrame:
    """Stock per prefecture and part type; a weak contractor runs below safety stock more often."""
    rng = rng_for(world.seed, "spares", m.iso, ci)
    prof = profile_of(ci)
    prefs = world.ref.prefectures_of(world.ref.contractors[ci])
    rows = [(p, t) for p in prefs for t in PART_TYPES]
    n = len(rows)
    safety = rng.integers(2, 12, n)
    short = rng.random(n) < prof.stockout
    on_hand = np.where(short, (safety * rng.uniform(0, 0.9, n)).astype(int), safety + rng.integers(0, 15, n))
    return pl.DataFrame(
        {
            "stock_month": [m.start] * n,
            "contractor": [world.ref.contractors[ci]] * n,
            "prefecture": [r[0] for r in rows],
            "part_type": [r[1] for r in rows],
            "on_hand": on_hand,
            "safety_stock": safety,
            "consumed": rng.poisson(3, n),
        }
    )


def instruments(world: World, ci: int, as_of: date, update: bool = False) -> pl.DataFrame:
    """The instrument register of a contractor; `update` is a later export with changed statuses/dates."""
    rng = rng_for(world.seed, "instruments", ci)
    prof = profile_of(ci)
    prefs = world.ref.prefectures_of(world.ref.contractors[ci])
    rows = []
    for k, p in enumerate(prefs):
        for t in INSTRUMENT_TYPES:
            if prof.name == "slow_response" and k == len(prefs) - 1 and t == "地阻仪":
                continue  # one prefecture has never had an earth-resistance tester
            for _ in range(int(rng.integers(1, 3)) if t != "万用表" else 2):
                rows.append((p, t))
    n = len(rows)
    status = np.where(rng.random(n) < prof.instr_broken, np.where(rng.random(n) < 0.5, "故障", "送修"), "正常")
    due = np_day(as_of) + rng.integers(-40, 330, n).astype("timedelta64[D]")
    df = pl.DataFrame(
        {
            "instrument_id": [f"YB{ci + 1}{i + 1:04d}" for i in range(n)],
            "contractor": [world.ref.contractors[ci]] * n,
            "prefecture": [r[0] for r in rows],
            "instrument_type": [r[1] for r in rows],
            "status": status,
            "calibration_due": due,
        }
    )
    if not update:
        return df
    rng2 = rng_for(world.seed, "instruments-update", ci)
    fixed = pl.Series(rng2.random(n) < 0.6)
    recal = pl.Series(rng2.random(n) < 0.5)
    return df.with_columns(
        pl.when((pl.col("status") != "正常") & fixed).then(pl.lit("正常")).otherwise(pl.col("status")).alias("status"),
        pl.when((pl.col("calibration_due") < datetime.combine(as_of, datetime.min.time()).date()) & recal)
        .then(pl.col("calibration_due") + timedelta(days=365))
        .otherwise(pl.col("calibration_due"))
        .alias("calibration_due"),
    )


def live_on(world: World, day: date) -> pl.DataFrame:
    return world.circuits.filter(in_service(world.circuits, day))
