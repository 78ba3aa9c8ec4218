"""Shared vocabulary of the demo generator: reference seeds, scales, profiles, seeded RNGs.

Contractors, prefectures and counties are read from the dbt reference seeds at
run time, so the demo follows whatever a province puts there: the seeds hold
every province's rows, and a delivery uses one province's. Contractors get one
of three behaviour profiles by their order in that province's rows, which is
what makes the ten inconsistency areas show a spread instead of three identical
companies.
"""

from __future__ import annotations

import calendar
import csv
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from core.seeds import SEEDS_DIR
from core.settings import DEFAULT_PROVINCE
from ingestion.loader import check_province

REFERENCE_DIR = SEEDS_DIR / "reference"
EXCEL_EPOCH = datetime(1899, 12, 30)


def rng_for(seed: int, *keys: object) -> np.random.Generator:
    """An independent, reproducible stream per (seed, purpose): adding a stream never shifts another."""
    words = [seed & 0xFFFFFFFF] + [zlib.crc32(str(k).encode("utf-8")) for k in keys]
    return np.random.default_rng(np.random.SeedSequence(words))


@dataclass(frozen=True)
class Reference:
    """One province's reference seeds: prefectures (seed order), their counties, who maintains which."""

    prefectures: tuple[str, ...]
    counties: dict[str, tuple[str, ...]]
    contractors: tuple[str, ...]  # in order of first appearance in the province's seed rows
    contractor_of: dict[str, str]  # prefecture -> contractor
    province: str = DEFAULT_PROVINCE

    def prefectures_of(self, contractor: str) -> tuple[str, ...]:
        return tuple(p for p in self.prefectures if self.contractor_of.get(p) == contractor)


def _rows(name: str, ref_dir: Path) -> list[dict[str, str]]:
    with open(ref_dir / name, encoding="utf-8-sig", newline="") as f:
        return [{k.strip(): (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


def _province_rows(name: str, ref_dir: Path, province: str) -> list[dict[str, str]]:
    return [r for r in _rows(name, ref_dir) if r.get("province") == province]


def load_reference(ref_dir: Path = REFERENCE_DIR, province: str = DEFAULT_PROVINCE) -> Reference:
    """`province`'s rows of the reference seeds; UnknownProvince (the loader's) when ref_prefectures has none."""
    check_province(province, ref_dir)
    rows = _province_rows("ref_prefectures.csv", ref_dir, province)
    prefs = [r["prefecture"] for r in sorted(rows, key=lambda r: int(r["prefecture_no"]))]
    counties: dict[str, list[str]] = {p: [] for p in prefs}
    for r in _province_rows("ref_counties.csv", ref_dir, province):
        counties.setdefault(r["prefecture"], []).append(r["county"])
    contractor_of: dict[str, str] = {}
    contractors: list[str] = []
    for r in _province_rows("ref_contractor_prefectures.csv", ref_dir, province):
        contractor_of[r["prefecture"]] = r["contractor"]
        if r["contractor"] not in contractors:
            contractors.append(r["contractor"])
    prefs = [p for p in prefs if p in contractor_of and counties.get(p)]
    return Reference(tuple(prefs), {p: tuple(counties[p]) for p in prefs}, tuple(contractors), contractor_of, province)


@dataclass(frozen=True)
class Profile:
    """How one contractor behaves. Values are shares/probabilities unless named otherwise."""

    name: str
    fault_timely: float  # share of faults closed inside the limit
    act_timely: float  # share of activations inside the limit
    ack_median_min: float
    ack_sigma: float
    splice_blank: float
    unknown_cause: float  # weight of 不明原因 among causes (others sum to ~0.96)
    photo_missing: float  # a ticket lacks at least one photo kind
    form_blank: float  # base chance a form item is blank / invalid
    repeat_share: float  # faults planted as repeats within 30 days
    fault_weight: float  # relative fault propensity of a circuit
    new_fault_weight: float  # same for a newly accepted circuit (post-acceptance faults)
    inspect_miss: float  # a due inspection not done that month
    ledger_drift: float  # multiplier of ledger drift rates
    staff_per_100: float
    bachelor: float
    cert: float
    core_exp: float
    turnover: float  # monthly leave probability
    training_h: float
    stockout: float
    instr_broken: float
    first_pass: float
    docs_blank: float
    docs_slow: float  # docs handed over 4-6 days after acceptance
    device_hot: float
    device_lossy: float
    device_small_ping: float
    chat_channels: float  # extra weight of 微信群 / 电话
    feedback_median_min: float
    thin_regions: int = 0  # its last prefectures staffed by a single field hand (region_staffing_rate misses)


PROFILES: tuple[Profile, ...] = (
    Profile(  # the large incumbent: good but not perfect
        name="steady",
        fault_timely=0.96,
        act_timely=0.97,
        ack_median_min=7,
        ack_sigma=0.8,
        splice_blank=0.02,
        unknown_cause=0.03,
        photo_missing=0.015,
        form_blank=0.004,
        repeat_share=0.035,
        fault_weight=1.0,
        new_fault_weight=0.08,
        inspect_miss=0.012,
        ledger_drift=0.35,
        staff_per_100=3.0,
        bachelor=0.66,
        cert=0.16,
        core_exp=0.10,
        turnover=0.012,
        training_h=8.0,
        stockout=0.05,
        instr_broken=0.05,
        first_pass=0.95,
        docs_blank=0.02,
        docs_slow=0.03,
        device_hot=0.015,
        device_lossy=0.01,
        device_small_ping=0.01,
        chat_channels=0.0,
        feedback_median_min=45,
    ),
    Profile(  # late acknowledgements, incomplete photos, many 不明原因, an instrument gap
        name="slow_response",
        fault_timely=0.93,
        act_timely=0.94,
        ack_median_min=14,
        ack_sigma=0.9,
        splice_blank=0.04,
        unknown_cause=0.13,
        photo_missing=0.10,
        form_blank=0.008,
        repeat_share=0.05,
        fault_weight=1.1,
        new_fault_weight=0.10,
        inspect_miss=0.025,
        ledger_drift=1.2,
        staff_per_100=2.7,
        bachelor=0.60,
        cert=0.11,
        core_exp=0.07,
        turnover=0.022,
        training_h=5.0,
        stockout=0.08,
        instr_broken=0.10,
        first_pass=0.92,
        docs_blank=0.04,
        docs_slow=0.06,
        device_hot=0.04,
        device_lossy=0.03,
        device_small_ping=0.05,
        chat_channels=1.0,
        feedback_median_min=120,
    ),
    Profile(  # thin staffing: slow activation, poor ledger, overdue inspections, weak acceptance
        name="thin",
        fault_timely=0.91,
        act_timely=0.80,
        ack_median_min=9,
        ack_sigma=0.85,
        splice_blank=0.08,
        unknown_cause=0.05,
        photo_missing=0.03,
        form_blank=0.02,
        repeat_share=0.08,
        fault_weight=1.2,
        new_fault_weight=0.25,
        inspect_miss=0.10,
        ledger_drift=3.5,
        staff_per_100=2.2,
        bachelor=0.45,
        cert=0.06,
        core_exp=0.04,
        turnover=0.045,
        training_h=2.0,
        stockout=0.15,
        instr_broken=0.08,
        first_pass=0.80,
        docs_blank=0.08,
        docs_slow=0.12,
        device_hot=0.03,
        device_lossy=0.05,
        device_small_ping=0.02,
        chat_channels=0.4,
        feedback_median_min=70,
        thin_regions=1,
    ),
)


def profile_of(index: int) -> Profile:
    return PROFILES[index % len(PROFILES)]


@dataclass(frozen=True)
class Scale:
    """Sizes of one delivery; `small` is the demo, `province` the benchmark."""

    name: str
    months: int
    n_existing: int  # circuits activated before the first month (some later removed)
    new_per_month: int  # new lines activated (and accepted) per month
    tickets_per_month: int
    n_devices: int
    metric_gap: float  # share of device-hours with no sample
    messy: bool  # full messiness (small) or light (province)


SMALL = Scale("small", 3, 2080, 140, 800, 180, 0.004, True)
PROVINCE = Scale("province", 12, 9300, 225, 83500, 11500, 0.0, False)


@dataclass(frozen=True)
class Month:
    """A calendar month of the delivery window."""

    year: int
    month: int

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def end(self) -> date:  # last day
        return date(self.year, self.month, self.days)

    @property
    def next_start(self) -> date:
        return self.end + timedelta(days=1)

    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def compact(self) -> str:
        return f"{self.year:04d}{self.month:02d}"

    def export_stamp(self, day: int) -> str:
        """The date stamp of an export made on `day` of the following month."""
        n = self.next_start
        return f"{n.year:04d}{n.month:02d}{day:02d}"


def window(end_month: str, months: int) -> list[Month]:
    y, m = (int(x) for x in end_month.split("-"))
    out = []
    for _ in range(months):
        out.append(Month(y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def excel_serial(ts: datetime | date) -> float:
    """Days since 1899-12-30 (Excel's 1900 system, fraction = time of day)."""
    if not isinstance(ts, datetime):
        ts = datetime(ts.year, ts.month, ts.day)
    delta = ts - EXCEL_EPOCH
    return delta.days + delta.seconds / 86400.0


def np_day(d: date) -> np.datetime64:
    return np.datetime64(d.isoformat(), "D")


def pick(rng: np.random.Generator, n: int, weights: dict[str, float]) -> np.ndarray:
    """n values drawn from a {value: weight} table, as a numpy string array."""
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]
