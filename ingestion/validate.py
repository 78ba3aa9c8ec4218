"""The two queries every file goes through: good rows into raw, bad rows into rejects.

Both are generated from the dataset schema and the file's header match, and
read the same parsed relation, so a row is in exactly one of them; the loader
still counts both and asserts rows_read = rows_loaded + rows_rejected.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.ddl import raw_columns
from ingestion.files import DEFAULT_LIMITS, Source
from ingestion.headers import HeaderMatch
from ingestion.parsers import column_sql, lit


@dataclass(frozen=True)
class Lineage:
    file: str
    sha256: str
    load_seq: int


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fill(sql: str, pos: int | None, name: str) -> str:
    """Replace the stage placeholders of parsers.ColumnSQL by this layer's column names."""
    if pos is not None:
        sql = sql.replace("{S}", f"s_{pos}").replace("{C}", f"s_{pos}::VARCHAR").replace("{N}", f"n_{pos}::VARCHAR")
    for token, prefix in (("{T}", "t_"), ("{Q}", "q_"), ("{V}", "p_")):
        sql = sql.replace(token, _ident(prefix + name))
    return sql


def _label(source: Source, pos: int) -> str:
    h = source.headers[pos]
    return h.strip() if h and h.strip() else f"列{pos + 1}"


def row_checks(source: Source, max_field_chars: int) -> list[tuple[str, str, str]]:
    """Checks over the whole row, before any column is parsed: (condition, column named, reason SQL).

    A line the reader could not decode (the reader's `_rerr`), and any cell longer than
    `max_field_chars` characters (the file's extra columns included).
    """
    out = []
    if source.row_errors:
        out.append(("_rerr IS NOT NULL", "_rcol", "_rerr"))
    m = int(max_field_chars)
    for i, typ in enumerate(source.types):
        if typ.upper() != "VARCHAR":
            continue
        # strlen (bytes, O(1)) first: a cell of at most m bytes holds at most m characters.
        cond = f"(strlen(s_{i}) > {m} AND length(s_{i}) > {m})"
        reason = (
            f"'字段过长(' || length(s_{i}) || '字符，上限{m}) / field too long (' || length(s_{i}) "
            f"|| ' characters, limit {m})'"
        )
        out.append((cond, lit(_label(source, i)), reason))
    return out


def parsed_relation(
    source: Source,
    match: HeaderMatch,
    max_field_chars: int = DEFAULT_LIMITS.max_field_chars,
    *,
    reasons: bool = True,
) -> str:
    """SQL of the file's rows: p_<col> values, f_<col> reasons, x_<extra> stored extras, s_<i> cells, _bad.

    Built in layers (text → parse → value → checks), each a column of the next, so a cell is
    normalised and parsed once however many checks read it. `_rerrs` lists the row-level errors
    (`row_checks`), reported before any column's.

    `reasons=False` leaves out the reason layer (f_<col>, `_rerrs`): the good-row query reads only
    `_bad`, and DuckDB binds and optimises every column a query names, used or not. On the demo
    delivery's files planning, not reading, is most of a file's load: without that layer the good-row
    query plans in about two thirds of the time (a ticket file, 37 columns: ≈ 130–145 → 70–90 ms).
    """
    ds = match.dataset
    cols = []
    for col in ds.columns:
        pos = match.columns.get(col.name)
        typ = source.types[pos] if pos is not None else "VARCHAR"
        cols.append((col, pos, column_sql(col, source.column(pos) if pos is not None else None, typ, source.excel)))

    # The NFKC'd cell is read only where a parser asks for it ({N}): normalising free text that
    # is stored as delivered would cost a Python round trip per vector on non-ASCII columns;
    # the NFKC twins (parsers.nfkc_twin_sql) read it for the few columns that have one.
    wants_n = {
        pos
        for c, pos, sql in cols
        if pos is not None and "{N}" in sql.text + sql.parse + sql.value + "".join(sql.extras.values())
    }
    cells = [f"{source.column(i)} AS s_{i}" for i in range(len(source.headers))]
    cells += [f"{source.normalized(i)} AS n_{i}" for i in sorted(wants_n)]
    if source.row_errors:
        cells += ["_rerr", "_rcol"]
    texts = [f"{_fill(sql.text, pos, c.name)} AS {_ident('t_' + c.name)}" for c, pos, sql in cols]
    parses = [f"{_fill(sql.parse, pos, c.name)} AS {_ident('q_' + c.name)}" for c, pos, sql in cols]
    values = [f"{_fill(sql.value, pos, c.name)} AS {_ident('p_' + c.name)}" for c, pos, sql in cols]
    extras = [
        f"{_fill(extra, pos, c.name)} AS {_ident('x_' + name)}"
        for c, pos, sql in cols
        for name, extra in sql.extras.items()
    ]
    if match.extras:
        pairs = ", ".join(f"{lit(h)}, s_{p}::VARCHAR" for h, p in match.extras.items())
        extras.append(f"json_object({pairs})::VARCHAR AS _extra")
    else:
        extras.append("NULL::VARCHAR AS _extra")
    checks = []
    for c, pos, sql in cols:
        checks.append(f"({_fill(sql.bad, pos, c.name)}) AS {_ident('b_' + c.name)}")
        checks.append(f"{_fill(sql.error, pos, c.name)} AS {_ident('e_' + c.name)}")

    # Rules over two columns: reported on the second one, after its own parse errors. The good-row
    # query only evaluates the booleans; reason text (f_<col>) is built for the rejects alone.
    bad = []
    for col in ds.columns:
        bad.append(_ident("b_" + col.name))
        bad.extend(f"coalesce(NOT ({r.sql}), FALSE)" for r in ds.row_rules if r.column == col.name)
    bad.extend(f"coalesce({cond}, FALSE)" for cond, _, _ in row_checks(source, max_field_chars))
    # NOT MATERIALIZED: DuckDB may materialise a CTE whole, every column of every layer, before the
    # next reads it; inlined, the optimiser keeps only the columns the query uses (a month of tickets,
    # 37 columns and their checks: 1.40 s → 1.15 s).
    layers = (
        f"WITH l1 AS NOT MATERIALIZED (SELECT _row, {', '.join(cells)} FROM {source.relation}), "
        f"l2 AS NOT MATERIALIZED (SELECT *, {', '.join(texts)} FROM l1), "
        f"l3 AS NOT MATERIALIZED (SELECT *, {', '.join(parses)} FROM l2), "
        f"l4 AS NOT MATERIALIZED (SELECT *, {', '.join(values + extras)} FROM l3), "
        f"l5 AS NOT MATERIALIZED (SELECT *, {', '.join(checks)} FROM l4)"
    )
    if not reasons:
        return f"{layers} SELECT *, ({' OR '.join(bad)}) AS _bad FROM l5"
    final = ", ".join(_reason_columns(source, match, max_field_chars))
    return (
        f"{layers}, ruled AS NOT MATERIALIZED (SELECT *, {final} FROM l5) "
        f"SELECT *, ({' OR '.join(bad)}) AS _bad FROM ruled"
    )


def _reason_columns(source: Source, match: HeaderMatch, max_field_chars: int) -> list[str]:
    """The reason layer: f_<col> (a column's parse error, else its rules' reasons) and `_rerrs`."""
    final = []
    for col in match.dataset.columns:
        why = [
            f"CASE WHEN NOT ({r.sql}) THEN {lit(r.reason)} END" for r in match.dataset.row_rules if r.column == col.name
        ]
        final.append(f"coalesce({_ident('e_' + col.name)}, {', '.join(why) or 'NULL'}) AS {_ident('f_' + col.name)}")
    whole = row_checks(source, max_field_chars)
    if whole:
        structs = ", ".join(f"CASE WHEN {cond} THEN struct_pack(c := {col}, r := {r}) END" for cond, col, r in whole)
        final.append(f"list_filter([{structs}], lambda x: x IS NOT NULL) AS _rerrs")
    else:
        final.append("CAST([] AS STRUCT(c VARCHAR, r VARCHAR)[]) AS _rerrs")
    return final


def reasons_over(
    source: Source, match: HeaderMatch, checked: str, max_field_chars: int = DEFAULT_LIMITS.max_field_chars
) -> str:
    """The rows of `checked` (a table holding `parsed_relation(reasons=False)`'s rows) with the reason
    layer added: what `parsed_relation()` gives, computed from the stored layers instead of the file."""
    return f"SELECT *, {', '.join(_reason_columns(source, match, max_field_chars))} FROM {checked}"


def _file_header(source: Source, match: HeaderMatch, name: str) -> str:
    pos = match.columns.get(name)
    if pos is not None:
        return source.headers[pos].strip()
    return match.dataset.column(name).header


def insert_good_sql(match: HeaderMatch, lineage: Lineage, parsed: str) -> str:
    ds = match.dataset
    targets, values = [], []
    for name, _ in raw_columns(ds):
        targets.append(_ident(name))
        if name == "_file":
            values.append(lit(lineage.file))
        elif name == "_load_seq":
            values.append(str(lineage.load_seq))
        elif name in ("_row", "_extra"):
            values.append(name)
        elif any(c.name == name for c in ds.columns):
            values.append(_ident("p_" + name))
        else:
            values.append(_ident("x_" + name))
    return f"INSERT INTO {ds.table} ({', '.join(targets)}) SELECT {', '.join(values)} FROM ({parsed}) WHERE NOT _bad"


def insert_rejects_sql(source: Source, match: HeaderMatch, lineage: Lineage, parsed: str) -> str:
    """One reject per bad row: the first bad column (schema order) and its reason, others appended."""
    ds = match.dataset
    errs = ", ".join(
        f"struct_pack(c := {lit(_file_header(source, match, c.name))}, r := {_ident('f_' + c.name)})"
        for c in ds.columns
    )
    cells = ", ".join(
        f"{lit(h.strip() if h and h.strip() else f'列{i + 1}')}, s_{i}" for i, h in enumerate(source.headers)
    )
    more = (
        "CASE WHEN len(_errors) > 1 THEN '；另有 / also: ' || "
        "array_to_string(list_transform(_errors[2:], lambda x: x.c || ': ' || x.r), '；') ELSE '' END"
    )
    errors = f"list_filter([{errs}], lambda x: x.r IS NOT NULL)"
    errors = f"CASE WHEN len(_rerrs) > 0 THEN list_concat(_rerrs, {errors}) ELSE {errors} END"
    return (
        'INSERT INTO audit.rejects (load_seq, file, dataset, row, "column", reason, raw) '
        f"SELECT {lineage.load_seq}, {lit(lineage.file)}, {lit(ds.name)}, _row, "
        f"_errors[1].c, _errors[1].r || {more}, json_object({cells})::VARCHAR "
        f"FROM (SELECT *, {errors} AS _errors FROM ({parsed}) WHERE _bad)"
    )
