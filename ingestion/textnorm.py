"""Text normalisation shared by ingestion and the dbt models.

IDs and names are compared after Unicode NFKC (full-width to half-width),
trimming and, for IDs, upper-casing (kpis.md). DuckDB has no NFKC, so it is
registered as a vectorised Arrow UDF: pyarrow normalises a whole column in C++,
and a column that is pure ASCII (the device-metrics case) is returned untouched.
"""

from __future__ import annotations

import re
import unicodedata

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

# Characters trimmed around a value: ASCII whitespace, NBSP and the ideographic space.
TRIM_CHARS = " \t\r\n\f\v\u00a0\u3000"


def _nfkc(values: pa.Array) -> pa.Array:
    if len(values) == 0 or pc.all(pc.string_is_ascii(values)).as_py() is not False:
        return values
    return pc.utf8_normalize(values, "NFKC")


def _blank_to_null(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _dw_id(values: pa.Array) -> pa.Array:
    """NFKC, trimmed, upper-case; blank -> NULL. All in Arrow kernels: IDs run to 100 M rows."""
    return _blank_to_null(pc.utf8_upper(pc.utf8_trim(_nfkc(values), TRIM_CHARS)))


def _dw_name(values: pa.Array) -> pa.Array:
    """NFKC, trimmed, inner whitespace collapsed; blank -> NULL."""
    trimmed = pc.utf8_trim(_nfkc(values), TRIM_CHARS)
    return _blank_to_null(pc.replace_substring_regex(trimmed, r"\s+", " "))


def register_udfs(con: duckdb.DuckDBPyConnection) -> None:
    """Register `nfkc`, `dw_id`, `dw_name` and the `dw_trim` macro on a connection (idempotent)."""
    for name, fn in (("nfkc", _nfkc), ("dw_id_unicode", _dw_id), ("dw_name_unicode", _dw_name)):
        try:
            con.create_function(  # type: ignore[call-overload]  # the stubs miss the string enum forms
                name, fn, ["VARCHAR"], "VARCHAR", type="arrow", side_effects=False, null_handling="special"
            )
        except duckdb.Error as exc:  # already registered on this connection
            if "already" not in str(exc):
                raise
    trim = "'" + TRIM_CHARS.replace("'", "''") + "'"
    con.execute(f"CREATE OR REPLACE TEMP MACRO dw_trim(s) AS nullif(trim(s::VARCHAR, {trim}), '')")
    con.execute(
        "CREATE OR REPLACE TEMP MACRO dw_nfkc(s) AS CASE WHEN strlen(s::VARCHAR) = length(s::VARCHAR) "
        "THEN s::VARCHAR ELSE nfkc(s::VARCHAR) END"
    )
    # Pure-ASCII values (strlen in bytes = length in characters) need no NFKC: plain SQL is
    # ten times faster than a round trip through Python on 100 M device-metric rows.
    con.execute(
        "CREATE OR REPLACE TEMP MACRO dw_id(s) AS CASE WHEN strlen(s::VARCHAR) = length(s::VARCHAR) "
        "THEN upper(dw_trim(s)) ELSE dw_id_unicode(s::VARCHAR) END"
    )
    con.execute(
        "CREATE OR REPLACE TEMP MACRO dw_name(s) AS CASE WHEN strlen(s::VARCHAR) = length(s::VARCHAR) "
        "THEN regexp_replace(dw_trim(s), '\\s+', ' ', 'g') ELSE dw_name_unicode(s::VARCHAR) END"
    )


def normalize_id(value: str | None) -> str | None:
    """The Python twin of `dw_id`, for single values (headers, CLI arguments, tests)."""
    if value is None:
        return None
    out = unicodedata.normalize("NFKC", value).strip(TRIM_CHARS).upper()
    return out or None


def normalize_name(value: str | None) -> str | None:
    """The Python twin of `dw_name`: NFKC, trimmed, inner whitespace collapsed."""
    if value is None:
        return None
    out = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value).strip(TRIM_CHARS))
    return out or None
