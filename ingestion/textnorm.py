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


def register_udfs(con: duckdb.DuckDBPyConnection) -> None:
    """Register `nfkc(s)` and the `dw_*` text macros on a connection (idempotent)."""
    try:
        con.create_function("nfkc", _nfkc, ["VARCHAR"], "VARCHAR", type="arrow", side_effects=False)
    except duckdb.Error as exc:  # already registered on this connection
        if "already" not in str(exc):
            raise
    trim = "'" + TRIM_CHARS.replace("'", "''") + "'"
    con.execute(f"CREATE OR REPLACE TEMP MACRO dw_trim(s) AS nullif(trim(s::VARCHAR, {trim}), '')")
    con.execute("CREATE OR REPLACE TEMP MACRO dw_id(s) AS upper(dw_trim(nfkc(s::VARCHAR)))")
    con.execute(
        "CREATE OR REPLACE TEMP MACRO dw_name(s) AS "
        "regexp_replace(dw_trim(nfkc(s::VARCHAR)), '\\s+', ' ', 'g')"
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
