"""One reference table per list, every province's rows in it: a run reads its own province's.

The seeds name Guizhou, Ningxia and Qinghai (first column `province`). The loader, the
data-quality suites, the demo generator and the settlement model read the rows of the
run's province (`daiwei run --province`, $DAIWEI_PROVINCE, default 贵州), so a prefecture,
county or contractor of another province is unknown in a run. The end-to-end test builds a
Ningxia warehouse from a Ningxia demo delivery through the real `daiwei run`.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from cli.main import main
from cli.runner import resources_config
from core.seeds import SEEDS_DIR
from demo_data.common import load_reference
from ingestion.loader import REFERENCE_DIR, UnknownProvince, load_file, plan_files, prepare_connection
from orchestration.resources import WarehouseResource
from tests.conftest import TICKET_HEADER, ticket, write_csv

# The real prefectures (in their official order) and counties of the two provinces added to Guizhou.
NINGXIA = {
    "银川市": "兴庆区 西夏区 金凤区 永宁县 贺兰县 灵武市",
    "石嘴山市": "大武口区 惠农区 平罗县",
    "吴忠市": "利通区 红寺堡区 盐池县 同心县 青铜峡市",
    "固原市": "原州区 西吉县 隆德县 泾源县 彭阳县",
    "中卫市": "沙坡头区 中宁县 海原县",
}
QINGHAI = {
    "西宁市": "城东区 城中区 城西区 城北区 湟中区 大通回族土族自治县 湟源县",
    "海东市": "乐都区 平安区 民和回族土族自治县 互助土族自治县 化隆回族自治县 循化撒拉族自治县",
    "海北州": "门源回族自治县 祁连县 海晏县 刚察县",
    "黄南州": "同仁市 尖扎县 泽库县 河南蒙古族自治县",
    "海南州": "共和县 同德县 贵德县 兴海县 贵南县",
    "果洛州": "玛沁县 班玛县 甘德县 达日县 久治县 玛多县",
    "玉树州": "玉树市 杂多县 称多县 治多县 囊谦县 曲麻莱县",
    "海西州": "格尔木市 德令哈市 茫崖市 乌兰县 都兰县 天峻县",
}
CONTRACTORS = {
    "贵州": ("铁通", "天龙讯", "澄星"),
    "宁夏": ("铁通", "中通服", "润建"),
    "青海": ("铁通", "中通服", "海华"),
}


def _seed(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / f"{name}.csv", encoding="utf-8-sig", newline="") as f:
        return [{k: v.strip() for k, v in r.items()} for r in csv.DictReader(f)]


# --- the seeds ------------------------------------------------------------------------------------


def test_each_province_has_its_real_prefectures_and_counties_numbered_from_one() -> None:
    prefectures: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for r in _seed("ref_prefectures"):
        prefectures[r["province"]].append((int(r["prefecture_no"]), r["prefecture"]))
    counties: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in _seed("ref_counties"):
        counties[(r["province"], r["prefecture"])].append(r["county"])
    assert list(prefectures) == ["贵州", "宁夏", "青海"]
    for province, numbered in prefectures.items():
        assert sorted(n for n, _ in numbered) == list(range(1, len(numbered) + 1)), province
        names = {p for _, p in numbered}
        assert {p for (prov, p) in counties if prov == province} == names, province  # each has counties, no stray
    assert len(prefectures["贵州"]) == 9
    for province, expected in (("宁夏", NINGXIA), ("青海", QINGHAI)):
        assert [p for _, p in sorted(prefectures[province])] == list(expected)
        assert {p: counties[(province, p)] for p in expected} == {p: cs.split() for p, cs in expected.items()}


def test_contractors_per_province_each_with_a_prefecture_and_a_base_fee() -> None:
    listed: dict[str, list[str]] = defaultdict(list)
    for r in _seed("ref_contractors"):
        listed[r["province"]].append(r["contractor"])
    assert {p: tuple(cs) for p, cs in listed.items()} == CONTRACTORS
    prefectures = {(r["province"], r["prefecture"]) for r in _seed("ref_prefectures")}
    assigned: dict[str, list[str]] = defaultdict(list)
    covered = set()
    for r in _seed("ref_contractor_prefectures"):
        assert (r["province"], r["prefecture"]) in prefectures, r
        assert (r["province"], r["prefecture"]) not in covered, r  # one contractor per prefecture
        covered.add((r["province"], r["prefecture"]))
        if r["contractor"] not in assigned[r["province"]]:
            assigned[r["province"]].append(r["contractor"])
    # every prefecture maintained; the contractors in the order of the list, 铁通 first (demo profile 0)
    assert covered == prefectures
    assert {p: tuple(cs) for p, cs in assigned.items()} == CONTRACTORS
    with open(SEEDS_DIR / "settlement" / "contractor_base_fees.csv", encoding="utf-8", newline="") as f:
        fees = {(r["province"], r["contractor"]) for r in csv.DictReader(f)}
    assert fees == {(p, c) for p, cs in CONTRACTORS.items() for c in cs}


# --- the loader -----------------------------------------------------------------------------------


def test_the_loader_knows_only_the_runs_province(tmp_path: Path, wh) -> None:
    rows = [
        ticket("N-1", 地市="银川市", 区县="兴庆区", 代维公司="润建"),
        ticket("N-2", 地市="中卫市", 区县="海原县", 代维公司="铁通"),  # 铁通 works in every province
        ticket("N-3", 地市="贵阳市", 区县="清镇市", 代维公司="铁通"),  # Guizhou's prefecture
        ticket("N-4", 地市="银川市", 区县="兴庆区", 代维公司="天龙讯"),  # Guizhou's contractor
        ticket("N-5", 地市="银川市", 区县="城东区", 代维公司="中通服"),  # a county of Qinghai
        ticket("N-6", 地市="西宁市", 区县="城东区", 代维公司="海华"),  # all Qinghai
    ]
    write_csv(tmp_path / "in" / "tickets_a.csv", [TICKET_HEADER, *rows])
    prepare_connection(wh.con, province="宁夏")
    [pf] = plan_files(wh.con, tmp_path / "in")
    res = load_file(wh.con, pf, "run")
    assert (res.rows_read, res.rows_loaded, res.rows_rejected) == (6, 2, 4), res
    assert wh.rows("SELECT ticket_id FROM raw.tickets ORDER BY ticket_id") == [("N-1",), ("N-2",)]
    reasons = dict(wh.rows("SELECT row, reason FROM audit.rejects ORDER BY row"))
    assert reasons[4].startswith("未知地市 / unknown prefecture")
    assert reasons[5].startswith("未知代维公司 / unknown contractor")
    assert reasons[6].startswith("区县不属于该地市 / county is not in its prefecture")
    assert reasons[7].startswith("未知")

    # the same file in a Guizhou run: only the Guizhou row and 铁通 pass
    prepare_connection(wh.con)  # default: 贵州
    assert wh.rows("SELECT count(*) FROM ref_prefectures") == [(9,)]
    assert wh.rows("SELECT contractor FROM ref_contractors ORDER BY contractor") == [("天龙讯",), ("澄星",), ("铁通",)]


def test_a_province_without_reference_rows_is_refused(wh) -> None:
    with pytest.raises(UnknownProvince, match="四川"):
        prepare_connection(wh.con, province="四川")
    with pytest.raises(UnknownProvince, match="四川"):
        load_reference(province="四川")


def test_the_province_travels_with_the_warehouse_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    config = resources_config(Path("/tmp/w.duckdb"), province="青海")
    assert config["warehouse"]["config"] == {"path": "/tmp/w.duckdb", "province": "青海"}
    assert "province" not in resources_config(Path("/tmp/w.duckdb"))["warehouse"]["config"]
    assert WarehouseResource(province=" 宁夏 ").get_province() == "宁夏"
    monkeypatch.setenv("DAIWEI_PROVINCE", "青海")  # unset field: the environment's setting, as Settings reads it
    assert WarehouseResource().get_province() == "青海"
    monkeypatch.delenv("DAIWEI_PROVINCE")
    assert WarehouseResource().get_province() == "贵州"


# --- the CLI --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["demo-data", "run"])
def test_cli_unknown_province_is_a_usage_error(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DAIWEI_PROVINCE", raising=False)
    (tmp_path / "in").mkdir()
    where = ["--out", str(tmp_path / "out")] if command == "demo-data" else ["--input", str(tmp_path / "in")]
    argv = [command, *where, "--warehouse", str(tmp_path / "w.duckdb")]
    assert main([*argv, "--province", "四川"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "四川" in err and "宁夏" in err, err
    assert main([*argv, "--province", "a/b"]) == 2  # not a province name at all (Settings)
    assert "bad province name" in capsys.readouterr().err
    monkeypatch.setenv("DAIWEI_PROVINCE", "四川")  # the default comes from the environment, checked the same way
    assert main(argv) == 2
    assert not (tmp_path / "out").exists() and not (tmp_path / "w.duckdb").exists()


def test_cli_help_names_the_province_option(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("demo-data", "run"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = capsys.readouterr().out
        assert "--province NAME" in out and "省份名称" in out and "$DAIWEI_PROVINCE" in out, out


# --- a Ningxia delivery, end to end ---------------------------------------------------------------


@pytest.fixture(scope="module")
def ningxia(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A Ningxia demo delivery (another seed than the Guizhou demo's), loaded by `daiwei run --province 宁夏`."""
    root = tmp_path_factory.mktemp("ningxia")
    cli = [sys.executable, "-m", "cli.main"]
    demo = subprocess.run(
        [*cli, "demo-data", "--out", str(root / "in"), "--seed", "11", "--province", "宁夏"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert demo.returncode == 0, demo.stderr
    manifest = json.loads((root / "in.manifest.json").read_text(encoding="utf-8"))
    wh = root / "warehouse.duckdb"
    run = subprocess.run(
        [*cli, "run", "--input", str(root / "in"), "--warehouse", str(wh), "--province", "宁夏"]
        + ["--app-db", f"sqlite:///{root / 'app.db'}"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return {"root": root, "manifest": manifest, "wh": wh, "run": run, "demo": demo}


def _cells(root: Path, entry: dict, headers: tuple[str, ...]) -> set[str]:
    """The values of the first of `headers` present in a CSV file of the delivery."""
    text = (root / entry["path"]).read_bytes().decode(entry["encoding"]).lstrip("\ufeff")
    rows = list(csv.reader(text.splitlines()))
    cols = [i for i, h in enumerate(rows[0]) if h.strip() in headers]
    return {r[cols[0]].strip() for r in rows[1:] if cols and len(r) > cols[0]}


@pytest.mark.slow
def test_ningxia_demo_names_ningxia_only(ningxia: dict) -> None:
    manifest, root = ningxia["manifest"], ningxia["root"] / "in"
    assert (manifest["province"], manifest["seed"], manifest["contractors"]) == ("宁夏", 11, list(CONTRACTORS["宁夏"]))
    assert "宁夏" in ningxia["demo"].stdout
    planted = {b["file"] for b in manifest["bad_rows"] if b["kind"] == "unknown_prefecture"}
    seen_prefectures: set[str] = set()
    seen_contractors: set[str] = set()
    for entry in manifest["files"]:
        if entry["format"] != "csv" or entry["path"] in planted or not entry.get("dataset"):
            continue
        seen_prefectures |= _cells(root, entry, ("地市", "所属地市"))
        seen_contractors |= _cells(root, entry, ("代维公司", "代维单位", "代维厂家"))
    assert seen_prefectures - {""} == set(NINGXIA)
    assert seen_contractors - {""} <= set(CONTRACTORS["宁夏"]) and len(seen_contractors - {""}) == 3


@pytest.mark.slow
def test_ningxia_run_loads_every_good_row_and_builds(ningxia: dict) -> None:
    run, manifest = ningxia["run"], ningxia["manifest"]
    assert run.returncode in (0, 1), run.stderr  # 1: the demo's files rejected whole, on purpose
    assert "Traceback" not in run.stdout + run.stderr
    # no dbt test failed: the only failed checks are the data-quality warnings (all listed when ≤ 10)
    lines = run.stdout.splitlines()
    heading = [i for i, ln in enumerate(lines) if ln.startswith("数据质量警告")]
    failed = [ln.strip() for ln in lines[heading[0] + 1 :] if ln.startswith("  ")] if heading else []
    assert len(failed) < 10 and all(c.startswith("data_quality:") for c in failed), run.stdout
    con = duckdb.connect(str(ningxia["wh"]), read_only=True)
    try:
        rejected = con.execute(
            "SELECT l.file, r.row FROM audit.rejects r JOIN audit.load_log l USING (load_seq)"
        ).fetchall()
        # exactly the planted bad rows: no prefecture, county or contractor of Ningxia is unknown
        assert sorted(rejected) == sorted((b["file"], b["row"]) for b in manifest["bad_rows"])
        assert con.execute("SELECT count(*) FROM raw.eoms_circuits").fetchall()[0][0] > 0
        contractors = {r[0] for r in con.execute("SELECT DISTINCT contractor FROM marts.fct_kpi").fetchall()}
        assert contractors - {""} == set(CONTRACTORS["宁夏"])
        prefectures = {r[0] for r in con.execute("SELECT DISTINCT prefecture FROM marts.fct_kpi").fetchall()}
        assert prefectures - {""} == set(NINGXIA)
        # the settlement prices Ningxia's contracts (dbt var daiwei_province), not 铁通's in Guizhou
        fees = dict(
            con.execute(
                "SELECT DISTINCT contractor, base_fee_yuan FROM marts.mart_settlement WHERE period_kind = 'month'"
            ).fetchall()
        )
        expected = dict(
            con.execute(
                "SELECT contractor, monthly_base_fee_yuan FROM ref.contractor_base_fees WHERE province = '宁夏'"
            ).fetchall()
        )
        assert fees == expected and fees["铁通"] != 380000
        # the pack goes to Ningxia's recipients only: no 贵州 address, every contractor one of Ningxia's
        recipients = con.execute("SELECT email, contractor FROM marts.dim_pack_recipients").fetchall()
        assert recipients and all("-nx" in email for email, _ in recipients)
        assert {c for _, c in recipients if c} == set(CONTRACTORS["宁夏"])
        # the data-quality suites check against Ningxia's prefectures and counties: nothing flagged there
        checks = con.execute(
            "SELECT expectation, bool_and(success) FROM audit.dq_results WHERE expectation LIKE "
            "'expect_column_values_to_be_in_set(prefecture,%' OR expectation LIKE '%county_in_prefecture%' "
            "GROUP BY expectation"
        ).fetchall()
        assert dict(checks) == {
            "expect_column_values_to_be_in_set(prefecture, [银川市, 石嘴山市, 吴忠市, 固原市, 中卫市])": True,
            "expect_column_values_to_be_in_set(county_in_prefecture, [True])": True,
        }
    finally:
        con.close()


@pytest.mark.slow
def test_a_warehouse_keeps_its_province(ningxia: dict) -> None:
    """The first run records 宁夏 (audit.warehouse_province); a 贵州 run into it is refused before anything
    loads, in one line (exit 2), and the published warehouse is unchanged."""
    wh = ningxia["wh"]
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT province FROM audit.warehouse_province").fetchall() == [("宁夏",)]
        before = con.execute("SELECT count(*), max(load_seq) FROM audit.load_log").fetchone()
    root = ningxia["root"]
    run = subprocess.run(
        [sys.executable, "-m", "cli.main", "run", "--input", str(root / "in"), "--warehouse", str(wh)]
        + ["--province", "贵州", "--app-db", f"sqlite:///{root / 'app.db'}"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 2 and len(lines) == 1 and "宁夏" in lines[0] and "贵州" in lines[0], run.stderr
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*), max(load_seq) FROM audit.load_log").fetchone() == before


def test_the_run_asset_refuses_another_province(tmp_path: Path) -> None:
    """The check in the Dagster asset itself (a schedule or the UI run without the CLI's pre-check)."""
    from ingestion.loader import WrongProvince, claim_province, prepare_connection, recorded_province

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        prepare_connection(con, province="青海")
        assert recorded_province(con) is None
        claim_province(con, "青海")
        claim_province(con, "青海")  # the same province again: nothing to say
        assert recorded_province(con) == "青海"
        with pytest.raises(WrongProvince, match=r"青海.*宁夏"):
            claim_province(con, "宁夏")
        assert con.execute("SELECT count(*) FROM audit.warehouse_province").fetchone() == (1,)
    finally:
        con.close()
