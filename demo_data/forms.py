"""The descriptive half of a ticket: circuit attributes, technician, cause, and the confirmation form.

Built with polars expressions over whole columns (no per-row Python), because at
province scale this runs over a million tickets. A contractor's sloppiness is
one probability: a sloppy ticket has one or two of the twelve form items blank
or invalid, which is how real forms fail (not every item a little).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from demo_data import vocab
from demo_data.world import World

CIRCUIT_COLS = (
    "circuit_id",
    "customer_name",
    "service_type",
    "prefecture",
    "pi",
    "county",
    "area_type",
    "service_level",
    "contractor",
)
HEX = [f"{i:02X}" for i in range(256)]
BAD_IP = ("10.0.0.256", "010.1.1.1", "192.168.1", "10.12.3.4.5")
BAD_VLAN = ("0", "5000", "待定")
BAD_MAC = ("00:1A:2B:3C:4D", "001A-2B3C-4D5G", "00-1A-2B-3C-4D-5E")


def _take(values: list[str] | tuple[str, ...] | np.ndarray, idx: np.ndarray) -> pl.Series:
    return pl.Series(list(values), dtype=pl.String).gather(idx)


def _per_ci(world: World, attr: str, ci: np.ndarray) -> np.ndarray:
    return np.array([getattr(p, attr) for p in world.profiles], dtype=float)[ci]


def attach_circuit(world: World, df: pl.DataFrame) -> pl.DataFrame:
    """Circuit attributes by index; open activations get a fresh ID that EOMS does not have yet."""
    c = world.circuits.select("idx", *CIRCUIT_COLS)
    out = df.join(c, left_on="tmpl", right_on="idx", how="left", maintain_order="left")
    top = int(world.circuits["seq"].to_numpy().max()) + 1
    fresh = pl.concat_str([pl.lit("GZ-DL-"), (pl.int_range(pl.len()) + top).cast(pl.String).str.zfill(6)])
    return out.with_columns(pl.when(pl.col("cidx") < 0).then(fresh).otherwise(pl.col("circuit_id")).alias("circuit_id"))


def _technicians(world: World, rng: np.random.Generator, df: pl.DataFrame) -> pl.Series:
    staff = world.staff.filter(
        pl.col("role").is_in(["技术人员", "班组长"]) & pl.col("left_on").is_null() & (pl.col("hired_on") < world.start)
    )
    out = np.empty(df.height, dtype=object)
    groups = df.select(pl.col("contractor"), pl.col("prefecture")).with_row_index("i")
    for (c, p), g in groups.group_by("contractor", "prefecture", maintain_order=True):
        ids = staff.filter((pl.col("contractor") == c) & (pl.col("prefecture") == p))["employee_id"].to_numpy()
        if len(ids) == 0:
            ids = staff.filter(pl.col("contractor") == c)["employee_id"].to_numpy()
        rows = g["i"].to_numpy()
        # A few technicians take most tickets, as in any team.
        w = np.exp(rng.normal(0, 0.5, len(ids)))
        out[rows] = ids[rng.choice(len(ids), len(rows), p=w / w.sum())]
    return pl.Series("technician_id", out.astype(str))


def _causes(world: World, rng: np.random.Generator, df: pl.DataFrame) -> pl.DataFrame:
    n = df.height
    ci = df["ci"].to_numpy()
    cats = [*vocab.CAUSE_WEIGHTS, "不明原因"]
    base = np.array([vocab.CAUSE_WEIGHTS[k] for k in vocab.CAUSE_WEIGHTS])
    w = np.concatenate([np.tile(base, (n, 1)), _per_ci(world, "unknown_cause", ci)[:, None]], axis=1)
    complaint = df["type"].to_numpy() == "投诉"
    w[complaint, cats.index("客户侧")] += 0.12
    w[complaint, cats.index("设备配置")] += 0.06
    cum = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    k = (rng.random(n)[:, None] > cum).sum(axis=1).clip(max=len(cats) - 1)
    cat = np.array(cats)[k]
    detail = np.empty(n, dtype=object)
    device = np.empty(n, dtype=object)
    note = np.empty(n, dtype=object)
    for name in cats:
        rows = np.flatnonzero(cat == name)
        det = vocab.CAUSES[name]
        dev = vocab.CAUSE_DEVICE[name]
        detail[rows] = np.array(det)[rng.integers(0, len(det), len(rows))]
        device[rows] = np.array(dev)[rng.integers(0, len(dev), len(rows))]
        note[rows] = vocab.RESOLUTION[name]
    typ = df["type"].to_numpy()
    has_cause = (typ == "故障") | (typ == "投诉")
    note = np.where(
        typ == "开通",
        "光缆熔接完成, 设备安装调测后开通",
        np.where(typ == "按需", "按客户需求完成割接调整", note),
    )
    hw = has_cause & np.isin(cat, ["设备硬件", "电源", "传输设备"])
    spare = np.where(hw, rng.random(n) < 0.55, rng.random(n) < 0.03)
    mask = pl.Series(has_cause)

    def only_causes(values: np.ndarray) -> pl.Series:
        return pl.select(pl.when(mask).then(pl.Series(values.astype(str)))).to_series()

    return pl.DataFrame(
        {
            "cause_category": only_causes(cat),
            "cause_detail": only_causes(detail),
            "faulty_device": only_causes(device),
            "resolution_note": note.astype(str),
            "spare_used": spare,
        }
    )


def _form(world: World, rng: np.random.Generator, df: pl.DataFrame) -> pl.DataFrame:
    n = df.height
    ci = df["ci"].to_numpy()
    sloppy = rng.random(n) < _per_ci(world, "form_blank", ci) * 4
    broken = np.zeros((n, 11), dtype=bool)
    first = rng.integers(0, 11, n)
    broken[np.arange(n), first] = sloppy
    second = rng.integers(0, 11, n)
    broken[np.arange(n), second] |= sloppy & (rng.random(n) < 0.3)

    mobile = pl.concat_str(
        [
            _take(vocab.MOBILE_PREFIX, rng.integers(0, len(vocab.MOBILE_PREFIX), n)),
            pl.Series(rng.integers(0, 10**8, n)).cast(pl.String).str.zfill(8),
        ]
    )
    land = pl.concat_str([pl.lit("0851-8"), pl.Series(rng.integers(0, 10**7, n)).cast(pl.String).str.zfill(7)])
    phone = pl.select(pl.when(pl.Series(rng.random(n) < 0.15)).then(land).otherwise(mobile)).to_series()

    oct_ = [pl.Series(rng.integers(lo, hi, n)).cast(pl.String) for lo, hi in ((10, 11), (0, 256), (0, 256), (1, 255))]
    ip = pl.concat_str(oct_, separator=".")
    bad_ip = _take(BAD_IP, rng.integers(0, len(BAD_IP), n))
    vlan = pl.Series(rng.integers(2, 4000, n)).cast(pl.String)
    bad_vlan = _take(BAD_VLAN, rng.integers(0, len(BAD_VLAN), n))
    b = [_take(HEX, rng.integers(0, 256, n)) for _ in range(6)]
    colon = pl.concat_str(b, separator=":")
    dash = pl.concat_str([pl.concat_str(b[0:2]), pl.concat_str(b[2:4]), pl.concat_str(b[4:6])], separator="-")
    u = rng.random(n)
    mac = pl.select(pl.when(pl.Series(u < 0.6)).then(colon).otherwise(dash).alias("m")).to_series()
    mac = pl.select(pl.when(pl.Series(rng.random(n) < 0.2)).then(mac.str.to_lowercase()).otherwise(mac)).to_series()
    bad_mac = _take(BAD_MAC, rng.integers(0, len(BAD_MAC), n))
    county = df["county"]
    a_end = pl.concat_str(
        [_take(vocab.OLT_MODELS, rng.integers(0, len(vocab.OLT_MODELS), n)), pl.lit("("), county, pl.lit(")")]
    )
    route = pl.concat_str(
        [
            pl.lit("OLT 0/"),
            pl.Series(rng.integers(1, 17, n)).cast(pl.String),
            pl.lit("/"),
            pl.Series(rng.integers(0, 16, n)).cast(pl.String),
            pl.lit("-分光器"),
            pl.Series(rng.integers(1, 9, n)).cast(pl.String),
            pl.lit("-ONU"),
        ]
    )
    z_end = _take(vocab.CPE_MODELS, rng.integers(0, len(vocab.CPE_MODELS), n))
    sat = np.array(["满意", "基本满意", "不满意"])[rng.choice(3, n, p=[0.9, 0.075, 0.025])]
    signed = pl.select(
        pl.when(pl.Series(broken[:, 5] & (rng.random(n) < 0.5))).then(None).otherwise(pl.Series(~broken[:, 5]))
    ).to_series()

    def blank(s: pl.Series, j: int) -> pl.Series:
        return pl.select(pl.when(pl.Series(broken[:, j])).then(None).otherwise(s)).to_series()

    def bad(s: pl.Series | pl.Expr, alt: pl.Series, j: int) -> pl.Series:
        half = rng.random(n) < 0.5
        return pl.select(
            pl.when(pl.Series(broken[:, j] & half)).then(None).when(pl.Series(broken[:, j])).then(alt).otherwise(s)
        ).to_series()

    part = rng.random(n) < 0.6  # a broken route is mostly a missing Z end
    return pl.DataFrame(
        {
            "contact_name": blank(pl.Series(vocab.person_names(rng, n)), 0),
            "contact_phone": blank(phone, 1),
            "_no_cause": broken[:, 2],
            "_no_note": broken[:, 3],
            "satisfaction": blank(pl.Series(sat), 4),
            "customer_signed": signed,
            "_no_arrival": broken[:, 6],
            "ip_address": bad(ip, bad_ip, 7),
            "vlan": bad(vlan, bad_vlan, 8),
            "mac_address": bad(mac, bad_mac, 9),
            "a_end": pl.select(a_end).to_series(),
            "route": pl.select(pl.when(pl.Series(broken[:, 10] & ~part)).then(None).otherwise(route)).to_series(),
            "z_end": pl.select(pl.when(pl.Series(broken[:, 10])).then(None).otherwise(z_end)).to_series(),
        }
    )


def _photos(world: World, rng: np.random.Generator, df: pl.DataFrame) -> pl.Series:
    n = df.height
    ci = df["ci"].to_numpy()
    missing = rng.random(n) < _per_ci(world, "photo_missing", ci)
    drop1 = rng.integers(0, 6, n)
    drop2 = np.where(rng.random(n) < 0.35, rng.integers(0, 6, n), -1)
    kinds = []
    for j, kind in enumerate(vocab.PHOTO_KINDS):
        gone = missing & ((drop1 == j) | (drop2 == j))
        kinds.append(pl.select(pl.when(pl.Series(gone)).then(None).otherwise(pl.lit(kind))).to_series())
    extra = pl.select(pl.when(pl.Series(rng.random(n) < 0.05)).then(pl.lit("其他")).otherwise(None)).to_series()
    tight = pl.concat_str([*kinds, extra], separator=";", ignore_nulls=True)
    loose = pl.concat_str([*kinds, extra], separator=" ; ", ignore_nulls=True)
    u = rng.random(n)
    return pl.select(
        pl.when(pl.Series(u < 0.008)).then(None).when(pl.Series(u > 0.9)).then(loose).otherwise(tight).alias("photos")
    ).to_series()


def attach_people_and_causes(world: World, rng: np.random.Generator, df: pl.DataFrame) -> pl.DataFrame:
    df = df.with_columns(_technicians(world, rng, df))
    df = pl.concat([df, _causes(world, rng, df), _form(world, rng, df)], how="horizontal")
    df = df.with_columns(_photos(world, rng, df))
    stock = _per_ci(world, "stockout", df["ci"].to_numpy())
    wait = np.round(np.exp(rng.normal(np.log(50 * (1 + 6 * stock)), 0.6)))
    return df.with_columns(
        pl.when(pl.col("_no_cause")).then(None).otherwise(pl.col("cause_category")).alias("cause_category"),
        pl.when(pl.col("_no_note")).then(None).otherwise(pl.col("resolution_note")).alias("resolution_note"),
        pl.when(pl.col("_no_arrival")).then(None).otherwise(pl.col("arrive")).alias("arrive"),
        pl.when(pl.col("spare_used"))
        .then(
            pl.min_horizontal(
                pl.Series(wait),
                ((pl.col("completed") - pl.col("dispatched")).dt.total_minutes() - pl.col("suspended")) * 0.6,
            )
            .round()
            .cast(pl.Int64)
        )
        .alias("spare_wait_minutes"),
    ).drop("_no_cause", "_no_note", "_no_arrival")
