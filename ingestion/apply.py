"""Applying a file's good rows: the ordering rule of source-exports.md.

Files are applied in lexicographic order of their relative path, rows top to
bottom, and the last row applied for a natural key wins; a later file holding
a (month, contractor) snapshot replaces it whole. Because every raw row keeps
its (file, load sequence, row), "last applied" is computed, not remembered: a
file that arrives late but sorts earlier loses to the one already loaded, which
is exactly what applying everything in order would have given.
"""

from __future__ import annotations

import duckdb

from ingestion.model import Apply, Dataset

ORDER = "_file DESC, _load_seq DESC"


def _cols(names: tuple[str, ...]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    """The one integer `sql` returns (a count, a maximum, an INSERT's row count); 0 for NULL or no row."""
    row = con.execute(sql, params).fetchall()
    return int(row[0][0]) if row and row[0][0] is not None else 0


def _key_bounds(con: duckdb.DuckDBPyConnection, t: str, names: tuple[str, ...], seq: int) -> tuple[str, list[object]]:
    """A filter that every earlier row sharing a key with load `seq` passes: each key column between
    the load's min and max. It lets DuckDB skip old row groups by their min/max (a year of device
    metrics against the month just loaded) before any join; a key column that is NULL on every new
    row matches nothing (NULL keys never match, as in the joins below)."""
    aggs = ", ".join(f"min({c}), max({c})" for c in (f'"{n}"' for n in names))
    row = con.execute(f"SELECT {aggs} FROM {t} WHERE _load_seq = {seq}").fetchall()[0]
    parts: list[str] = []
    params: list[object] = []
    for i, n in enumerate(names):
        lo, hi = row[2 * i], row[2 * i + 1]
        if lo is None:
            return "FALSE", []
        parts.append(f'"{n}" BETWEEN ? AND ?')
        params += [lo, hi]
    return " AND ".join(parts), params


def keep_last_per_key(con: duckdb.DuckDBPyConnection, ds: Dataset, seq: int) -> int:
    """Delete rows superseded by (or superseding) the rows of load `seq`; returns rows deleted."""
    if not ds.key:
        return 0
    # Inside a snapshot dataset a key is unique per snapshot, not across contractors.
    names = ds.key if ds.apply is Apply.ENTITY else tuple(dict.fromkeys((*ds.snapshot, *ds.key)))
    key = _cols(names)
    t = ds.table
    # Equal keys have equal hashes: grouping one 64-bit hash is the cheap proof that a file has no
    # duplicate keys (a collision only sends us down the exact path below, which is always correct).
    dup_inside = scalar(con, f"SELECT count(*) - count(DISTINCT hash({key})) FROM {t} WHERE _load_seq = {seq}")
    has_others = scalar(con, f"SELECT count(*) FROM (SELECT 1 FROM {t} WHERE _load_seq <> {seq} LIMIT 1)")
    bounds, params = _key_bounds(con, t, names, seq) if has_others else ("FALSE", [])
    in_range = has_others and scalar(
        con, f"SELECT count(*) FROM (SELECT 1 FROM {t} WHERE _load_seq <> {seq} AND {bounds} LIMIT 1)", params
    )
    overlap = in_range and scalar(
        con,
        f"SELECT count(*) FROM (SELECT 1 FROM {t} a SEMI JOIN (SELECT {key} FROM {t} WHERE _load_seq = {seq}) b "
        f"USING ({key}) WHERE a._load_seq <> {seq} AND {bounds} LIMIT 1)",
        params,
    )
    if not dup_inside and not overlap:
        return 0
    before = scalar(con, f"SELECT count(*) FROM {t}")
    con.execute(
        f"DELETE FROM {t} WHERE rowid IN (SELECT rid FROM ("
        f"SELECT a.rowid AS rid, row_number() OVER (PARTITION BY {key} ORDER BY {ORDER}, _row DESC) AS rn "
        f"FROM {t} a SEMI JOIN (SELECT DISTINCT {key} FROM {t} WHERE _load_seq = {seq}) b USING ({key})"
        f") WHERE rn > 1)"
    )
    return before - scalar(con, f"SELECT count(*) FROM {t}")


def replace_snapshots(con: duckdb.DuckDBPyConnection, ds: Dataset, seq: int) -> int:
    """Keep, for every snapshot load `seq` touches, only the rows of the file that sorts last."""
    snap = _cols(ds.snapshot)
    t = ds.table
    before = scalar(con, f"SELECT count(*) FROM {t}")
    con.execute(
        f"DELETE FROM {t} WHERE rowid IN (SELECT rid FROM ("
        f"SELECT a.rowid AS rid, dense_rank() OVER (PARTITION BY {snap} ORDER BY {ORDER}) AS rk "
        f"FROM {t} a SEMI JOIN (SELECT DISTINCT {snap} FROM {t} WHERE _load_seq = {seq}) b USING ({snap})"
        f") WHERE rk > 1)"
    )
    return before - scalar(con, f"SELECT count(*) FROM {t}")


def apply_load(con: duckdb.DuckDBPyConnection, ds: Dataset, seq: int) -> None:
    if ds.apply is Apply.SNAPSHOT:
        replace_snapshots(con, ds, seq)
    keep_last_per_key(con, ds, seq)
