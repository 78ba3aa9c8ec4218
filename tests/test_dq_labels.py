"""Every data-quality check the suites define reads as a sentence, in Chinese and in English, with no code in it.

The suites are built offline (a RunContext written here, no warehouse), and each
check is rendered from the name and columns quality/spec.py gives it: the exact
strings `audit.dq_results` holds. A new check whose column has no label fails
here before it reaches the 台帐核查 page.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from core.seeds import ledger_fields
from quality.catalog import SUITE_NAMES, SUITES
from quality.reference import RunContext
from quality.spec import Check
from reporting.dq_labels import check_text, column_label, is_labelled, suite_name
from reporting.i18n import language

CODE = re.compile(r"[a-z]+_[a-z_]+")
CJK = re.compile(r"[\u4e00-\u9fff]")

# Every optional check switched on (the contractor assignment), several prefectures for the value sets.
CTX = RunContext(
    now=datetime(2026, 3, 15, 9, 30),
    months=("2026-01", "2026-02"),
    prefectures=("贵阳市", "六盘水市", "安顺市", "遵义市", "毕节市", "铜仁市", "黔南州", "黔西南州", "黔东南州"),
    has_contractor_assignment=True,
    device_metric_rows=1_000_000,
    assessed_ping_size=1472,
)


def _checks() -> list[tuple[str, Check]]:
    return [(sd.name, c) for sd in SUITES for b in sd.suite(CTX).batches for c in b.checks]


ALL_CHECKS = _checks()


def _readable(text: str, lang: str) -> None:
    assert text.strip(), "empty text"
    assert not CODE.search(text), f"code in {text!r}"
    assert "None" not in text, f"None in {text!r}"
    assert "expect" not in text, f"expectation type in {text!r}"
    if lang == "zh":
        assert CJK.search(text), f"no Chinese in {text!r}"


def test_every_suite_is_built() -> None:
    assert {s for s, _ in ALL_CHECKS} == set(SUITE_NAMES)
    assert len(ALL_CHECKS) > 150


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_check_reads_as_text(lang: str) -> None:
    with language(lang):
        for suite, check in ALL_CHECKS:
            for text in (check_text(check.name, check.column, suite=suite), check_text(check.name, check.column)):
                _readable(text, lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_checked_column_has_its_own_label(lang: str) -> None:
    """The generic fallback also reads as text, so the check above alone would not catch a missing label."""
    columns = {(suite, col) for suite, check in ALL_CHECKS for col in check.domain}
    missing = sorted((s, c) for s, c in columns if not is_labelled(c, suite=s))
    assert not missing
    with language(lang):
        for suite, col in columns:
            _readable(column_label(col, suite=suite), lang)


def test_every_check_has_its_own_sentence() -> None:
    """No check of the suites falls back to the generic "数据检查"."""
    generic = [c.name for s, c in ALL_CHECKS if check_text(c.name, c.column, suite=s).startswith("数据检查")]
    assert not generic


def test_checks_differ() -> None:
    """Two checks of one suite never read the same (a reader must tell ≥ 1 from ≤ 1)."""
    seen: dict[tuple[str, str], str] = {}
    for suite, check in ALL_CHECKS:
        text = check_text(check.name, check.column, suite=suite)
        assert seen.setdefault((suite, text), check.name) == check.name, text


ZH = [
    ("expect_column_values_to_be_between(listed_count, 1, None)", "listed_count", "台帐列出次数 ≥ 1"),
    ("expect_column_values_to_be_between(listed_count, None, 1)", "listed_count", "台帐列出次数 ≤ 1"),
    ("expect_column_values_to_be_in_set(bandwidth_mbps_agrees, [True])", "bandwidth_mbps_agrees", "带宽(M)与EOMS一致"),
    ("expect_column_values_to_not_be_null(dispatched_at)", "dispatched_at", "派单时间不为空"),
    (
        "expect_column_pair_values_a_to_be_greater_than_b(acknowledged_at, dispatched_at, or_equal=True)",
        "acknowledged_at,dispatched_at",
        "接单时间不早于派单时间",
    ),
    (
        "expect_column_pair_values_a_to_be_greater_than_b(acknowledged_at, dispatched_at)",
        "acknowledged_at,dispatched_at",
        "接单时间晚于派单时间",
    ),
    (
        "expect_column_pair_values_a_to_be_greater_than_b(work_years, core_network_years, or_equal=True)",
        "work_years,core_network_years",
        "相关工作年限 ≥ 核心网维护年限",
    ),
    (
        "expect_compound_columns_to_be_unique(ledger_month, contractor, circuit_id)",
        "ledger_month,contractor,circuit_id",
        "台帐月份 + 代维公司 + 专线编号 组合唯一",
    ),
    ("expect_column_values_to_match_regex(ip_address, IPV4)", "ip_address", "IP地址格式为 IPv4"),
    ("expect_column_values_to_be_unique(ticket_id)", "ticket_id", "工单编号唯一"),
    (
        "expect_column_values_to_be_between(dispatched_at, 2000-01-01, now+1d)",
        "dispatched_at",
        "派单时间在 2000-01-01 至 明天 之间",
    ),
    (
        "expect_column_values_to_be_between(calibration_due, now-5y, now+3y)",
        "calibration_due",
        "校准有效期在 5年前 至 3年后 之间",
    ),
    (
        "expect_column_values_to_be_between(samples_without_circuit, 0, 0)",
        "samples_without_circuit",
        "未填专线的采样数 = 0",
    ),
    ("expect_column_values_to_be_between(hourly_coverage, 0.9, None)", "hourly_coverage", "逐小时采样覆盖率 ≥ 90%"),
    (
        "expect_column_values_to_be_in_set(ping_size_bytes, [1472], mostly=0.9)",
        "ping_size_bytes",
        "Ping包长(字节)为 1472（至少 90% 的行）",
    ),
    (
        "expect_column_values_to_be_in_set(ticket_type, [故障, 投诉, 开通, 按需])",
        "ticket_type",
        "工单类型为 故障、投诉、开通、按需 之一",
    ),
    ("expect_column_values_to_be_in_set(circuit_in_eoms, [True])", "circuit_in_eoms", "专线在EOMS中存在"),
]


@pytest.mark.parametrize(("expectation", "column", "expected"), ZH)
def test_chinese_examples(expectation: str, column: str, expected: str) -> None:
    with language("zh"):
        assert check_text(expectation, column) == expected


EN = [
    ("expect_column_values_to_be_between(listed_count, 1, None)", "listed_count", "Times listed in the ledger ≥ 1"),
    (
        "expect_column_values_to_be_in_set(bandwidth_mbps_agrees, [True])",
        "bandwidth_mbps_agrees",
        "Bandwidth (M) agrees with EOMS",
    ),
    ("expect_column_values_to_not_be_null(dispatched_at)", "dispatched_at", "Dispatch time is not blank"),
    (
        "expect_column_pair_values_a_to_be_greater_than_b(acknowledged_at, dispatched_at, or_equal=True)",
        "acknowledged_at,dispatched_at",
        "Acknowledgement time not before dispatch time",
    ),
    (
        "expect_compound_columns_to_be_unique(ledger_month, contractor, circuit_id)",
        "ledger_month,contractor,circuit_id",
        "Ledger month + contractor + circuit ID unique together",
    ),
    ("expect_column_values_to_match_regex(ip_address, IPV4)", "ip_address", "IP address format: IPv4"),
    (
        "expect_column_values_to_be_between(dispatched_at, 2000-01-01, now+1d)",
        "dispatched_at",
        "Dispatch time between 2000-01-01 and tomorrow",
    ),
]


@pytest.mark.parametrize(("expectation", "column", "expected"), EN)
def test_english_examples(expectation: str, column: str, expected: str) -> None:
    with language("en"):
        assert check_text(expectation, column) == expected


def test_suite_wording_of_shared_columns() -> None:
    with language("zh"):
        assert check_text("expect_column_values_to_not_be_null(status)", "status", suite="tickets") == "工单状态不为空"
        assert (
            check_text("expect_column_values_to_not_be_null(result)", "result", suite="acceptance") == "验收结果不为空"
        )
        assert check_text("expect_column_values_to_not_be_null(status)", "status") == "状态不为空"


def test_agreement_labels_follow_the_ledger_fields_seed() -> None:
    for f in ledger_fields():
        name = f"expect_column_values_to_be_in_set({f.name}_agrees, [True])"
        with language("zh"):
            assert check_text(name, f"{f.name}_agrees") == f"{f.label_zh}与EOMS一致"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    ("expectation", "column"),
    [
        ("expect_table_row_count_to_equal(12)", None),
        ("expect_column_values_to_be_dateutil_parseable(brand_new_column)", "brand_new_column"),
        ("expect_column_values_to_be_between(brand_new_column, 1, None)", "brand_new_column"),
        ("expect_column_kl_divergence_to_be_less_than(listed_count, partition_object=x)", "listed_count"),
        ("not an expectation at all", None),
        ("", None),
    ],
)
def test_unknown_checks_still_read_as_text(lang: str, expectation: str, column: str | None) -> None:
    with language(lang):
        _readable(check_text(expectation, column), lang)


def test_unknown_type_keeps_a_known_column() -> None:
    with language("zh"):
        text = check_text("expect_column_kl_divergence_to_be_less_than(listed_count, threshold=0.1)", "listed_count")
    assert text == "数据检查：台帐列出次数"


@pytest.mark.parametrize("suite", SUITE_NAMES)
def test_every_suite_has_a_name(suite: str) -> None:
    with language("zh"):
        zh = suite_name(suite)
    with language("en"):
        en = suite_name(suite)
    _readable(zh, "zh")
    _readable(en, "en")
    assert zh != en


def test_suite_names() -> None:
    with language("zh"):
        assert suite_name("tickets") == "工单"
        assert suite_name("ledger_vs_eoms") == "台帐与EOMS核对"
        assert suite_name("device_metrics_sample") == "设备性能抽样"
        _readable(suite_name("some_future_suite"), "zh")
    with language("en"):
        _readable(suite_name("some_future_suite"), "en")
