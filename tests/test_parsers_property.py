"""Property-based tests of the SQL parsers: timestamps, IDs and yes/no, against their definitions."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingestion.parsers import NO, YES, timestamp_sql, yesno_sql
from ingestion.textnorm import TRIM_CHARS, normalize_id, register_udfs


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    register_udfs(c)
    yield c
    c.close()


def _ts(con, text: str, excel: bool = False):
    return con.execute(f"SELECT {timestamp_sql('t', excel)} FROM (SELECT dw_trim(nfkc(?)) AS t)", [text]).fetchall()[0][
        0
    ]


FORMATS = [
    lambda d: d.strftime("%Y-%m-%d %H:%M:%S"),
    lambda d: d.strftime("%Y-%m-%d %H:%M"),
    lambda d: f"{d.year}/{d.month}/{d.day} {d.hour:02d}:{d.minute:02d}",
    lambda d: f"{d.year}/{d.month}/{d.day} {d.hour}:{d.minute:02d}",
    lambda d: d.strftime("%Y/%m/%d %H:%M:%S"),
]
minutes = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


@settings(max_examples=150, deadline=None)
@given(d=minutes, fmt=st.sampled_from(range(len(FORMATS))), pad=st.sampled_from(["", " ", "\u3000", "\t"]))
def test_every_timestamp_format_round_trips(con, d: dt.datetime, fmt: int, pad: str) -> None:
    assert _ts(con, pad + FORMATS[fmt](d) + pad) == d


@settings(max_examples=150, deadline=None)
@given(d=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2099, 12, 31)))
def test_excel_serial_round_trips_to_the_second(con, d: dt.datetime) -> None:
    d = d.replace(microsecond=0)
    serial = (d - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    assert _ts(con, repr(serial), excel=True) == d
    assert _ts(con, repr(serial), excel=False) is None  # a bare number in a CSV is not a date


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=25))
def test_timestamp_parser_never_raises_and_only_accepts_plausible_times(con, text: str) -> None:
    got = _ts(con, text)
    assert got is None or dt.datetime(1990, 1, 1) <= got < dt.datetime(2100, 1, 1)


# IDs are ASCII letters, digits and punctuation, in half or full width, sometimes with Chinese
# and stray spaces. (Case mapping of other scripts differs between DuckDB and Python, e.g. ß,
# and no export uses it in an ID.)
id_text = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0x20, 0x7F)]
        + [chr(c) for c in range(0xFF01, 0xFF5F)]
        + list("贵阳遵义专线\u3000\t\u00a0")
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(text=id_text)
def test_sql_id_normalisation_equals_its_python_twin(con, text: str) -> None:
    assert con.execute("SELECT dw_id(?)", [text]).fetchall()[0][0] == normalize_id(text)


ascii_ids = st.from_regex(r"[A-Za-z]{2}-[A-Za-z]{2}-[0-9]{6}", fullmatch=True)


@settings(max_examples=100, deadline=None)
@given(ident=ascii_ids, pad=st.sampled_from(["", " ", "\u3000 "]))
def test_fullwidth_and_case_variants_of_an_id_normalise_alike(ident: str, pad: str) -> None:
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in ident)
    want = ident.upper()
    assert normalize_id(pad + fullwidth + pad) == want
    assert normalize_id(ident.lower()) == want
    assert normalize_id(normalize_id(fullwidth)) == want  # idempotent


def _yesno(con, text: str):
    return con.execute(f"SELECT {yesno_sql('t')} FROM (SELECT dw_trim(nfkc(?)) AS t)", [text]).fetchall()[0][0]


@settings(max_examples=100, deadline=None)
@given(token=st.sampled_from(YES + NO), lower=st.booleans(), pad=st.sampled_from(["", " ", "\u3000"]))
def test_yes_no_tokens_in_any_case_and_padding(con, token: str, lower: bool, pad: str) -> None:
    text = pad + (token.lower() if lower else token) + pad
    assert _yesno(con, text) is (token in YES)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=8))
def test_anything_else_is_not_a_yes_no(con, text: str) -> None:
    norm = normalize_id(text) or ""
    got = _yesno(con, text)
    if norm in YES:
        assert got is True
    elif norm in NO:
        assert got is False
    else:
        assert got is None


def test_trim_chars_cover_ideographic_space() -> None:
    assert "\u3000" in TRIM_CHARS
