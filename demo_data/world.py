"""The simulated truth: circuits (the EOMS inventory), staff and NMS devices.

Every delivered file is a (possibly distorted) view of this world, so the
datasets agree with each other the way real ones do: tickets hit circuits that
are in service, technicians come from the roster, devices sit on EOMS lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from demo_data import vocab
from demo_data.common import Month, Profile, Reference, Scale, np_day, profile_of, rng_for
from ingestion.datasets import ACCESS_TYPES, SERVICE_LEVELS, SERVICE_TYPES, SITE_TYPES

FIRST_ACTIVATION = date(2014, 1, 1)
BANDWIDTHS = np.array([10, 20, 50, 100, 200, 500, 1000])


@dataclass
class World:
    ref: Reference
    months: list[Month]
    scale: Scale
    seed: int
    circuits: pl.DataFrame
    staff: pl.DataFrame
    devices: pl.DataFrame

    @property
    def profiles(self) -> list[Profile]:
        return [profile_of(i) for i in range(len(self.ref.contractors))]

    @property
    def start(self) -> date:
        return self.months[0].start

    @property
    def end(self) -> date:
        return self.months[-1].end


def _choice(rng: np.random.Generator, values: tuple[str, ...], weights: list[float], n: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return np.array(values)[rng.choice(len(values), size=n, p=p / p.sum())]


def build_circuits(ref: Reference, months: list[Month], scale: Scale, seed: int) -> pl.DataFrame:
    """All circuits that exist at some point: old ones, those removed, those activated in the window."""
    rng = rng_for(seed, "circuits")
    n_new = scale.new_per_month * len(months)
    n = scale.n_existing + n_new
    prefs = np.array(ref.prefectures)
    w = rng.uniform(0.85, 1.15, size=len(prefs))
    w[0] *= 1.35  # the first prefecture of the seed is the provincial capital
    pi = rng.choice(len(prefs), size=n, p=w / w.sum())
    county = np.empty(n, dtype=object)
    seat = np.zeros(n, dtype=bool)
    for k, p in enumerate(prefs):
        idx = np.flatnonzero(pi == k)
        cs = ref.counties[p]
        cw = np.ones(len(cs))
        cw[0] = 2.5  # the first county listed is the busiest
        ck = rng.choice(len(cs), size=len(idx), p=cw / cw.sum())
        county[idx] = np.array(cs, dtype=object)[ck]
        seat[idx] = ck == 0
    urban_p = np.where(pi == 0, 0.7, np.where(seat, 0.7, 0.42))
    area = np.where(rng.random(n) < urban_p, "城区", "乡镇")
    site = _choice(rng, SITE_TYPES, [0.3, 0.55, 0.15], n)
    svc = _choice(rng, SERVICE_TYPES, [0.38, 0.08, 0.3, 0.06, 0.04, 0.04, 0.04, 0.06], n)
    level = _choice(rng, SERVICE_LEVELS, [0.05, 0.15, 0.3, 0.5], n)
    access = _choice(rng, ACCESS_TYPES, [0.3, 0.35, 0.15, 0.2], n)
    bw_i = rng.choice(len(BANDWIDTHS), size=n, p=[0.12, 0.2, 0.25, 0.22, 0.11, 0.06, 0.04])

    start = months[0].start
    is_new = np.zeros(n, dtype=bool)
    is_new[scale.n_existing :] = True
    span = (start - FIRST_ACTIVATION).days
    act = np_day(FIRST_ACTIVATION) + (span * (1 - rng.random(n) ** 1.6)).astype("timedelta64[D]")
    act = np.minimum(act, np_day(start) - np.timedelta64(1, "D"))
    for k, m in enumerate(months):  # new lines spread over each month
        sl = slice(scale.n_existing + k * scale.new_per_month, scale.n_existing + (k + 1) * scale.new_per_month)
        act[sl] = np_day(m.start) + rng.integers(0, m.days, size=scale.new_per_month).astype("timedelta64[D]")

    removed = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    old = np.flatnonzero(~is_new)
    gone_before = old[rng.random(len(old)) < 0.025]
    gap = (np_day(start) - act[gone_before]).astype(int)
    removed[gone_before] = act[gone_before] + (np.maximum(gap - 1, 1) * rng.uniform(0.3, 1.0, len(gap))).astype(
        "timedelta64[D]"
    )
    alive = np.setdiff1d(old, gone_before)
    for m in months:  # ~0.6 % of the old lines are taken out each month
        pick = alive[rng.random(len(alive)) < 0.006]
        pick = pick[np.isnat(removed[pick])]
        removed[pick] = np_day(m.start) + rng.integers(0, m.days, size=len(pick)).astype("timedelta64[D]")

    # A few bandwidth upgrades inside the window: EOMS follows, a lazy ledger does not.
    bw_before_i = bw_i.copy()
    changed = np.flatnonzero(~is_new & np.isnat(removed) & (bw_i > 0) & (rng.random(n) < 0.015))
    bw_before_i[changed] = bw_i[changed] - rng.integers(1, 3, size=len(changed)).clip(max=bw_i[changed])
    bw_changed = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    total_days = (months[-1].end - start).days + 1
    bw_changed[changed] = np_day(start) + rng.integers(0, total_days, size=len(changed)).astype("timedelta64[D]")

    county_s = county.astype(str)
    cust = vocab.customer_names(rng, county_s, site, ref.province)
    a_addr, z_addr = vocab.addresses(rng, prefs[pi].astype(str), county_s)
    contractors = np.array([ref.contractor_of[p] for p in prefs])
    ci_of_pref = np.array([ref.contractors.index(c) for c in contractors])

    order = np.argsort(act, kind="stable")  # older lines carry lower numbers
    seq = np.empty(n, dtype=np.int64)
    seq[order] = np.arange(n) + 10001
    df = pl.DataFrame(
        {
            "seq": seq,
            "ci": ci_of_pref[pi],
            "contractor": contractors[pi],
            "pi": pi,
            "prefecture": prefs[pi],
            "county": county_s,
            "area_type": area,
            "service_level": level,
            "service_type": svc,
            "customer_name": cust,
            "bandwidth_mbps": BANDWIDTHS[bw_i],
            "bandwidth_before": BANDWIDTHS[bw_before_i],
            "bw_changed_on": bw_changed,
            "access_type": access,
            "a_address": a_addr,
            "z_address": z_addr,
            "site_type": site,
            "activated_on": act,
            "removed_on": removed,
            "is_new": is_new,
            "u": rng.random(n),  # per-circuit uniform: fixes ledger drift and inspection phase for good
        }
    )
    df = df.with_columns(
        pl.concat_str([pl.lit("GZ-DL-"), pl.col("seq").cast(pl.String).str.zfill(6)]).alias("circuit_id")
    )
    return df.sort("seq").with_row_index("idx").with_columns(pl.col("idx").cast(pl.Int64))


def in_service(circuits: pl.DataFrame, day: date) -> pl.Expr:
    """The kpis.md rule: activated_on <= d and (removed_on blank or removed_on > d)."""
    return (pl.col("activated_on") <= day) & (pl.col("removed_on").is_null() | (pl.col("removed_on") > day))


def build_staff(ref: Reference, months: list[Month], circuits: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Everyone who works for a contractor at some point of the window, with hire/leave dates."""
    rng = rng_for(seed, "staff")
    start = months[0].start
    # Teams are sized for the lines expected at the end of the window (growth is planned for).
    live = circuits.filter(in_service(circuits, months[-1].end)).group_by("contractor", "prefecture").len()
    counts = {(r[0], r[1]): r[2] for r in live.iter_rows()}
    rows: list[dict] = []
    for ci, c in enumerate(ref.contractors):
        prof = profile_of(ci)
        seq = 0
        prefectures = ref.prefectures_of(c)
        for k, p in enumerate(prefectures):
            n_field = max(2, round(counts.get((c, p), 0) / 100 * prof.staff_per_100 * rng.uniform(0.92, 1.08)))
            if k >= len(prefectures) - prof.thin_regions:  # one 班组长 alone: the region is understaffed
                n_field = 1
            n_lead = max(1, round(n_field / 8))
            roles = ["区域负责人"] + ["班组长"] * n_lead + ["技术人员"] * (n_field - n_lead)
            roles += ["后台人员"] * (1 + int(rng.random() < 0.5))
            if k == 0:
                roles.append("专业管理员")
            for role in roles:
                seq += 1
                rows.append({"ci": ci, "contractor": c, "prefecture": p, "role": role, "seq": seq})
        # Leavers are replaced by hires, about a month later (a vacancy in between).
        members = [r for r in rows if r["ci"] == ci]
        for m in months:
            for r in list(members):
                if r.get("left_on") is None and r["role"] != "区域负责人" and rng.random() < prof.turnover:
                    r["left_on"] = m.start + timedelta(days=int(rng.integers(0, m.days)))
                    seq += 1
                    hire = m.next_start + timedelta(days=int(rng.integers(0, 20)))
                    new = {
                        **{k: r[k] for k in ("ci", "contractor", "prefecture", "role")},
                        "seq": seq,
                        "hired_on": hire,
                    }
                    rows.append(new)
                    members.append(new)
    n = len(rows)
    df = pl.DataFrame(rows, schema_overrides={"left_on": pl.Date, "hired_on": pl.Date}, infer_schema_length=None)
    for col in ("left_on", "hired_on"):
        if col not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.Date).alias(col))
    prof_of = [profile_of(int(ci)) for ci in df["ci"]]
    bachelor = np.array([p.bachelor for p in prof_of])
    cert = np.array([p.cert for p in prof_of])
    core = np.array([p.core_exp for p in prof_of])
    u = rng.random(n)
    edu = np.where(
        u < bachelor * 0.1,
        "硕士",
        np.where(u < bachelor, "本科", np.where(u < bachelor + 0.3, "大专", "中专")),
    )
    edu = np.where((u > 0.985) & (edu == "中专"), "高中", edu)
    edu = np.where(u < 0.004, "博士", edu)
    hired_old = np_day(start) - rng.integers(60, 365 * 12, size=n).astype("timedelta64[D]")
    field = df["role"].is_in(["技术人员", "班组长"]).to_numpy()
    certs = []
    cr = rng.random((n, 6))
    vendor = rng.random(n) < cert  # holds a vendor certificate (CCNA / HCNE / HCIA)
    names = ("CCNA", "HCNE", "HCIA", "代维资格证", "电工证", "登高证")
    base = np.array([0.35, 0.25, 0.6, 0.85, 0.45, 0.55])
    for i in range(n):
        own = [names[j] for j in range(6) if (vendor[i] and cr[i, j] < base[j]) or (j >= 3 and cr[i, j] < base[j])]
        if vendor[i] and not any(x in own for x in names[:3]):
            own.insert(0, "HCIA")
        if not field[i]:
            own = [x for x in own if x not in ("电工证", "登高证")]
        certs.append(";".join(own))
    core_years = np.where(rng.random(n) < core, rng.uniform(2, 9, n), rng.choice([0, 0, 0, 0.5, 1, 1.5], n))
    work_years = np.round(rng.uniform(0.5, 15, n), 1)
    ids = [f"DW{ci + 1}{s:04d}" for ci, s in zip(df["ci"], df["seq"], strict=True)]
    return df.with_columns(
        pl.Series("employee_id", ids),
        pl.Series("name", vocab.person_names(rng, n)),
        pl.Series("education", edu),
        pl.Series("certifications", certs),
        pl.Series("core_network_years", np.round(core_years, 1)),
        pl.Series("work_years", np.maximum(work_years, np.round(core_years, 1))),
        pl.coalesce(pl.col("hired_on"), pl.Series(hired_old)).alias("hired_on"),
    )


def _exact_share(
    rng: np.random.Generator, group: np.ndarray, share: np.ndarray, exclude: np.ndarray | None = None
) -> np.ndarray:
    """Flag round(share x size) members of each group, so a small fleet still shows the designed mix."""
    out = np.zeros(len(group), dtype=bool)
    for g in np.unique(group):
        idx = np.flatnonzero((group == g) & (True if exclude is None else ~exclude))
        k = round(float(share[group == g][0]) * int((group == g).sum()))
        out[rng.permutation(idx)[:k]] = True
    return out


def build_devices(circuits: pl.DataFrame, months: list[Month], n_devices: int, seed: int) -> pl.DataFrame:
    """NMS-managed devices on lines in service all window; a few point at circuits EOMS lacks."""
    rng = rng_for(seed, "devices")
    pool = circuits.filter(in_service(circuits, months[0].start) & in_service(circuits, months[-1].end))
    n_phantom = max(3, n_devices // 500)
    n_real = n_devices - n_phantom
    take = rng.choice(pool.height, size=n_real, replace=n_real > pool.height)
    sel = pool[np.sort(take)]
    by_access = {
        "PON": ("ONU", 0.85, "路由器"),
        "MPLS": ("路由器", 0.8, "防火墙"),
        "SDH": ("协议转换器", 0.6, "光纤收发器"),
        "裸光纤": ("交换机", 0.6, "路由器"),
    }
    acc = sel["access_type"].to_numpy()
    u = rng.random(n_real)
    dtype = np.array([by_access[a][0] if u[i] < by_access[a][1] else by_access[a][2] for i, a in enumerate(acc)])
    phantom_ids = np.array([f"GZ-DL-{900001 + i:06d}" for i in range(n_phantom)])
    ci = np.concatenate([sel["ci"].to_numpy(), np.full(n_phantom, -1)])
    profs = [profile_of(int(c)) if c >= 0 else profile_of(0) for c in ci]
    hot = _exact_share(rng, ci, np.array([p.device_hot for p in profs]))
    lossy = _exact_share(rng, ci, np.array([p.device_lossy for p in profs]), exclude=hot)
    small = _exact_share(rng, ci, np.array([p.device_small_ping for p in profs]), exclude=hot | lossy)
    urban = np.concatenate([(sel["area_type"] == "城区").to_numpy(), np.ones(n_phantom, dtype=bool)])
    hot_kind = rng.random(n_devices)
    return pl.DataFrame(
        {
            "device_id": [f"GZNE{i + 1:06d}" for i in range(n_devices)],
            "circuit_id": np.concatenate([sel["circuit_id"].to_numpy(), phantom_ids]),
            "device_type": np.concatenate([dtype, np.array(["路由器"] * n_phantom)]),
            "ci": ci,
            "cpu_base": np.where(hot & (hot_kind < 0.6), rng.uniform(55, 80, n_devices), rng.uniform(4, 32, n_devices)),
            "mem_base": np.where(
                hot & (hot_kind >= 0.4), rng.uniform(63, 82, n_devices), rng.uniform(18, 48, n_devices)
            ),
            "loss_p": np.where(
                lossy, rng.uniform(0.002, 0.02, n_devices), np.where(rng.random(n_devices) < 0.3, 2e-5, 0.0)
            ),
            "ping_size": np.where(small, 64, 1472),
            "latency_base": np.exp(rng.normal(np.log(np.where(urban, 3.5, 7.0)), 0.4)),
        }
    )
