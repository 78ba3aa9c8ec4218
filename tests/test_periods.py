"""Quarters, years and settlement (kpis.md § Quarters and years, § Settlement) on the demo warehouse.

`daiwei export --period quarter|year` must be the exact roll-up of the monthly export: for every
row, numerator and denominator are the sums of the months' (MTTR: pooled seconds, rounded once),
penalty_yuan the sum, composite_score recomputed from the pooled components. A contractor sees
only its rows of the periods whose every month is published to it, the others under an alias.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest

from cli.main import main
from core.months import BadPeriod, data_months_of, months_of, parse_period, period_of
from core.principal import Principal
from reporting.exports import KPI_HEADER, settlement_table
from reporting.reader import DirectDB
from reporting.scope import Scope, pseudonyms, scoped

Key = tuple[str, str, str, str]  # period, kpi_code, contractor, prefecture


def test_period_labels() -> None:
    assert parse_period("2026-07").kind == "month" and parse_period("2026-Q3").kind == "quarter"
    assert parse_period("2026").kind == "year" and str(parse_period("2026-Q3")) == "2026-Q3"
    assert months_of("2026-Q3") == ("2026-07", "2026-08", "2026-09") and len(months_of("2026")) == 12
    assert [period_of("2026-09", "quarter"), period_of("2026-10", "quarter"), period_of("2026-10", "year")] == [
        "2026-Q3",
        "2026-Q4",
        "2026",
    ]
    assert data_months_of("2026-Q4", {"2026-09", "2026-12", "2026-10"}) == ["2026-10", "2026-12"]
    for bad in ("2026-13", "2026-Q5", "2026Q3", "26", "2026-q3", ""):
        with pytest.raises(BadPeriod):
            parse_period(bad)


def _dec(text: str) -> Decimal:
    return Decimal(text) if text else Decimal(0)


def _round6(x: Fraction) -> Decimal:
    """Half-up (away from zero) to 6 decimals, as ratio_half_up does."""
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _export(tmp_path: Path, wh: Path, url: str, *argv: str, user: str | None = None) -> tuple[int, Path]:
    out = tmp_path / f"export_{len(list(tmp_path.iterdir()))}.csv"
    who = ["--user", user] if user else []
    return main(["export", *argv, "--out", str(out), "--warehouse", str(wh), "--app-db", url, *who]), out


@pytest.fixture(scope="module")
def exports(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The month, quarter and year exports of the demo warehouse, as the department's admin writes them."""
    tmp = tmp_path_factory.mktemp("periods")
    url = f"sqlite:///{tmp / 'app.db'}"
    out: dict[str, tuple[list[str], list[list[str]]]] = {}
    for kind in ("month", "quarter", "year"):
        code, path = _export(tmp, warehouse, url, "--period", kind)
        assert code == 0
        out[kind] = _read(path)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["quarter", "year"])
def test_period_export_is_the_exact_roll_up_of_the_months(kind: str, exports: dict, warehouse: Path) -> None:
    header, months = exports["month"]
    p_header, rows = exports[kind]
    assert p_header == header == KPI_HEADER
    assert rows == sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3])) and rows
    assert all(parse_period(r[0]).kind == kind for r in rows)

    pooled: dict[Key, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for m, kpi, contractor, prefecture, num, den, _ in months:
        acc = pooled[(period_of(m, kind), kpi, contractor, prefecture)]
        acc[0] += _dec(num)
        acc[1] += _dec(den)
    got = {(r[0], r[1], r[2], r[3]): r for r in rows}
    assert set(got) == set(pooled)  # every grain of any month of the period, and nothing else

    # MTTR pools seconds, not the months' rounded hours
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        seconds = con.execute(
            "SELECT strftime(month, '%Y-%m'), grain, contractor, prefecture, numerator_units "
            "FROM intermediate.int_kpi_measures WHERE kpi_code = 'fault_mttr_hours'"
        ).fetchall()
        weights = dict(con.execute("SELECT kpi_code, weight FROM ref.composite_weights").fetchall())
        lower = {
            r[0] for r in con.execute("SELECT kpi_code FROM ref.kpi_catalogue WHERE direction = 'lower'").fetchall()
        }
    finally:
        con.close()
    mttr: dict[Key, Fraction] = defaultdict(Fraction)
    for m, _, contractor, prefecture, units in seconds:
        mttr[(period_of(m, kind), "fault_mttr_hours", contractor, prefecture)] += Fraction(str(units))

    components: dict[tuple[str, str], list[tuple[Decimal, Fraction]]] = defaultdict(list)
    checked = 0
    for key, (num, den) in pooled.items():
        row = got[key]
        if key[1] == "penalty_yuan":
            assert (_dec(row[4]), _dec(row[5]), _dec(row[6])) == (num, 1, num), key
            continue
        if key[1] == "composite_score":
            continue
        if key[1] == "fault_mttr_hours":
            hours = mttr[key] / 3600
            assert _dec(row[4]) == _round6(hours), key
            assert abs(_dec(row[4]) - num) <= Decimal("0.000001") * len(months_of(key[0])), key
            exact = hours / Fraction(den) if den else None
        else:
            assert _dec(row[4]) == num, key  # counts, and staffing's circuits / 100, add up exactly
            exact = Fraction(num) / Fraction(den) if den else None
        assert _dec(row[5]) == den, key
        assert (row[6] == "") if exact is None else (_dec(row[6]) == _round6(exact)), key
        checked += 1
        if key[1] in weights and key[2] and not key[3] and den:
            score = Fraction(num) / Fraction(den)
            components[(key[0], key[2])].append((Decimal(weights[key[1]]), 1 - score if key[1] in lower else score))
    assert checked > 100

    composites = [r for r in rows if r[1] == "composite_score"]
    assert composites
    for period, _, contractor, _, num, den, value in composites:
        parts = components.get((period, contractor), [])
        if not parts:
            assert (den, value) == ("0", ""), (period, contractor)
            continue
        weighted = sum((Fraction(w) * 100 * s for w, s in parts), Fraction(0))
        composite = weighted / sum((Fraction(w) for w, _ in parts), Fraction(0))
        assert _dec(value) == _round6(composite) == _dec(num) and den == "1", (period, contractor)


@pytest.mark.slow
def test_settlement_sums_the_published_penalties(exports: dict, warehouse: Path) -> None:
    _, months = exports["month"]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        table = settlement_table(con)
        # the demo warehouse is Guizhou's: its contracts, not 铁通's in 宁夏 or 青海 (the seed holds every province)
        fees = dict(
            con.execute(
                "SELECT contractor, monthly_base_fee_yuan FROM ref.contractor_base_fees WHERE province = '贵州'"
            ).fetchall()
        )
        assert settlement_table(con, "2026", period="year").rows == [r for r in table.rows if r[0] == "year"]
    finally:
        con.close()
    penalty = {(r[0], r[2]): _dec(r[4]) for r in months if r[1] == "penalty_yuan"}
    data_months = sorted({r[0] for r in months})
    assert table.rows
    for _, label, in_period, contractor, count, base, pen, payable in table.rows:
        held = data_months_of(label, data_months)
        assert in_period == ",".join(held) and int(count) == len(held), label
        assert _dec(pen) == sum(penalty[(m, contractor)] for m in held), (label, contractor)
        if contractor in fees:
            assert _dec(base) == fees[contractor] * len(held) and _dec(payable) == _dec(base) - _dec(pen)
        else:
            assert base == payable == ""
    assert {r[0] for r in table.rows} == {"month", "quarter", "year"}


@pytest.mark.slow
def test_a_contractor_sees_only_published_periods(warehouse: Path, tmp_path: Path) -> None:
    import appstate

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        data_months = [r[0] for r in con.execute("SELECT DISTINCT month FROM marts.fct_kpi ORDER BY 1").fetchall()]
        everyone = [
            r[0] for r in con.execute("SELECT DISTINCT contractor FROM marts.fct_kpi WHERE contractor <> ''").fetchall()
        ]
    finally:
        con.close()
    own, last = sorted(everyone)[0], data_months[-1]
    last_quarter = period_of(last, "quarter")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    db = appstate.connect(url)
    try:
        boss = Principal.local_admin("boss")
        appstate.add_user(db, "own", "contractor", "own-pw", own, actor=boss)
        appstate.open_month(db, last, actor=boss)  # only the last month is published
    finally:
        db.dispose()
    published = {p for p in {period_of(m, "quarter") for m in data_months} if data_months_of(p, data_months) == [last]}

    code, path = _export(tmp_path, warehouse, url, "--period", "quarter", user="own")
    assert code == 0
    header, rows = _read(path)
    assert header == KPI_HEADER
    assert {r[0] for r in rows} == published  # a quarter with an unpublished month is not shown
    assert {r[2] for r in rows} == {own}  # an export holds its own rows only
    code, path = _export(tmp_path, warehouse, url, "--period", "year", user="own")
    assert code == 0 and (_read(path)[1] == []) == (len(data_months_of(last[:4], data_months)) > 1)
    hidden = sorted({period_of(m, "quarter") for m in data_months} - published)
    if hidden:
        code, _ = _export(tmp_path, warehouse, url, "--period", "quarter", "--month", hidden[0], user="own")
        assert code == 2

    reader = DirectDB.open(warehouse)
    try:
        seen = scoped(reader, Scope.for_principal(Principal("own", "contractor", own), {last}))
        frame = seen.df("SELECT DISTINCT month, contractor FROM marts.fct_kpi_periods")
        assert set(frame["month"]) == published | (
            {last[:4]} if data_months_of(last[:4], data_months) == [last] else set()
        )
        assert set(frame["contractor"]) == {"", own, *pseudonyms(everyone, own).values()}  # others aliased
        settled = seen.df("SELECT DISTINCT month, contractor FROM marts.mart_settlement")
        assert set(settled["contractor"]) == {own} and last_quarter in published <= set(settled["month"])
    finally:
        reader.close()


@pytest.mark.slow
def test_month_names_one_period(exports: dict, warehouse: Path, tmp_path: Path) -> None:
    _, rows = exports["quarter"]
    first = rows[0][0]
    code, path = _export(
        tmp_path, warehouse, f"sqlite:///{tmp_path / 'app.db'}", "--period", "quarter", "--month", first
    )
    assert code == 0 and _read(path)[1] == [r for r in rows if r[0] == first]


@pytest.mark.slow
def test_period_usage_errors(warehouse: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    for argv in (
        ("--period", "quarter", "--table", "areas"),
        ("--period", "month", "--table", "areas"),
        ("--period", "quarter", "--month", "2026-10"),
        ("--period", "year", "--month", "2026-Q4"),
        ("--period", "quarter", "--month", "1999-Q1"),
        (
            "--period",
            "week",
        ),
    ):
        code, _ = _export(tmp_path, warehouse, url, *argv)
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and " / " in err[0], argv
    for label in ("1999-Q1", "1999", "2026-Q5"):
        code = main(
            ["pack", "--month", label, "--out", str(tmp_path / "p"), "--warehouse", str(warehouse), "--app-db", url]
        )
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and " / " in err[0], label
