"""The data-quality suites on the demo delivery, run directly (not through Dagster).

The demo delivery is generated and loaded once for the module; tests that
change data work on copies of the loaded file. The ledger tests break a ledger
on purpose and check that exactly the right expectations fail, for the right
contractor and month, naming the right circuit.
"""

from __future__ import annotations

import calendar
import contextlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from demo_data import generate
from ingestion.loader import load_folder, prepare_connection
from quality import device_suite, gx_engine, ledger_suite, raw_suites, reference
from quality.catalog import SUITE_NAMES, SUITES
from quality.device_suite import SAMPLE_ROWS
from quality.results import SAMPLE_SIZE
from quality.runner import RunReport, months_filter, run_suites
from quality.spec import Batch
from tests.conftest import build_quality_inputs

NOW = datetime(2026, 11, 25, 12, 0)
LISTED = "expect_column_values_to_be_between(listed_count, 1, None)"
ONCE = "expect_column_values_to_be_between(listed_count, None, 1)"
BANDWIDTH = "expect_column_values_to_be_in_set(bandwidth_mbps_agrees, [True])"
A_ADDRESS = "expect_column_values_to_be_in_set(a_address_agrees, [True])"
EXTRA = "expect_column_values_to_be_in_set(in_service_for_contractor, [True])"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("dq")
    generate(root / "in")
    manifest = json.loads((root / "in.manifest.json").read_text(encoding="utf-8"))
    db = root / "warehouse.duckdb"
    con = duckdb.connect(str(db))
    load_folder(con, root / "in", "load-1")
    con.close()
    build_quality_inputs(db)
    return db, manifest


@pytest.fixture(scope="module")
def baseline(demo: tuple[Path, dict]):
    db, _ = demo
    con = duckdb.connect(str(db))
    report = run_suites(con, "run-1", now=NOW)
    con.execute("CHECKPOINT")
    yield con, report
    con.close()


def _copy(demo: tuple[Path, dict], baseline, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    baseline[0].execute("CHECKPOINT")
    target = tmp_path / "broken.duckdb"
    shutil.copyfile(demo[0], target)
    return duckdb.connect(str(target))


def _by_key(report: RunReport, suite: str) -> dict[tuple, object]:
    return {(r.expectation, r.contractor, r.month): r for r in report.results if r.suite == suite}


def test_every_suite_runs_and_lands_in_audit_dq_results(baseline) -> None:
    con, report = baseline
    assert {r.suite for r in report.results} == set(SUITE_NAMES)
    columns = con.execute("DESCRIBE audit.dq_results").fetchall()
    assert [(c[0], c[1]) for c in columns] == [
        ("run_id", "VARCHAR"),
        ("suite", "VARCHAR"),
        ("expectation", "VARCHAR"),
        ("column", "VARCHAR"),
        ("contractor", "VARCHAR"),
        ("month", "VARCHAR"),
        ("success", "BOOLEAN"),
        ("observed_value", "VARCHAR"),
        ("element_count", "BIGINT"),
        ("unexpected_count", "BIGINT"),
        ("unexpected_percent", "DOUBLE"),
        ("unexpected_sample", "VARCHAR"),
        ("evaluated_at", "TIMESTAMP"),
    ]
    rows = con.execute(
        "SELECT expectation, month, success, unexpected_count, unexpected_sample, evaluated_at "
        "FROM audit.dq_results WHERE run_id = 'run-1'"
    ).fetchall()
    assert len(rows) == len(report.results)
    stored = con.execute("SELECT DISTINCT suite FROM audit.dq_results WHERE run_id = 'run-1'").fetchall()
    assert {r[0] for r in stored} == set(SUITE_NAMES)
    for expectation, month, success, unexpected, sample, at in rows:
        assert re.fullmatch(r"expect_\w+\(.*\)", expectation)
        assert month is None or re.fullmatch(r"\d{4}-\d{2}", month)
        assert at == NOW
        parsed = json.loads(sample)
        assert isinstance(parsed, list) and len(parsed) <= SAMPLE_SIZE
        if unexpected is not None:
            assert success == (unexpected == 0) or "mostly" in expectation
            assert len(parsed) == min(unexpected, SAMPLE_SIZE)
    # Per-contractor suites carry the contractor; months follow the data (2026-08..10).
    months = {r.month for r in report.results if r.month}
    assert months == {"2026-08", "2026-09", "2026-10"}
    assert {r.contractor for r in report.results if r.suite == "ledger_vs_eoms"} == {"铁通", "天龙讯", "澄星"}
    assert all(r.contractor is None and r.month is None for r in report.results if r.suite == "device_metrics_sample")


def test_missing_ledger_snapshot_leaves_every_circuit_unlisted(demo, baseline) -> None:
    _, manifest = demo
    _, report = baseline
    [missing] = [m for m in manifest["missing_snapshots"] if m["dataset"] == "ledger"]
    results = _by_key(report, "ledger_vs_eoms")
    listed = results[(LISTED, missing["contractor"], missing["month"])]
    assert not listed.success
    assert listed.unexpected_count == listed.element_count > 0
    delivered = _by_key(report, "ledger")[
        ("expect_column_values_to_be_between(ledger_lines, 1, None)", missing["contractor"], missing["month"])
    ]
    assert not delivered.success
    # A snapshot that exists is mostly listed: the demo's drift is small.
    others = [
        r for (e, c, m), r in results.items() if e == LISTED and (c, m) != (missing["contractor"], missing["month"])
    ]
    assert len(others) == 8 and all(r.unexpected_count < r.element_count / 10 for r in others)


def test_reference_findings_name_the_offending_rows(baseline) -> None:
    con, report = baseline
    not_in_eoms = {
        r[0]
        for r in con.execute(
            "SELECT circuit_id FROM raw.tickets t WHERE NOT EXISTS "
            "(SELECT 1 FROM raw.eoms_circuits e WHERE e.circuit_id = t.circuit_id)"
        ).fetchall()
    }
    found = [
        s["circuit_id"]
        for r in report.results
        if r.suite == "tickets" and r.expectation == "expect_column_values_to_be_in_set(circuit_in_eoms, [True])"
        for s in r.unexpected_sample
    ]
    assert not_in_eoms and sorted(found) == sorted(not_in_eoms)


def test_device_metrics_are_validated_as_device_months_and_a_bounded_sample(baseline) -> None:
    con, report = baseline
    device_months, raw_rows = con.execute(
        "SELECT count(DISTINCT (device_id, date_trunc('month', collected_at))), count(*) FROM raw.device_metrics"
    ).fetchall()[0]
    per_group = [
        r
        for r in report.results
        if r.suite == "device_metrics" and r.expectation.startswith("expect_column_values_to_not_be_null(device_id)")
    ]
    assert sum(r.element_count for r in per_group) == device_months < raw_rows
    sample = [r for r in report.results if r.suite == "device_metrics_sample"]
    assert sample and all(0 < r.element_count <= SAMPLE_ROWS for r in sample)
    # Devices whose circuit is not in EOMS have no contractor: reported, not scored.
    unknown = [r for r in report.results if r.suite == "device_metrics" and r.contractor is None]
    assert unknown and all(not r.success for r in unknown if "circuit_in_eoms" in r.expectation)


def test_scores_are_the_share_of_expectations_passed(baseline) -> None:
    con, report = baseline
    scores = con.execute(
        "SELECT contractor, month, evaluated, passed, score, is_latest_run FROM marts.mart_dq_scores "
        "WHERE run_id = 'run-1'"
    ).fetchall()
    assert len(scores) == 9
    for contractor, month, evaluated, passed, score, _ in scores:
        mine = [r for r in report.results if r.contractor == contractor and r.month in (month, None)]
        assert evaluated == len(mine) and passed == sum(r.success for r in mine)
        assert score == pytest.approx(round(100.0 * passed / evaluated, 2))


def test_samples_are_deterministic_and_earlier_runs_are_kept(baseline) -> None:
    con, _ = baseline
    before = con.execute("SELECT count(*) FROM audit.dq_results WHERE run_id = 'run-1'").fetchall()[0][0]
    later = datetime(2026, 11, 26, 8, 0)
    run_suites(con, "run-2", suites=["ledger_vs_eoms", "ledger"], now=later)
    run_suites(con, "run-2", suites=["ledger_vs_eoms", "ledger"], now=later)  # a retried step replaces its rows
    assert con.execute("SELECT count(*) FROM audit.dq_results WHERE run_id = 'run-1'").fetchall()[0][0] == before
    cols = (
        'suite, expectation, "column", contractor, month, success, observed_value, element_count, '
        "unexpected_count, unexpected_percent, unexpected_sample"
    )
    again = con.execute(f"SELECT {cols} FROM audit.dq_results WHERE run_id = 'run-2' ORDER BY ALL").fetchall()
    first = con.execute(
        f"SELECT {cols} FROM audit.dq_results WHERE run_id = 'run-1' AND suite IN ('ledger_vs_eoms', 'ledger') "
        "ORDER BY ALL"
    ).fetchall()
    assert again == first
    latest = con.execute("SELECT DISTINCT run_id FROM marts.mart_dq_scores WHERE is_latest_run").fetchall()
    assert latest == [("run-2",)]


def _pick_contractor_month(report: RunReport) -> tuple[str, str]:
    """A snapshot whose listed / once / bandwidth findings fit in one sample (< 10 each)."""
    results = _by_key(report, "ledger_vs_eoms")
    groups = sorted({(c, m) for (_, c, m) in results if c and m})
    for c, m in groups:
        found = [results.get((e, c, m)) for e in (LISTED, ONCE, BANDWIDTH, EXTRA)]
        if all(r is not None and r.unexpected_count < SAMPLE_SIZE - 1 for r in found):
            return c, m
    raise AssertionError("no contractor-month with few ledger findings in the demo")


def _consistent_circuits(con: duckdb.DuckDBPyConnection, contractor: str, month: str) -> list[tuple[str, int]]:
    """Oracle, written independently of the suite: in service at month end, listed once, same bandwidth."""
    start = f"{month}-01"
    return con.execute(
        """
        WITH svc AS (
            SELECT circuit_id, bandwidth_mbps FROM raw.eoms_circuits
            WHERE contractor = ? AND activated_on <= last_day(CAST(? AS DATE))
              AND (removed_on IS NULL OR removed_on > last_day(CAST(? AS DATE)))
        ), lines AS (
            SELECT circuit_id, count(*) AS n, min(bandwidth_mbps) AS bw FROM raw.ledger
            WHERE contractor = ? AND ledger_month = CAST(? AS DATE) GROUP BY circuit_id
        )
        SELECT svc.circuit_id, svc.bandwidth_mbps FROM svc JOIN lines USING (circuit_id)
        WHERE lines.n = 1 AND lines.bw = svc.bandwidth_mbps ORDER BY svc.circuit_id LIMIT 8
        """,
        [contractor, start, start, contractor, start],
    ).fetchall()


def test_broken_ledger_fails_listed_once_and_bandwidth_for_that_contractor_month(demo, baseline, tmp_path) -> None:
    _, base = baseline
    contractor, month = _pick_contractor_month(base)
    con = _copy(demo, baseline, tmp_path)
    (deleted, _), (doubled, _), (changed, bandwidth) = _consistent_circuits(con, contractor, month)[:3]
    snapshot = "contractor = ? AND ledger_month = CAST(? AS DATE) AND circuit_id = ?"
    con.execute(f"DELETE FROM raw.ledger WHERE {snapshot}", [contractor, f"{month}-01", deleted])
    con.execute(
        f"INSERT INTO raw.ledger SELECT * REPLACE (_row + 100000 AS _row) FROM raw.ledger WHERE {snapshot}",
        [contractor, f"{month}-01", doubled],
    )
    con.execute(
        f"UPDATE raw.ledger SET bandwidth_mbps = ? WHERE {snapshot}",
        [bandwidth * 10, contractor, f"{month}-01", changed],
    )
    broken = run_suites(con, "broken", suites=["ledger_vs_eoms"], now=NOW)
    con.close()
    before, after = _by_key(base, "ledger_vs_eoms"), _by_key(broken, "ledger_vs_eoms")

    listed = after[(LISTED, contractor, month)]
    assert not listed.success
    assert listed.unexpected_count == before[(LISTED, contractor, month)].unexpected_count + 1
    assert {"circuit_id": deleted, "listed_count": 0} in listed.unexpected_sample

    once = after[(ONCE, contractor, month)]
    assert not once.success
    assert once.unexpected_count == before[(ONCE, contractor, month)].unexpected_count + 1
    [dup] = [s for s in once.unexpected_sample if s["circuit_id"] == doubled]
    assert dup["listed_count"] == 2

    bw = after[(BANDWIDTH, contractor, month)]
    assert not bw.success
    assert bw.unexpected_count == before[(BANDWIDTH, contractor, month)].unexpected_count + 1
    [wrong] = [s for s in bw.unexpected_sample if s["circuit_id"] == changed]
    assert (wrong["eoms_bandwidth_mbps"], wrong["ledger_bandwidth_mbps"]) == (bandwidth, bandwidth * 10)

    # Nothing else moved: other fields, extra lines, other contractor-months.
    for key, result in after.items():
        if key in {(LISTED, contractor, month), (ONCE, contractor, month), (BANDWIDTH, contractor, month)}:
            continue
        assert (result.success, result.unexpected_count, result.unexpected_sample) == (
            before[key].success,
            before[key].unexpected_count,
            before[key].unexpected_sample,
        ), key


def test_ledger_comparison_is_nfkc_trim_collapse_and_case_sensitive(demo, baseline, tmp_path) -> None:
    _, base = baseline
    contractor, month = _pick_contractor_month(base)
    con = _copy(demo, baseline, tmp_path)
    (same, _), (differs, _) = _consistent_circuits(con, contractor, month)[3:5]
    # EOMS says "Block A 1号"; the ledger types it full-width with odd spacing (agrees) or in lower case (does not).
    con.execute("UPDATE raw.eoms_circuits SET a_address = 'Block A 1号' WHERE circuit_id IN (?, ?)", [same, differs])
    line = "contractor = ? AND ledger_month = CAST(? AS DATE) AND circuit_id = ?"
    con.execute(
        f"UPDATE raw.ledger SET a_address = '\u3000Ｂｌｏｃｋ \u3000 Ａ  1号 ' WHERE {line}",
        [contractor, f"{month}-01", same],
    )
    con.execute(f"UPDATE raw.ledger SET a_address = 'block a 1号' WHERE {line}", [contractor, f"{month}-01", differs])
    broken = run_suites(con, "normalised", suites=["ledger_vs_eoms"], now=NOW)
    con.close()
    before = _by_key(base, "ledger_vs_eoms")[(A_ADDRESS, contractor, month)]
    after = _by_key(broken, "ledger_vs_eoms")[(A_ADDRESS, contractor, month)]
    assert after.unexpected_count == before.unexpected_count + 1
    flagged = {s["circuit_id"]: s for s in after.unexpected_sample}
    assert same not in flagged
    assert flagged[differs]["ledger_a_address"] == "block a 1号"
    assert flagged[differs]["eoms_a_address"] == "Block A 1号"


def test_in_service_means_removed_after_month_end(demo, baseline, tmp_path) -> None:
    """Edge rule 8: removed on the last day = not in service that month (its line is extra); the day after = in."""
    _, base = baseline
    contractor, month = _pick_contractor_month(base)
    con = _copy(demo, baseline, tmp_path)
    (gone, _), (kept, _) = _consistent_circuits(con, contractor, month)[5:7]
    end = f"last_day(CAST('{month}-01' AS DATE))"
    con.execute(f"UPDATE raw.eoms_circuits SET removed_on = {end}, status = '拆机' WHERE circuit_id = ?", [gone])
    con.execute(f"UPDATE raw.eoms_circuits SET removed_on = {end} + 1 WHERE circuit_id = ?", [kept])
    con.close()
    build_quality_inputs(tmp_path / "broken.duckdb")  # the in-service set is dbt's (int_circuit_months_in_service)
    con = duckdb.connect(str(tmp_path / "broken.duckdb"))
    broken = run_suites(con, "removed", suites=["ledger_vs_eoms"], now=NOW)
    con.close()
    before, after = _by_key(base, "ledger_vs_eoms"), _by_key(broken, "ledger_vs_eoms")
    assert after[(LISTED, contractor, month)].element_count == before[(LISTED, contractor, month)].element_count - 1
    extra = after[(EXTRA, contractor, month)]
    assert extra.unexpected_count == before[(EXTRA, contractor, month)].unexpected_count + 1
    [line] = [s for s in extra.unexpected_sample if s["circuit_id"] == gone]
    year, mon = map(int, month.split("-"))
    assert line["eoms_state"] == f"removed {month}-{calendar.monthrange(year, mon)[1]:02d}" and line["_file"]
    assert kept not in {s["circuit_id"] for s in extra.unexpected_sample}


def test_split_results_equal_validating_each_contractor_month_alone(baseline) -> None:
    """The stacked frame is validated once and split; GE on one contractor-month's own frame agrees."""
    con, report = baseline
    contractor, month = _pick_contractor_month(report)
    device_suite.aggregate(con)
    reference.prepare(con, NOW)
    [circuits, _] = ledger_suite.batches(None)
    frame = con.execute(circuits.sql).df()
    reference.cleanup(con)
    own = frame[(frame["contractor"] == contractor) & (frame["month"] == month)].reset_index(drop=True)
    alone = {o.check.name: o for o in gx_engine.validate(own, circuits.checks, "alone")}
    split = _by_key(report, "ledger_vs_eoms")
    for name, outcome in alone.items():
        judged = outcome.result["element_count"] - outcome.result.get("missing_count", 0)
        if judged == 0:
            assert (name, contractor, month) not in split
            continue
        mine = split[(name, contractor, month)]
        assert (mine.success, mine.unexpected_count, mine.element_count) == (
            outcome.success,
            outcome.result["unexpected_count"],
            outcome.result["element_count"],
        ), name
        assert mine.unexpected_percent == pytest.approx(outcome.result["unexpected_percent"])


def test_defining_suites_does_not_import_great_expectations() -> None:
    code = (
        "import sys, quality.catalog, quality.runner; "
        "assert 'great_expectations' not in sys.modules, 'GE imported eagerly'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_great_expectations_loads_in_the_background_and_a_validation_waits_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The dbt step starts `warm_up` (GE's import and context, ≈ 3 s) so the quality step does not
    pay for it: the thread alone builds the state; a validation that comes while it loads waits for
    it and is not disturbed."""
    import pandas as pd

    from quality import gx_engine, spec

    monkeypatch.setattr(gx_engine, "_STATE", {})  # as in a new process
    thread = gx_engine.warm_up()
    thread.join(120)
    assert not thread.is_alive() and not thread.daemon
    assert {"context", "batch_definition"} <= gx_engine._STATE.keys(), "the thread built GE's state"

    monkeypatch.setattr(gx_engine, "_STATE", {})
    thread = gx_engine.warm_up()
    [outcome] = gx_engine.validate(pd.DataFrame({"a": [1, None, 3]}), [spec.not_null("a")], "warm_up")
    thread.join(120)
    assert outcome.success is False and outcome.result["unexpected_count"] == 1


def test_great_expectations_is_imported_without_pyspark() -> None:
    """Decision 114: GE is imported with pyspark hidden, in an interpreter whose `__main__` has no
    `__file__` (`python -c`, as a pytest-xdist worker): before, pyspark.sql.connect called sys.exit(0)
    there in the middle of GE's import. It validates, pyspark is not imported, and imports afterwards."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import pandas as pd\n"
        "from quality import gx_engine, spec\n"
        "[o] = gx_engine.validate(pd.DataFrame({'a': [1, None]}), [spec.not_null('a')], 'x')\n"
        "assert o.success is False and o.result['unexpected_count'] == 1, o\n"
        "assert not [m for m in sys.modules if m.startswith(('pyspark', 'grpc'))]\n"
        "import pyspark\n"
        "print('ok', pyspark.__version__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0 and out.stdout.startswith("ok "), (out.stdout, out.stderr[-2000:])


def test_a_run_of_some_months_finds_exactly_their_results(demo: tuple[Path, dict], baseline, tmp_path: Path) -> None:
    """`months` filters the month batches by the month label and, where a batch names its month's
    column (`month_of`), by that column's range too: the results are the full run's for those months."""
    con = _copy(demo, baseline, tmp_path)
    try:
        month = sorted({r.month for r in baseline[1].results if r.suite == "tickets" and r.month})[-1]
        some = run_suites(con, "one-month", now=NOW, months={month}, store=False)
    finally:
        con.close()
    for suite in ("tickets", "inspections"):
        batch_months = {k: r for k, r in _by_key(baseline[1], suite).items() if k[2] == month}
        got = {k: r for k, r in _by_key(some, suite).items() if k[2] is not None}
        assert batch_months and got.keys() == batch_months.keys(), suite
        for k, r in got.items():
            want = batch_months[k]
            assert (r.success, r.element_count, r.unexpected_count) == (
                want.success,
                want.element_count,
                want.unexpected_count,
            ), (suite, k)
    assert months_filter("SELECT 1", {"2026-12", "2026-11"}, "d").endswith(
        "b.\"d\" >= '2026-11-01' AND b.\"d\" < '2027-01-01'"
    )


def _scan_filters(con: duckdb.DuckDBPyConnection, sql: str, table: str) -> list[str]:
    """The filters DuckDB applies in its scans of `table` (schema.name) in the plan of `sql`."""

    def walk(node: dict) -> Iterator[dict]:
        yield node
        for child in node.get("children", []):
            yield from walk(child)

    [(_kind, plan)] = con.execute("EXPLAIN (FORMAT json) " + sql).fetchall()
    return [
        str(node["extra_info"].get("Filters", ""))
        for root in json.loads(plan)
        for node in walk(root)
        if node.get("name") == "SEQ_SCAN" and str(node.get("extra_info", {}).get("Table", "")).endswith("." + table)
    ]


def test_a_run_of_some_months_reads_only_their_range_of_the_raw_rows(baseline) -> None:
    """The ticket and inspection batches join EOMS and test the roster with correlated subqueries;
    DuckDB does not push the runner's month filter below those, so a run of one month joined the
    year's rows and then kept a month (2.9 s of an added province month's 7 s of validation).
    Restricted in the FROM clause, the scan itself skips the other months (its row groups' min/max)."""
    con = baseline[0]
    [(last,)] = con.execute("SELECT strftime(max(dispatched_at), '%Y-%m') FROM raw.tickets").fetchall()
    months = [last]
    con.execute("BEGIN")
    try:
        device_suite.aggregate(con)
        some = reference.prepare(con, NOW, sample_months=months)
        every = reference.prepare(con, NOW)
        for suite, table, column in (
            (raw_suites.tickets, "tickets", "dispatched_at"),
            (raw_suites.inspections, "inspections", "inspected_at"),
        ):
            [batch_some] = [b for b in suite(some) if b.month_of]
            [batch_every] = [b for b in suite(every) if b.month_of]
            filtered = _scan_filters(con, months_filter(batch_some.sql, months, batch_some.month_of), f"raw.{table}")
            assert filtered and all(column in f and f"{last}-01" in f for f in filtered), (table, filtered)
            assert not any(_scan_filters(con, batch_every.sql, f"raw.{table}")), table
    finally:
        con.execute("ROLLBACK")


def test_the_device_sample_of_a_run_draws_from_the_months_it_loaded(demo: tuple[Path, dict], baseline) -> None:
    """Decision 107: a run that loaded some months samples those months' device metrics only (the
    year's samples are not hashed again); a manual run (months None) samples every month."""
    con = baseline[0]
    months = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT strftime(collected_at, '%Y-%m') FROM raw.device_metrics ORDER BY 1"
        ).fetchall()
    ]
    assert len(months) >= 2
    con.execute("BEGIN")
    try:
        device_suite.aggregate(con)
        contexts = {
            key: reference.prepare(con, NOW, sample_months=chosen)
            for key, chosen in (("all", None), ("last", {months[-1]}), ("none", set()))
        }
        samples = {
            key: con.execute(
                f"SELECT DISTINCT strftime(collected_at, '%Y-%m') FROM ({device_suite._sample_only(ctx)[0].sql})"
            ).fetchall()
            for key, ctx in contexts.items()
        }
        in_last = con.execute(
            "SELECT count(*) FROM raw.device_metrics WHERE strftime(collected_at, '%Y-%m') = ?", [months[-1]]
        ).fetchall()[0][0]
    finally:
        con.execute("ROLLBACK")
    assert sorted(m for (m,) in samples["all"]) == months
    assert samples["last"] == [(months[-1],)] and samples["none"] == []
    assert contexts["last"].device_metric_rows == in_last < contexts["all"].device_metric_rows
    assert contexts["last"].sample_months == (months[-1],) and contexts["all"].sample_months is None


@contextlib.contextmanager
def _every_batch(con: duckdb.DuckDBPyConnection) -> Iterator[list[tuple[str, Batch]]]:
    """Every (suite, batch) of the demo's suites, their SQL runnable on `con` inside the block
    (the run context's temporary tables are dropped after it), as `run_suites` prepares them."""
    prepare_connection(con, province="贵州")
    device_suite.aggregate(con)
    ctx = reference.prepare(con, NOW, "贵州")
    try:
        yield [(sd.name, batch) for sd in SUITES for batch in sd.suite(ctx).batches]
    finally:
        reference.cleanup(con)


def test_frames_through_arrow_are_the_frames_duckdb_gives(demo: tuple[Path, dict], baseline) -> None:
    """The suites validate `frames.fetch`'s frame: column for column the one `.df()` gives, on every
    batch of every suite and on the types Arrow converts differently (NULL in a BOOLEAN or an
    integer, DATE, DECIMAL, a VARCHAR with no value, a list)."""
    import pandas as pd

    from quality import frames

    con = baseline[0]
    with _every_batch(con) as batches:
        for _, batch in batches:
            pd.testing.assert_frame_equal(frames.fetch(con, batch.sql), con.execute(batch.sql).df(), check_exact=True)
    assert len(batches) >= len(SUITES)
    tricky = """
        SELECT * FROM (VALUES
            (1, TRUE, TRUE, 7::BIGINT, 7::INTEGER, DATE '2026-10-01', 1.25::DECIMAL(9, 2),
                NULL::VARCHAR, 'a', ['x', 'y']),
            (2, FALSE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
        ) AS t(n, flag, maybe, big, small, day, amount, nothing, text, names)
    """
    for sql in (tricky, tricky + " WHERE n = 1", tricky + " WHERE n = 3"):
        got, want = frames.fetch(con, sql), con.execute(sql).df()
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert str(frames.fetch(con, tricky)["maybe"].dtype) == "boolean"


def test_datetimes_in_nanoseconds_for_ge_change_no_outcome(demo: tuple[Path, dict], baseline, monkeypatch) -> None:
    """GE compares datetime64[ns] columns vectorised (gx_engine.for_gx): every check of every batch
    judges the same with the columns as fetched (microseconds, compared value by value)."""
    from quality import frames

    con = baseline[0]
    with _every_batch(con) as batches:
        fetched = [(name, b, frames.fetch(con, b.sql)) for name, b in batches]
    fetched = [(name, b, frame) for name, b, frame in fetched if len(frame)]

    def outcomes() -> list[tuple]:
        return [
            (name, batch.name, o.success, o.result, o.error)
            for name, batch, frame in fetched
            for o in gx_engine.validate(frame, batch.checks, name)
        ]

    converted = 0
    for _, _, frame in fetched:
        nanos = gx_engine.for_gx(frame)
        converted += sum(str(nanos[c].dtype) == "datetime64[ns]" != str(frame[c].dtype) for c in frame.columns)
    in_ns = outcomes()
    monkeypatch.setattr(gx_engine, "for_gx", lambda frame: frame)
    as_fetched = outcomes()
    assert converted >= 10  # the tickets' clocks, inspection and acceptance dates, …
    assert in_ns == as_fetched
    assert any(not row[2] for row in in_ns)  # the demo's planted faults fail some checks


def _row_by_row_groups(frame, grain):  # type: ignore[no-untyped-def]
    """The grouping as it was first written: every row's plain key, factorised."""
    import numpy as np
    import pandas as pd

    from quality.results import _plain

    if not grain:
        return np.zeros(len(frame), dtype=np.int64), [()]
    keys = pd.Series(list(zip(*[[_plain(v) for v in frame[g].tolist()] for g in grain], strict=True)), dtype=object)
    codes, uniques = pd.factorize(keys, sort=False)
    return codes.astype(np.int64), list(uniques)


def test_groups_of_a_batch_are_those_of_its_rows_plain_keys(demo: tuple[Path, dict], baseline) -> None:
    """results._group_codes (vectorised) numbers and names the same (contractor, month) groups as
    the plain key of every row would: on every batch of the demo, and on missing values of every
    kind and on distinct values that read the same."""
    from datetime import date

    import numpy as np
    import pandas as pd

    from quality import frames
    from quality.results import _group_codes

    con = baseline[0]
    with _every_batch(con) as batches:
        for name, batch in batches:
            frame = frames.fetch(con, batch.sql)
            got, want = _group_codes(frame, batch.grain), _row_by_row_groups(frame, batch.grain)
            assert np.array_equal(got[0], want[0]) and got[1] == want[1], (name, batch.name)
    odd = pd.DataFrame(
        {
            "contractor": pd.Series(["乙", None, "甲", "乙", np.nan, pd.NA, "甲"], dtype=object),
            "month": pd.Series(
                [pd.Timestamp("2026-10-01"), date(2026, 10, 1), None, "2026-10-01", pd.NaT, None, "2026-11"],
                dtype=object,
            ),
        }
    )
    got, want = _group_codes(odd, ("contractor", "month")), _row_by_row_groups(odd, ("contractor", "month"))
    assert np.array_equal(got[0], want[0]) and got[1] == want[1]
    assert got[1] == [("乙", "2026-10-01"), (None, "2026-10-01"), ("甲", None), (None, None), ("甲", "2026-11")]
    assert _group_codes(odd.iloc[:0], ("contractor",))[1] == []
