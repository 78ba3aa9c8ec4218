"""`daiwei national` (scale.md item 4): three provinces' demo deliveries, one lake, one KPI table on Spark.

Each province is generated with its own seed and reference (贵州, 宁夏, 青海: per-province seeds),
loaded by `daiwei run --province`, exported by `daiwei export-raw` into one lake; in 宁夏 an admin
accepts an appeal first, so that province's published figures depend on the application database
(which reaches Spark through the lake). `daiwei national` then builds every province on Spark and
pools the contractors. The checks:

* every province's rows are its DuckDB warehouse's published fct_kpi, every column;
* every pooled row (province '') equals an independent recomputation in Python (Decimal,
  half-up) from the three warehouses' exact units: a contractor on its summed numerators and
  denominators, the whole country on the province grains, penalties summed, the composite
  recomputed from the pooled components with the weights of seed composite_weights;
* 铁通 works in all three provinces and is pooled over the three; the CSV is the Parquet's rows;
* a contractor account, an unknown province and a folder that is not a lake are refused in one line.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import duckdb
import pytest

import appstate
from core.principal import Principal

pytestmark = pytest.mark.slow

PROVINCES = (("贵州", 7), ("宁夏", 11), ("青海", 13))
APPEALED = "宁夏"
ENV = ("DAIWEI_USER", "DAIWEI_APP_DB", "DAIWEI_WAREHOUSE", "DAIWEI_PROVINCE")
KPI_COLUMNS = (
    "month, kpi_code, grain, contractor, prefecture, numerator, denominator, value, target, direction, met, "
    "kpi_name_zh, unit"
)


@dataclass(frozen=True)
class Province:
    name: str
    wh: Path
    app_db: str


@dataclass(frozen=True)
class Lake:
    path: Path
    provinces: tuple[Province, ...]
    tmp: Path


def daiwei(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    """`daiwei …` as a process of its own (as a user runs it), without the developer's DAIWEI_* settings.

    Not in this process: a user runs `daiwei` as a process of its own, and under pytest-xdist a worker's
    __main__ has neither __spec__ nor __file__, which pyspark.sql.connect takes for a doctest run
    (sys.exit(0); Great Expectations no longer imports it, decision 114)."""
    env = {k: v for k, v in os.environ.items() if k not in ENV}
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=3000,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def _accept_one_appeal(p: Province, inbox: Path) -> None:
    """An admin accepts a contractor's timeliness appeal on a late ticket, and the province re-runs."""
    common = ["--warehouse", str(p.wh), "--app-db", p.app_db]
    con = duckdb.connect(str(p.wh), read_only=True)
    month, contractor, ticket = con.execute(  # type: ignore[misc]
        "SELECT month, contractor, ticket_id FROM marts.mart_fault_tickets WHERE NOT is_timely "
        "AND contractor IS NOT NULL ORDER BY month DESC, contractor, ticket_id LIMIT 1"
    ).fetchone()
    con.close()
    app = appstate.connect(p.app_db)
    try:
        boss = Principal("setup", "admin")
        appstate.add_user(app, "boss", "admin", "pw-boss-123456", actor=boss)
        appstate.add_user(app, "c1", "contractor", "pw-c1-123456", contractor, actor=boss)
    finally:
        app.dispose()
    assert daiwei("month", "open", month, *common, "--user", "boss")[0] == 0
    appeal = ["appeal", "file", "--month", month, "--ticket", ticket, "--rule", "timeliness", "--reason", "客户原因"]
    code, out, err = daiwei(*appeal, "--evidence", "客户机房断电记录", *common, "--user", "c1")
    assert code == 0, err
    appeal_id = "".join(ch for ch in out if ch.isdigit())
    code, _, err = daiwei("appeal", "rule", appeal_id, "--accept", "--note", "证据充分", *common, "--user", "boss")
    assert code == 0, err
    assert daiwei("run", "--input", str(inbox), *common, "--province", p.name)[0] in (0, 1)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    tmp = tmp_path_factory.mktemp("national")
    out = tmp / "lake"
    provinces = []
    for name, seed in PROVINCES:
        inbox = tmp / f"in_{seed}"
        code, _, err = daiwei(
            "demo-data", "--out", str(inbox), "--seed", str(seed), "--months", "1", "--province", name
        )
        assert code == 0, err
        # one deployment per province: its own warehouse and application database
        p = Province(name, tmp / f"wh_{seed}.duckdb", f"sqlite:///{tmp / f'app_{seed}.db'}")
        common = ["--warehouse", str(p.wh), "--app-db", p.app_db]
        code, _, err = daiwei("run", "--input", str(inbox), *common, "--province", name)
        assert code in (0, 1), err
        if name == APPEALED:
            _accept_one_appeal(p, inbox)
        code, _, err = daiwei("export-raw", "--out", str(out), *common, "--province", name)
        assert code == 0, err
        provinces.append(p)
    return Lake(out, tuple(provinces), tmp)


@dataclass(frozen=True)
class Built:
    code: int
    stdout: str
    stderr: str
    out: Path
    lake: Lake


@pytest.fixture(scope="module")
def national(lake: Lake) -> Built:
    out = lake.tmp / "national"
    code, stdout, stderr = daiwei(
        "national", "--lake", str(lake.path), "--out", str(out), "--app-db", lake.provinces[0].app_db
    )
    return Built(code, stdout, stderr, out, lake)


@pytest.fixture
def con(national: Built) -> Iterator[duckdb.DuckDBPyConnection]:
    assert national.code == 0, national.stdout + national.stderr + _log_tail(national.out)
    c = duckdb.connect()
    c.execute(f"CREATE VIEW nat AS SELECT * FROM read_parquet('{national.out / 'national_kpi.parquet'}')")
    for i, p in enumerate(national.lake.provinces):
        c.execute(f"ATTACH '{p.wh}' AS p{i} (READ_ONLY)")
    yield c
    c.close()


def _log_tail(out: Path) -> str:
    log = out / "national.log"
    return log.read_text(encoding="utf-8")[-4000:] if log.exists() else ""


# --- the provinces' own rows -----------------------------------------------------------------------------------


def test_every_province_row_is_its_published_figure(con: duckdb.DuckDBPyConnection, national: Built) -> None:
    assert [r[0] for r in con.execute("SELECT DISTINCT province FROM nat ORDER BY 1").fetchall()] == sorted(
        ["", *(name for name, _ in PROVINCES)]
    )
    for i, p in enumerate(national.lake.provinces):
        mine = f"SELECT {KPI_COLUMNS} FROM nat WHERE province = '{p.name}'"
        published = f"SELECT {KPI_COLUMNS} FROM p{i}.marts.fct_kpi"
        only_spark = con.execute(f"SELECT count(*) FROM ({mine} EXCEPT ALL {published})").fetchone()
        only_duckdb = con.execute(f"SELECT count(*) FROM ({published} EXCEPT ALL {mine})").fetchone()
        total = con.execute(f"SELECT count(*) FROM ({published})").fetchone()
        assert total and total[0] > 100, p.name
        assert (only_spark, only_duckdb) == ((0,), (0,)), p.name
        contractors = {
            r[0] for r in con.execute(f"SELECT DISTINCT contractor FROM ({mine}) WHERE contractor <> ''").fetchall()
        }
        assert "铁通" in contractors and len(contractors) == 3, (p.name, contractors)


def test_the_appeal_reached_spark_through_the_lake(con: duckdb.DuckDBPyConnection, national: Built) -> None:
    """The accepted appeal changed 宁夏's published figure, and the Spark build published the changed one."""
    i = [p.name for p in national.lake.provinces].index(APPEALED)
    changed = con.execute(
        f"SELECT count(*) FROM p{i}.intermediate.int_kpi_measures WHERE numerator_units <> numerator_units_before"
    ).fetchone()
    assert changed and changed[0] > 0
    appeals = con.execute(f"SELECT count(*) FROM p{i}.appdb.appeals WHERE state = 'accepted'").fetchone()
    assert appeals == (1,)


# --- the pooled rows, recomputed independently ---------------------------------------------------------------


def _half_up(numerator: Decimal, denominator: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 80
        return (numerator / denominator).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _and(a: bool | None, b: bool | None) -> bool | None:
    """SQL's three-valued AND."""
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _expected_pooled(con: duckdb.DuckDBPyConnection, n: int) -> dict[tuple[str, str, str, str], tuple]:
    catalogue = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT kpi_code, direction, target, min_count, numerator_divisor, denominator_divisor "
            "FROM p0.ref.kpi_catalogue"
        ).fetchall()
    }
    weights = dict(con.execute("SELECT kpi_code, weight FROM p0.ref.composite_weights").fetchall())
    units: dict[tuple[str, str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    penalties: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for i in range(n):
        for month, kpi, grain, contractor, num, den in con.execute(
            "SELECT strftime(month, '%Y-%m'), kpi_code, grain, contractor, numerator_units, denominator_units "
            f"FROM p{i}.intermediate.int_kpi_measures WHERE grain IN ('province', 'contractor')"
        ).fetchall():
            key = (month, kpi, "national" if grain == "province" else "contractor", contractor)
            units[key][0] += num
            units[key][1] += den
        for month, contractor, penalty in con.execute(
            "SELECT strftime(month, '%Y-%m'), contractor, penalty_yuan FROM "
            f"p{i}.intermediate.int_contractor_months_scored"
        ).fetchall():
            penalties[(month, contractor)] += penalty
    expected = {}
    # composite components (kpis.md): Σ weight × 100 × score / Σ weight over the weighted KPIs with a population,
    # score = num / den (den - num for a lower-is-better KPI); each term floored at 10^-18 as the macro does
    parts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (month, kpi, grain, contractor), (num, den) in units.items():
        direction, target, min_count, nd, dd = catalogue[kpi]
        value = None if den == 0 else _half_up(num * dd, den * nd)
        meets = None
        if den != 0 and target is not None:
            exact = (num * dd) / (den * nd)
            meets = exact >= target if direction == "higher" else exact <= target
        min_ok = True if min_count is None else num >= min_count * nd
        met = None if value is None else _and(meets, min_ok)
        expected[(month, kpi, grain, contractor)] = (_half_up(num, Decimal(nd)), _half_up(den, Decimal(dd)), value, met)
        if grain == "contractor" and kpi in weights and den > 0:
            w = int(Decimal(weights[kpi]) * 1_000_000)
            score = int(den - num) if direction == "lower" else int(num)
            parts[(month, contractor)][0] += (w * 100 * score * 10**18) // int(den)
            parts[(month, contractor)][1] += w * 10**18
    composite_target = catalogue["composite_score"][1]
    for (month, contractor), penalty in penalties.items():
        expected[(month, "penalty_yuan", "contractor", contractor)] = (penalty, Decimal(1), penalty, None)
        cnum, cden = parts.get((month, contractor), (0, 0))
        if cden:
            score = _half_up(Decimal(cnum), Decimal(cden))
            met = Decimal(cnum) / Decimal(cden) >= composite_target
            expected[(month, "composite_score", "contractor", contractor)] = (score, Decimal(1), score, met)
        else:
            expected[(month, "composite_score", "contractor", contractor)] = (None, Decimal(0), None, None)
    return expected


def test_pooled_rows_equal_an_independent_recomputation(con: duckdb.DuckDBPyConnection, national: Built) -> None:
    expected = _expected_pooled(con, len(national.lake.provinces))
    got = {
        (r[0], r[1], r[2], r[3]): (r[4], r[5], r[6], r[7])
        for r in con.execute(
            "SELECT month, kpi_code, grain, contractor, numerator, denominator, value, met FROM nat "
            "WHERE province = '' AND prefecture = ''"
        ).fetchall()
    }
    assert con.execute("SELECT count(*) FROM nat WHERE province = '' AND prefecture <> ''").fetchone() == (0,)
    assert set(got) == set(expected)
    wrong = {k: (got[k], expected[k]) for k in expected if got[k] != expected[k]}
    assert not wrong, list(wrong.items())[:5]


def test_a_contractor_in_three_provinces_is_pooled_over_the_three(con: duckdb.DuckDBPyConnection) -> None:
    per_province = con.execute(
        "SELECT count(DISTINCT province), sum(denominator) FROM nat WHERE province <> '' AND grain = 'contractor' "
        "AND contractor = '铁通' AND kpi_code = 'fault_timely_rate'"
    ).fetchone()
    pooled = con.execute(
        "SELECT sum(denominator) FROM nat WHERE province = '' AND grain = 'contractor' AND contractor = '铁通' "
        "AND kpi_code = 'fault_timely_rate'"
    ).fetchone()
    assert per_province and pooled
    assert per_province[0] == 3 and per_province[1] > 0 and pooled[0] == per_province[1]


def test_csv_holds_the_parquet_rows_and_the_summary_says_what_was_built(
    con: duckdb.DuckDBPyConnection, national: Built
) -> None:
    raw = (national.out / "national_kpi.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["province", "month", "kpi_code", "contractor", "prefecture", "numerator", "denominator", "value"]
    assert len(rows) - 1 == con.execute("SELECT count(*) FROM nat").fetchone()[0]  # type: ignore[index]
    assert rows[-1][0] == ""  # pooled rows last
    assert "national_kpi.csv" in national.stdout and "铁通" in national.stdout
    for name, _ in PROVINCES:
        assert name in national.stdout
    assert not (national.out / "_national_build").exists()  # the Spark working folders are gone


# --- refusals (no Spark) ------------------------------------------------------------------------------------------


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and " / " in lines[0] and "Traceback" not in err, err
    return lines[0]


def test_a_contractor_account_may_not_build_the_national_table(lake: Lake) -> None:
    p = lake.provinces[0]
    app = appstate.connect(p.app_db)
    try:
        appstate.add_user(app, "tt_nat", "contractor", "pw-tt-123456", "铁通", actor=Principal("setup", "admin"))
    finally:
        app.dispose()
    out = lake.tmp / "refused"
    code, _, err = daiwei(
        "national", "--lake", str(lake.path), "--out", str(out), "--app-db", p.app_db, "--user", "tt_nat"
    )
    assert code == 2 and "national" in _one_line(err)
    assert not out.exists()
    app = appstate.connect(p.app_db)
    try:
        trail = appstate.entries(app, username="tt_nat")
    finally:
        app.dispose()
    assert [(e.outcome, e.role) for e in trail] == [("denied", "contractor")] and "national" in trail[0].target


def test_an_unknown_province_or_a_folder_that_is_not_a_lake_is_a_usage_error(lake: Lake) -> None:
    app_db = lake.provinces[0].app_db
    code, _, err = daiwei(
        "national", "--lake", str(lake.path), "--out", str(lake.tmp / "x"), "--province", "西藏", "--app-db", app_db
    )
    assert code == 2 and "西藏" in _one_line(err)
    code, _, err = daiwei("national", "--lake", str(lake.tmp), "--out", str(lake.tmp / "y"), "--app-db", app_db)
    assert code == 2 and "_daiwei_lake.json" in _one_line(err)


def test_an_export_from_an_older_version_is_named_before_spark_starts(lake: Lake) -> None:
    """A province exported before the lake held the appeals and quality results: refused in one line."""
    import json
    import shutil

    old = lake.tmp / "old_lake"
    shutil.copytree(lake.path, old)
    manifest_path = old / "province=青海" / "_manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    del manifest["datasets"]["dq_results"]
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    out = lake.tmp / "old_out"
    code, _, err = daiwei("national", "--lake", str(old), "--out", str(out), "--app-db", lake.provinces[0].app_db)
    line = _one_line(err)
    assert code == 2 and "青海" in line and "dq_results" in line and "export-raw" in line
    assert not out.exists()
