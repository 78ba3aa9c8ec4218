"""The ten areas end to end: the demo delivery through `daiwei run`, then `daiwei export --table areas`.

One run of the real pipeline (Dagster + dbt) shared by the module. The checks read
the exported CSV as a user would (cli.md) and the published warehouse read-only.
"""

from __future__ import annotations

import csv
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.slow

# ten-areas.md: area number → headline KPI
HEADLINE = {
    1: "activation_timely_rate",
    2: "ack_timely_rate",
    3: "ledger_consistency_rate",
    4: "inspection_completion_rate",
    5: "spare_stockout_rate",
    6: "staffing_per_100",
    7: "instrument_coverage_rate",
    8: "acceptance_first_pass_rate",
    9: "fault_timely_rate",
    10: "form_complete_rate",
}

SUPPORTING_MARTS = [
    "mart_ticket_steps",
    "mart_activation_lead_times",
    "mart_channel_mix",
    "mart_ledger_findings",
    "mart_overdue_sites",
    "mart_inspection_quality",
    "mart_spare_waits",
    "mart_staffing",
    "mart_fault_cause_quality",
    "mart_acceptance_quality",
    "mart_breaches",
    "mart_technician_penalties",
    "mart_kpi_funnel",
    "mart_fault_tickets",
    "mart_fault_pareto",
]


def daiwei(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["uv", "run", "daiwei", *args], capture_output=True, text=True, timeout=1200)


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_run):
    run = demo_run["run"]
    assert run.returncode == 1, run.stderr  # the demo holds files rejected on purpose; the rest loads
    return {"root": tmp_path_factory.mktemp("areas"), "wh": demo_run["wh"]}


@pytest.fixture(scope="module")
def areas(demo) -> tuple[list[str], list[dict]]:
    out = demo["root"] / "areas.csv"
    p = daiwei("export", "--table", "areas", "--out", str(out), "--warehouse", str(demo["wh"]))
    assert p.returncode == 0, p.stderr
    return read_csv(out)


@pytest.fixture(scope="module")
def kpis(demo) -> list[dict]:
    out = demo["root"] / "kpis.csv"
    p = daiwei("export", "--out", str(out), "--warehouse", str(demo["wh"]))
    assert p.returncode == 0, p.stderr
    return read_csv(out)[1]


def test_header_and_sort_order(areas) -> None:
    header, rows = areas
    assert header == ["month", "area_no", "headline_kpi", "contractor", "denominator", "score"]
    keys = [(r["month"], int(r["area_no"]), r["contractor"]) for r in rows]
    assert keys == sorted(keys)
    assert len(keys) == len(set(keys))


def test_all_ten_areas_for_every_month(areas, kpis) -> None:
    _, rows = areas
    months = {r["month"] for r in kpis}
    contractors = {r["contractor"] for r in kpis if r["contractor"]}
    assert len(months) >= 3 and len(contractors) >= 3
    for month in months:
        in_month = [r for r in rows if r["month"] == month]
        assert {int(r["area_no"]): r["headline_kpi"] for r in in_month} == HEADLINE, month
        for area_no in HEADLINE:
            cells = [r for r in in_month if int(r["area_no"]) == area_no]
            assert sorted(r["contractor"] for r in cells) == sorted(["", *contractors]), (month, area_no)


def test_each_index_row_is_max_minus_min_of_its_scores(areas) -> None:
    _, rows = areas
    scores: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    index: dict[tuple[str, str], dict] = {}
    for r in rows:
        key = (r["month"], r["area_no"])
        if r["contractor"] == "":
            assert key not in index, key  # exactly one index row per month × area
            index[key] = r
        elif r["score"] != "":
            scores[key].append(Decimal(r["score"]))
    assert index
    for key, r in index.items():
        s = scores.get(key, [])
        assert Decimal(r["denominator"]) == len(s), key
        if s:
            assert Decimal(r["score"]) == max(s) - min(s), key
        else:
            assert r["score"] == "", key
    assert any(r["score"] not in ("", "0") and Decimal(r["score"]) > 0 for r in index.values())


def test_contractor_scores_come_from_the_kpi_table(areas, kpis) -> None:
    """Same population as the KPI export; score = rate × 100, (1 − rate) × 100, or min(100, value / 2.5 × 100)."""
    _, rows = areas
    kpi = {(r["month"], r["kpi_code"], r["contractor"]): r for r in kpis if r["contractor"] and not r["prefecture"]}
    for r in rows:
        if r["contractor"] == "":
            continue
        k = kpi[(r["month"], r["headline_kpi"], r["contractor"])]
        assert Decimal(r["denominator"]) == Decimal(k["denominator"]), r
        assert (r["score"] == "") == (k["value"] == ""), r
        if r["score"] == "":
            continue
        score, value = Decimal(r["score"]), Decimal(k["value"])
        assert 0 <= score <= 100, r
        expected = {
            "spare_stockout_rate": (1 - value) * 100,
            "staffing_per_100": min(Decimal(100), value / Decimal("2.5") * 100),
        }.get(r["headline_kpi"], value * 100)
        assert abs(score - expected) <= Decimal("0.0001"), (r, k)


def test_every_supporting_mart_has_rows(demo) -> None:
    con = duckdb.connect(str(demo["wh"]), read_only=True)
    try:
        for mart in SUPPORTING_MARTS:
            row = con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()
            assert row is not None and row[0] > 0, mart
    finally:
        con.close()
