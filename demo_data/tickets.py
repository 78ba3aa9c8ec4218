"""EOMS work orders, generated column-wise with numpy (a province-year is ~1M rows).

The timing model is what the KPIs score: effective fault durations are
lognormal around each contractor's timely share of the contract limit (城区 4 h,
乡镇 8 h; 10086 complaints 2 h / 5 h), activations count from 光缆熔接完成时间,
acks are lognormal around a contractor median. Faults avoid circuits that had
one in the last 30 days, then a contractor-specific share is planted as true
repeats, so the repeat rate is a property of the contractor and not of chance.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import NormalDist

import numpy as np
import polars as pl

from demo_data import forms
from demo_data.common import Month, np_day, rng_for
from demo_data.world import World

MIN = np.timedelta64(1, "m")
DAY_MIN = 1440
FAULT_LIMIT = {"城区": 240, "乡镇": 480}
COMPLAINT_10086_LIMIT = {"城区": 120, "乡镇": 300}
ACT_LIMIT = {"城区": 1440, "乡镇": 2880}
FAULT_CHANNELS = {
    "EOMS": 0.45,
    "网管监控": 0.35,
    "客户经理": 0.08,
    "电话": 0.06,
    "微信群": 0.04,
    "10086": 0.02,
}
COMPLAINT_CHANNELS = {"10086": 0.65, "客户经理": 0.15, "电话": 0.1, "微信群": 0.05, "EOMS": 0.05}
ORDER_CHANNELS = {"EOMS": 0.8, "客户经理": 0.2}


def _z(p: float) -> float:
    return NormalDist().inv_cdf(p)


def _per_ci(world: World, attr: str) -> np.ndarray:
    return np.array([getattr(p, attr) for p in world.profiles], dtype=float)


def _minute_of_day(rng: np.random.Generator, n: int, day_share: float = 0.75) -> np.ndarray:
    busy = np.clip(rng.normal(14 * 60, 200, n), 0, DAY_MIN - 1)
    return np.where(rng.random(n) < day_share, busy, rng.integers(0, DAY_MIN, n)).astype(np.int64)


def _times_in(rng: np.random.Generator, m: Month, n: int) -> np.ndarray:
    day = rng.integers(0, m.days, n).astype("timedelta64[D]")
    return (np_day(m.start) + day).astype("datetime64[m]") + _minute_of_day(rng, n) * MIN


def _channels(rng: np.random.Generator, n: int, table: dict[str, float], chat: np.ndarray) -> np.ndarray:
    """Channel per ticket; `chat` (per ticket) shifts weight toward 微信群 / 电话."""
    keys = list(table)
    base = np.array([table[k] for k in keys])
    w = np.tile(base, (n, 1))
    for k in ("微信群", "电话"):
        if k in keys:
            w[:, keys.index(k)] += 0.08 * chat
    cum = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    return np.array(keys)[(rng.random(n)[:, None] > cum).sum(axis=1).clip(max=len(keys) - 1)]


def _top_k(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """k distinct indices drawn proportionally to weights (Gumbel top-k)."""
    keys = np.log(np.maximum(weights, 1e-12)) - np.log(-np.log(rng.random(len(weights))))
    return np.argpartition(-keys, k - 1)[:k] if k > 0 else np.array([], dtype=np.int64)


def _fault_duration(rng: np.random.Generator, limit: np.ndarray, timely: np.ndarray) -> np.ndarray:
    sigma = 0.62
    mu = np.array([-_z(float(t)) for t in timely]) * sigma
    eff = limit * np.exp(rng.normal(mu, sigma))
    exact = rng.random(len(limit)) < 0.006  # a few close exactly at the limit
    return np.where(exact, limit, np.maximum(np.round(eff), 12)).astype(np.int64)


def _activation_tickets(world: World, rng: np.random.Generator, cidx: np.ndarray, completed_day: np.ndarray) -> dict:
    c = world.circuits
    ci = c["ci"].to_numpy()[cidx]
    area = c["area_type"].to_numpy()[cidx]
    n = len(cidx)
    limit = np.where(area == "城区", ACT_LIMIT["城区"], ACT_LIMIT["乡镇"])
    sigma = 0.6
    mu = np.array([-_z(float(t)) for t in _per_ci(world, "act_timely")[ci]]) * sigma
    eff = np.maximum(np.round(limit * np.exp(rng.normal(mu, sigma))), 90).astype(np.int64)
    susp = np.where(rng.random(n) < 0.12, rng.integers(60, 1440, n), 0)
    completed = completed_day.astype("datetime64[m]") + rng.integers(9 * 60, 19 * 60, n) * MIN
    splice = completed - (eff + susp) * MIN
    # Orders are dispatched in office hours, half a day to six days before the splice is done.
    day = (splice - rng.integers(12 * 60, 6 * DAY_MIN, n) * MIN).astype("datetime64[D]")
    office = day.astype("datetime64[m]") + rng.integers(8 * 60 + 30, 18 * 60, n) * MIN
    dispatched = np.minimum(office, splice - 60 * MIN)
    blank = rng.random(n) < _per_ci(world, "splice_blank")[ci]
    arrive = splice + (eff * rng.uniform(0.1, 0.7, n)).astype(np.int64) * MIN
    return {
        "type": np.full(n, "开通"),
        "cidx": cidx,
        "dispatched": dispatched,
        "splice": np.where(blank, np.datetime64("NaT"), splice),
        "arrive": arrive,
        "completed": completed,
        "suspended": susp,
    }


def _timed(
    world: World,
    rng: np.random.Generator,
    kind: str,
    cidx: np.ndarray,
    dispatched: np.ndarray,
    channel: np.ndarray,
) -> dict:
    """故障 / 投诉 / 按需 tickets: completion from the effective-duration model."""
    c = world.circuits
    ci = c["ci"].to_numpy()[cidx]
    area = c["area_type"].to_numpy()[cidx]
    n = len(cidx)
    if kind == "按需":
        eff = np.round(np.exp(rng.normal(np.log(360), 0.7, n))).astype(np.int64)
    else:
        limit = np.where(area == "城区", FAULT_LIMIT["城区"], FAULT_LIMIT["乡镇"])
        if kind == "投诉":
            limit = np.where(channel == "10086", np.where(area == "城区", 120, 300), limit)
        eff = _fault_duration(rng, limit.astype(float), _per_ci(world, "fault_timely")[ci])
    susp = np.where(rng.random(n) < 0.1, rng.integers(20, 600, n), 0)
    ack = _ack_minutes(world, rng, ci)
    eff = np.maximum(eff, ack + 8)
    travel = np.exp(rng.normal(np.log(np.where(area == "城区", 35, 75)), 0.4)).astype(np.int64)
    arrive_min = np.maximum(ack, np.minimum(ack + travel, susp + eff - 5))
    return {
        "type": np.full(n, kind),
        "cidx": cidx,
        "dispatched": dispatched,
        "splice": np.full(n, np.datetime64("NaT"), dtype="datetime64[m]"),
        "arrive": dispatched + arrive_min * MIN,
        "completed": dispatched + (eff + susp) * MIN,
        "suspended": susp,
        "ack": ack,
        "channel": channel,
    }


def _ack_minutes(world: World, rng: np.random.Generator, ci: np.ndarray) -> np.ndarray:
    med = _per_ci(world, "ack_median_min")[ci]
    sig = _per_ci(world, "ack_sigma")[ci]
    return np.maximum(np.round(np.exp(rng.normal(np.log(med), sig))), 1).astype(np.int64)


def _plant_repeats(
    world: World,
    rng: np.random.Generator,
    t: np.ndarray,
    cidx: np.ndarray,
    hist_t: np.ndarray,
    hist_c: np.ndarray,
) -> np.ndarray:
    """Move a contractor-specific share of this month's faults onto a line that failed 1-28 days earlier."""
    c = world.circuits
    ci_of = c["ci"].to_numpy()
    removed = c["removed_on"].to_numpy()
    cidx = cidx.copy()
    all_t = np.concatenate([hist_t, t])
    all_c = np.concatenate([hist_c, cidx])
    share = _per_ci(world, "repeat_share")[ci_of[cidx]]
    chosen = np.flatnonzero(rng.random(len(t)) < share)
    for k in range(len(world.ref.contractors)):
        mine = chosen[ci_of[cidx[chosen]] == k]
        pool = np.flatnonzero(ci_of[all_c] == k)
        order = pool[np.argsort(all_t[pool], kind="stable")]
        times, circ = all_t[order], all_c[order]
        target = t[mine] - rng.integers(DAY_MIN, 28 * DAY_MIN, len(mine)) * MIN
        j = np.searchsorted(times, target)
        ok = j < len(times)
        j = np.minimum(j, len(times) - 1)
        src = circ[j]
        rem = removed[src]
        ok &= (times[j] < t[mine] - 60 * MIN) & (np.isnat(rem) | (rem > t[mine].astype("datetime64[D]")))
        cidx[mine[ok]] = src[ok]
    return cidx


def _month_parts(
    world: World, m: Month, k: int, rng: np.random.Generator, hist: list[np.ndarray], n_act_here: int
) -> list[dict]:
    c = world.circuits
    act = c["activated_on"].to_numpy()
    rem = c["removed_on"].to_numpy()
    ms, me = np_day(m.start), np_day(m.end)
    live = (act <= ms) & (np.isnat(rem) | (rem > me))
    ci = c["ci"].to_numpy()
    chat = _per_ci(world, "chat_channels")
    n = round(world.scale.tickets_per_month * rng.uniform(0.95, 1.05))
    n_fault, n_comp, n_ond = round(0.55 * n), round(0.15 * n), round(0.10 * n)
    n_extra_act = max(0, round(0.20 * n) - n_act_here)

    w = _per_ci(world, "fault_weight")[ci] * np.where(c["area_type"].to_numpy() == "乡镇", 1.25, 1.0)
    w = w * np.where(c["is_new"].to_numpy(), _per_ci(world, "new_fault_weight")[ci], 1.0)
    hist_t, hist_c = hist
    recent = np.zeros(c.height, dtype=bool)
    recent[hist_c[hist_t >= ms.astype("datetime64[m]") - 30 * DAY_MIN * MIN]] = True
    eligible = np.flatnonzero(live & ~recent)
    if n_fault <= len(eligible) // 2:
        f_c = eligible[_top_k(rng, w[eligible], n_fault)]
        f_t = _times_in(rng, m, n_fault)
        f_c = _plant_repeats(world, rng, f_t, f_c, hist_t, hist_c)
    else:  # province benchmark: more faults than lines, repeats happen by themselves
        pool = np.flatnonzero(live)
        f_c = pool[rng.choice(len(pool), n_fault, p=w[pool] / w[pool].sum())]
        f_t = _times_in(rng, m, n_fault)
    hist[0] = np.concatenate([hist_t, f_t])
    hist[1] = np.concatenate([hist_c, f_c])

    pool = np.flatnonzero(live)
    parts = [_timed(world, rng, "故障", f_c, f_t, _channels(rng, n_fault, FAULT_CHANNELS, chat[ci[f_c]]))]
    cc = pool[rng.integers(0, len(pool), n_comp)]
    parts.append(
        _timed(
            world,
            rng,
            "投诉",
            cc,
            _times_in(rng, m, n_comp),
            _channels(rng, n_comp, COMPLAINT_CHANNELS, chat[ci[cc]]),
        )
    )
    oc = pool[rng.integers(0, len(pool), n_ond)]
    parts.append(
        _timed(
            world,
            rng,
            "按需",
            oc,
            _times_in(rng, m, n_ond),
            _channels(rng, n_ond, ORDER_CHANNELS, chat[ci[oc]]),
        )
    )
    if n_extra_act:  # new services on existing lines
        ec = pool[rng.integers(0, len(pool), n_extra_act)]
        day = np_day(m.start) + rng.integers(8, m.days, n_extra_act).astype("timedelta64[D]")
        parts.append(_activation_tickets(world, rng, ec, day))
    return parts


def build_tickets(world: World) -> pl.DataFrame:
    """Every ticket dispatched inside the window, typed (times as datetimes), before any formatting."""
    rng = rng_for(world.seed, "tickets")
    c = world.circuits
    new = c.filter(pl.col("is_new"))
    acts = _activation_tickets(world, rng, new["idx"].to_numpy(), new["activated_on"].to_numpy())
    disp_month = acts["dispatched"].astype("datetime64[M]")
    hist = [np.array([], dtype="datetime64[m]"), np.array([], dtype=np.int64)]
    parts: list[dict] = [acts]
    for k, m in enumerate(world.months):
        n_here = int((disp_month == np.datetime64(m.iso, "M")).sum())
        parts.extend(_month_parts(world, m, k, rng, hist, n_here))
    keys = ("type", "cidx", "dispatched", "splice", "arrive", "completed", "suspended")
    cols = {key: np.concatenate([p[key] for p in parts]) for key in keys}
    n = len(cols["cidx"])
    ci = c["ci"].to_numpy()[cols["cidx"]]
    for p in parts:  # activations: ack and channel drawn like any order
        if "ack" not in p:
            p["ack"] = _ack_minutes(world, rng, c["ci"].to_numpy()[p["cidx"]])
            p["channel"] = _channels(rng, len(p["cidx"]), ORDER_CHANNELS, np.zeros(len(p["cidx"])))
    cols["ack"] = np.concatenate([p["ack"] for p in parts])
    cols["channel"] = np.concatenate([p["channel"] for p in parts])
    cols = {k: (v.astype("datetime64[us]") if v.dtype.kind == "M" else v) for k, v in cols.items()}
    df = pl.DataFrame({**cols, "tmpl": cols["cidx"], "ci": ci, "u": rng.random(n)})
    df = df.with_columns(
        (pl.col("dispatched") + pl.duration(minutes=pl.col("ack"))).alias("acknowledged_at"),
        pl.col("dispatched").dt.strftime("%Y-%m").alias("month"),
    ).filter(pl.col("month").is_in([m.iso for m in world.months]))
    df = _add_pending(world, rng, df)
    df = df.sort("dispatched", "cidx").with_columns(
        pl.concat_str(
            [
                pl.lit("GZ-EOMS-"),
                pl.col("month").str.replace("-", ""),
                pl.lit("-"),
                (pl.int_range(pl.len()).over("month") + 1).cast(pl.String).str.zfill(6),
            ]
        ).alias("ticket_id")
    )
    df = forms.attach_circuit(world, df)
    df = forms.attach_people_and_causes(world, rng, df)
    return _live_at_the_end(world, _status(world, rng, df))


def _live_at_the_end(world: World, df: pl.DataFrame) -> pl.DataFrame:
    """The faults and complaints of the delivery's last hours are still being worked on (今日预警).

    The last month's export is read as the state at its latest dispatch: the 故障 / 投诉 tickets
    dispatched in the eight hours before it are open (处理中, no 完成时间, nor a later one that a
    correction could fill in), and every fourth of those dispatched an hour or more before it has
    not been acknowledged yet. So the watch list of the demo has breached, at-risk and on-track
    tickets and overdue acknowledgements at its default moment.
    """
    last = df.filter(pl.col("month") == world.months[-1].iso)["dispatched_at"].max()
    if last is None:
        return df
    live = (
        pl.col("type").is_in(["故障", "投诉"])
        & (pl.col("status") != "已作废")
        & (pl.col("dispatched_at") >= pl.lit(last) - pl.duration(hours=8))
    )
    order = pl.int_range(pl.len()).over(live)
    unacked = live & (pl.col("dispatched_at") <= pl.lit(last) - pl.duration(hours=1)) & (order % 4 == 1)
    return df.with_columns(
        pl.when(live).then(pl.lit("处理中")).otherwise(pl.col("status")).alias("status"),
        pl.when(live).then(None).otherwise(pl.col("completed_at")).alias("completed_at"),
        pl.when(live).then(None).otherwise(pl.col("completed_true")).alias("completed_true"),
        pl.when(live).then(None).otherwise(pl.col("closed_at")).alias("closed_at"),
        pl.when(live).then(None).otherwise(pl.col("closed_true")).alias("closed_true"),
        pl.when(unacked).then(None).otherwise(pl.col("acknowledged_at")).alias("acknowledged_at"),
    )


def _add_pending(world: World, rng: np.random.Generator, df: pl.DataFrame) -> pl.DataFrame:
    """Activations still open at the last export: their lines are not in EOMS yet (cidx = -1)."""
    m = world.months[-1]
    n = max(3, world.scale.new_per_month // 40)
    disp = (np_day(m.end) - rng.integers(0, 4, n).astype("timedelta64[D]")).astype("datetime64[m]") + (
        rng.integers(9 * 60, 18 * 60, n) * MIN
    )
    tmpl = rng.integers(0, world.circuits.height, n)  # a line of the same kind, not yet in EOMS
    ci = world.circuits["ci"].to_numpy()[tmpl]
    us = "datetime64[us]"
    pend = pl.DataFrame(
        {
            "type": ["开通"] * n,
            "cidx": np.full(n, -1),
            "tmpl": tmpl,
            "dispatched": disp.astype(us),
            "splice": np.full(n, np.datetime64("NaT"), dtype=us),
            "arrive": np.full(n, np.datetime64("NaT"), dtype=us),
            "completed": np.full(n, np.datetime64("NaT"), dtype=us),
            "suspended": np.zeros(n, dtype=np.int64),
            "ack": rng.integers(3, 25, n),
            "channel": ["EOMS"] * n,
            "ci": ci,
            "u": rng.random(n),
        }
    ).with_columns(
        (pl.col("dispatched") + pl.duration(minutes=pl.col("ack"))).alias("acknowledged_at"),
        pl.lit(m.iso).alias("month"),
    )
    return pl.concat([df, pend.select(df.columns).cast(df.schema)])


def _status(world: World, rng: np.random.Generator, df: pl.DataFrame) -> pl.DataFrame:
    """归档 / 处理中 / 作废 as the export of the ticket's month (made on the 5th of the next) sees it."""
    exports = {m.iso: datetime.combine(m.next_start + timedelta(days=4), datetime.min.time()) for m in world.months}
    fb = np.exp(rng.normal(np.log(_per_ci(world, "feedback_median_min")[df["ci"].to_numpy()]), 0.9))
    n = df.height
    u = rng.random(n)
    cancel = (u < 0.02) & (df["cidx"].to_numpy() >= 0)
    stuck = (u >= 0.02) & (u < 0.024)
    no_completion = (u >= 0.024) & (u < 0.029) & (df["type"].to_numpy() == "故障")
    export = pl.col("month").replace_strict(exports, return_dtype=pl.Datetime("us"))
    closed = pl.col("completed") + pl.duration(minutes=pl.lit(pl.Series(np.round(fb).astype(np.int64))))
    df = df.with_columns(
        closed.alias("closed_at"),
        closed.alias("closed_true"),
        pl.col("completed").alias("completed_true"),
        export.alias("_export"),
        pl.Series("_cancel", cancel),
        pl.Series("_stuck", stuck),
        pl.Series("_nocomp", no_completion),
    )
    open_ = pl.col("completed").is_null() | (pl.col("closed_at") > pl.col("_export")) | pl.col("_stuck")
    df = df.with_columns(
        pl.when(pl.col("_cancel"))
        .then(pl.lit("已作废"))
        .when(open_)
        .then(pl.lit("处理中"))
        .otherwise(pl.lit("已归档"))
        .alias("status")
    )
    done = pl.col("status") == "已归档"
    return df.with_columns(
        pl.when(pl.col("status") == "已作废")
        .then(pl.col("dispatched") + pl.duration(hours=pl.lit(3)))
        .when(done)
        .then(pl.col("closed_at"))
        .alias("closed_at"),
        pl.when(done & ~pl.col("_nocomp"))
        .then(pl.col("completed"))
        .when((pl.col("status") == "处理中") & ~pl.col("_stuck") & (pl.col("completed") <= pl.col("_export")))
        .then(pl.col("completed"))
        .alias("completed_at"),
        pl.col("dispatched").alias("dispatched_at"),
        pl.when(pl.col("status") == "已作废").then(None).otherwise(pl.col("arrive")).alias("arrived_at"),
        pl.col("splice").alias("splice_done_at"),
        pl.col("type").alias("ticket_type"),
        pl.col("suspended").alias("suspended_minutes"),
    ).drop("_export", "_cancel", "_stuck", "_nocomp", "completed", "arrive", "splice", "dispatched")
