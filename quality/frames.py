"""A query's rows as the pandas frame the suites validate, through Arrow.

`con.execute(sql).df()` builds a Python object for every text cell before pandas stores it
in Arrow again (pandas 3's `str` columns are Arrow-backed): an added province month's batches
took 1.5 s to fetch that way, 1.0 s through Arrow (docs/decisions.md 109). The frame must be the
one `.df()` gives, column for column, or GE would judge other values: `to_frame` applies DuckDB's
own rules for the types Arrow converts differently (tests/test_expectations.py compares the two
on every batch of every suite):

* BOOLEAN and integer columns holding a NULL become pandas' nullable `boolean` / `Int64`
  (Arrow: object, float64); without one they stay numpy's bool / int64;
* DATE becomes datetime64[us] (Arrow: Python dates), DECIMAL becomes float64;
* a VARCHAR column with no value (every row NULL, or no row) is an object column (Arrow: `str`);
* a NULL list or struct is pandas' NA (Arrow: None).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

_NULLABLE_INTS = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
}


def _column(col: pa.ChunkedArray) -> pd.Series:
    t = col.type
    has_nulls = col.null_count > 0
    if pa.types.is_boolean(t) and has_nulls:
        return col.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get)
    if t in _NULLABLE_INTS and has_nulls:
        return col.to_pandas(types_mapper=_NULLABLE_INTS.get)
    if pa.types.is_date(t):
        return col.cast(pa.timestamp("us")).to_pandas()
    if pa.types.is_decimal(t):
        return col.cast(pa.float64()).to_pandas()
    if (pa.types.is_string(t) or pa.types.is_large_string(t)) and col.null_count == len(col):
        return pd.Series([None] * len(col), dtype=object)
    if pa.types.is_nested(t) and has_nulls:
        series = col.to_pandas()
        series[col.is_null().to_numpy(zero_copy_only=False)] = pd.NA
        return series
    return col.to_pandas()


def to_frame(table: pa.Table) -> pd.DataFrame:
    """The pandas frame `.df()` would give for the same rows (see the module's docstring)."""
    return pd.DataFrame(
        {name: _column(col) for name, col in zip(table.column_names, table.columns, strict=True)},
        columns=table.column_names,
    )


def fetch(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """The rows of `sql` on `con` as a pandas frame, the same as `con.execute(sql).df()`."""
    return to_frame(con.sql(sql).to_arrow_table())
