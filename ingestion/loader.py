"""Loading a delivery: plan every file, then load each one with nothing lost.

`plan_files` looks at every file once (sha256, which dataset) and fixes the
order; `load_file` loads one planned file inside a transaction, so a file that
fails half-way leaves nothing behind, and writes exactly one load-log row for
it. Rows read = rows loaded + rows rejected is asserted for every file.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from core.seeds import SEEDS_DIR
from core.settings import DEFAULT_PROVINCE, Limits
from ingestion import ddl
from ingestion.apply import apply_load, scalar
from ingestion.datasets import BY_NAME, DATASETS
from ingestion.errors import FileRejected
from ingestion.files import DEFAULT_LIMITS, Source, discover_entries, open_source, outside_delivery, sha256_of
from ingestion.headers import HeaderMatch, header_key, match_header
from ingestion.model import Dataset
from ingestion.textnorm import normalize_name, register_udfs
from ingestion.validate import Lineage, insert_good_sql, insert_rejects_sql, parsed_relation, reasons_over

log = logging.getLogger(__name__)

REFERENCE_DIR = SEEDS_DIR / "reference"


class ReconciliationError(AssertionError):
    """rows_read != rows_loaded + rows_rejected: a bug, never a data problem."""


@dataclass(frozen=True)
class PlannedFile:
    load_seq: int
    file: str  # relative posix path
    path: Path
    sha256: str
    dataset: str | None
    # A link that resolves outside the input folder (edge rule 10): rejected whole, never opened.
    # `load_file` checks the path again, so a plan rebuilt without this flag is still safe.
    outside: bool = False


# A file of at most this many rows and bytes is checked once into a temporary table that both inserts
# read (every layer's columns: 259 for tickets, 4.7 MB for 839 tickets, so ≈ 110 MB at 20 000 rows of
# such cells; the byte bound keeps a few rows of huge cells out); a larger one is streamed from the
# file by each insert, which never holds the file's rows.
SMALL_FILE_ROWS = 20_000
SMALL_FILE_BYTES = 32 * 2**20

OUTSIDE_MESSAGE = "链接指向输入目录之外 / link points outside the input folder"


@dataclass(frozen=True)
class FileResult:
    file: str
    dataset: str | None
    sha256: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    status: str  # loaded | skipped | rejected
    message: str


class UnknownProvince(ValueError):
    """The run's province has no prefecture in the reference seeds: every delivered row would be rejected."""


def reference_provinces(reference_dir: Path = REFERENCE_DIR) -> tuple[str, ...]:
    """The provinces of the reference seeds (seed ref_prefectures), in their first-row order."""
    with open(reference_dir / "ref_prefectures.csv", encoding="utf-8-sig", newline="") as f:
        names = [(r.get("province") or "").strip() for r in csv.DictReader(f)]
    return tuple(dict.fromkeys(n for n in names if n))


def check_province(province: str, reference_dir: Path = REFERENCE_DIR) -> None:
    """UnknownProvince (one line, Chinese and English) unless the reference seeds hold `province`."""
    known = reference_provinces(reference_dir)
    if province not in known:
        raise UnknownProvince(
            f"参考表中没有省份「{province}」/ province {province!r} is not in the reference seeds "
            f"(ref_prefectures: {'、'.join(known)})"
        )


class WrongProvince(ValueError):
    """The warehouse holds another province's deliveries: loading this one would mix two provinces."""


def recorded_province(con: duckdb.DuckDBPyConnection) -> str | None:
    """The province a warehouse holds (audit.warehouse_province), None before its first run."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'audit' "
        "AND table_name = 'warehouse_province'"
    ).fetchone()
    if not exists or not exists[0]:
        return None
    row = con.execute(f"SELECT province FROM {ddl.PROVINCE_TABLE} ORDER BY recorded_at LIMIT 1").fetchone()
    return str(row[0]) if row else None


def wrong_province_message(held: str, province: str) -> str:
    return (
        f"仓库已存放「{held}」的数据，本次运行为「{province}」，两省不能混在一个仓库 / the warehouse holds {held}'s "
        f"deliveries, this run is for {province}: one warehouse per province (use {province}'s own --warehouse)"
    )


def claim_province(con: duckdb.DuckDBPyConnection, province: str) -> None:
    """Record the warehouse's province on its first run; WrongProvince when it already holds another.

    A warehouse from before the record (raw rows, no record) is taken to hold the run's province: the
    record starts with the first run of this version."""
    held = recorded_province(con)
    if held is None:
        con.execute(f"INSERT INTO {ddl.PROVINCE_TABLE} VALUES (?, now())", [province])
    elif held != province:
        raise WrongProvince(wrong_province_message(held, province))


def prepare_connection(
    con: duckdb.DuckDBPyConnection, reference_dir: Path = REFERENCE_DIR, province: str = DEFAULT_PROVINCE
) -> None:
    """UDFs, raw/audit tables and the reference lists the validators look up: the rows of `province`.

    The seeds hold every province's rows (first column `province`); the TEMP tables keep their other
    columns, so a prefecture, county or contractor of another province is unknown here."""
    check_province(province, reference_dir)
    register_udfs(con)
    ddl.create_all(con)
    for name in ("ref_prefectures", "ref_counties"):
        path = str(reference_dir / f"{name}.csv").replace("'", "''")
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * EXCLUDE (province) "
            f"FROM read_csv('{path}', header = true, all_varchar = true) WHERE trim(province) = $province",
            {"province": province},
        )
    # Contractors (edge rule 9), normalised like the NAME cells they are compared with (in Python: the
    # seed is a few rows, and the Arrow NFKC kernel costs seconds to warm up in a fresh process).
    with open(reference_dir / "ref_contractors.csv", encoding="utf-8-sig", newline="") as f:
        names = sorted(
            {
                n
                for r in csv.DictReader(f)
                if (r.get("province") or "").strip() == province and (n := normalize_name(r.get("contractor")))
            }
        )
    con.execute("CREATE OR REPLACE TEMP TABLE ref_contractors (contractor VARCHAR)")
    if names:
        con.executemany("INSERT INTO ref_contractors VALUES (?)", [(n,) for n in names])


def dataset_from_name(file: str) -> Dataset | None:
    """The dataset a file name announces by its prefix (longest prefix wins)."""
    name = header_key(Path(file).name)
    best: tuple[int, Dataset] | None = None
    for ds in DATASETS:
        for prefix in ds.all_prefixes:
            p = header_key(prefix)
            if name.startswith(p) and (best is None or len(p) > best[0]):
                best = (len(p), ds)
    return best[1] if best else None


def _best_match(headers: list[str]) -> HeaderMatch:
    matches = [match_header(ds, headers) for ds in DATASETS]
    complete = [m for m in matches if not m.missing_required]
    pool = complete or matches
    return max(pool, key=lambda m: (m.score, -len(m.missing_required)))


def next_load_seq(con: duckdb.DuckDBPyConnection) -> int:
    return scalar(con, "SELECT coalesce(max(load_seq), 0) + 1 FROM audit.load_log")


def plan_files(con: duckdb.DuckDBPyConnection, root: Path) -> list[PlannedFile]:
    """Every file under root in application order, with its sha256 and announced dataset.

    A link leading outside root is planned (so it is logged) but never read: its "sha256" is that of
    the link itself, so it never matches a delivered file's content.
    """
    seq = next_load_seq(con)
    known = {r[0]: (tuple(r[1:5]), r[5]) for r in con.execute(f"SELECT * FROM {ddl.FILE_STATS_TABLE}").fetchall()}
    planned, stats = [], []
    for i, entry in enumerate(discover_entries(root)):
        ds = dataset_from_name(entry.rel)
        if entry.outside:
            sha = hashlib.sha256(f"link:{entry.rel}->{os.path.realpath(entry.path)}".encode()).hexdigest()
        else:
            sha, stat = _sha256_unless_unchanged(entry.path, known)
            stats.append((str(entry.path), *stat, sha))
        planned.append(PlannedFile(seq + i, entry.rel, entry.path, sha, ds.name if ds else None, entry.outside))
    con.execute(f"DELETE FROM {ddl.FILE_STATS_TABLE}")
    if stats:  # one INSERT of a frame: a year's inbox is thousands of files
        frame = pl.DataFrame(stats, schema=[c for c, _ in ddl.FILE_STATS_COLUMNS], orient="row")  # noqa: F841
        con.execute(f"INSERT INTO {ddl.FILE_STATS_TABLE} SELECT * FROM frame")
    return planned


def _sha256_unless_unchanged(
    path: Path, known: dict[str, tuple[tuple[int, ...], str]]
) -> tuple[str, tuple[int, int, int, int]]:
    """The file's sha256, read again unless its stat is the one recorded with that sha256 (ddl.FILE_STATS_TABLE):
    a province's inbox holds a year of files, and hashing them all again cost every run seconds."""
    st = os.stat(path)  # before reading: a write during the read changes ctime, so the next run reads again
    stat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    seen = known.get(str(path))
    if seen is not None and seen[0] == stat:
        return seen[1], stat
    return sha256_of(path), stat


def _already_loaded(con: duckdb.DuckDBPyConnection, sha: str) -> str | None:
    rows = con.execute(
        "SELECT file FROM audit.load_log WHERE sha256 = ? AND status = 'loaded' ORDER BY load_seq LIMIT 1",
        [sha],
    ).fetchall()
    return rows[0][0] if rows else None


def _log(con: duckdb.DuckDBPyConnection, pf: PlannedFile, run_id: str, r: FileResult) -> None:
    con.execute(
        "INSERT INTO audit.load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            pf.load_seq,
            run_id,
            r.file,
            r.dataset or "",
            r.sha256,
            r.rows_read,
            r.rows_loaded,
            r.rows_rejected,
            r.status,
            r.message,
            datetime.now(),
        ],
    )


def _open(con: duckdb.DuckDBPyConnection, pf: PlannedFile, relation: str, limits: Limits) -> Source:
    """Open the file, its header row chosen for the dataset its name announces (else for any)."""
    announced = BY_NAME.get(pf.dataset) if pf.dataset else None
    if announced is not None:
        scorer = lambda h: match_header(announced, h).score  # noqa: E731
        sheets = announced.all_prefixes
    else:
        scorer = lambda h: _best_match(h).score  # noqa: E731
        sheets = tuple(p for d in DATASETS for p in d.all_prefixes)
    return open_source(con, pf.path, relation, scorer, sheets, limits)


def _resolve(pf: PlannedFile, source: Source) -> HeaderMatch:
    """Decide the file's dataset: by name when it has a prefix, else by its header."""
    announced = BY_NAME.get(pf.dataset) if pf.dataset else None
    match = match_header(announced, source.headers) if announced else _best_match(source.headers)
    if announced is None and (match.score < 2 or match.missing_required):
        if match.score >= max(2, len(match.dataset.required)):
            missing = "、".join(c.header for c in match.missing_required)
            raise FileRejected(
                f"像是{match.dataset.chinese_name}，但缺少必填列: {missing}",
                f"looks like {match.dataset.name} but misses required column(s): {missing}",
            )
        raise FileRejected("无法识别的表头，不属于任何数据集", "no recognisable header: matches no dataset")
    if match.missing_required:
        missing = "、".join(c.header for c in match.missing_required)
        raise FileRejected(f"缺少必填列: {missing}", f"missing required column(s): {missing}")
    return match


def _file_error(exc: BaseException) -> bool:
    """An error reading a file, to reject it whole: any Exception, and a Rust panic raised through pyo3."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def load_file(
    con: duckdb.DuckDBPyConnection, pf: PlannedFile, run_id: str, limits: Limits = DEFAULT_LIMITS
) -> FileResult:
    """Load one planned file and log it; never raises for a bad file (only for a bug: ReconciliationError)."""
    if pf.outside or outside_delivery(pf.path, pf.file):
        result = FileResult(pf.file, pf.dataset, pf.sha256, 0, 0, 0, "rejected", OUTSIDE_MESSAGE)
        _log(con, pf, run_id, result)
        return result
    earlier = _already_loaded(con, pf.sha256)
    if earlier is not None:
        result = FileResult(
            pf.file, pf.dataset, pf.sha256, 0, 0, 0, "skipped",
            f"与已加载的 {earlier} 内容相同，跳过 / identical to {earlier}, already loaded: skipped",
        )  # fmt: skip
        _log(con, pf, run_id, result)
        return result
    relation = f"src_{pf.load_seq}"
    source: Source | None = None
    con.execute("BEGIN TRANSACTION")
    try:
        source = _open(con, pf, relation, limits)
        result = _load_rows(con, pf, source, _resolve(pf, source), limits)
        _log(con, pf, run_id, result)
        con.execute("COMMIT")
        return result
    except ReconciliationError:
        con.execute("ROLLBACK")
        raise
    except BaseException as exc:
        if not _file_error(exc):
            con.execute("ROLLBACK")
            raise
        con.execute("ROLLBACK")
        if isinstance(exc, FileRejected):
            message = f"{exc.zh} / {exc.en}"
        else:
            lines = str(exc).strip().splitlines()
            first = f"{type(exc).__name__}: {lines[0][:200]}" if lines else type(exc).__name__
            message = f"文件无法读取 / the file cannot be read: {first}"
            log.warning("rejected %s: %s", pf.file, message)  # one line; the traceback only at debug level
            log.debug("unexpected error loading %s", pf.file, exc_info=True)
        result = FileResult(pf.file, pf.dataset, pf.sha256, 0, 0, 0, "rejected", " ".join(message.splitlines()))
        _log(con, pf, run_id, result)
        return result
    finally:
        _drop_source(con, relation)
        for tmp in source.temp_files if source is not None else ():
            shutil.rmtree(tmp, ignore_errors=True)


def _checked_table(relation: str) -> str:
    return f"{relation}_checked"


def _drop_source(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    with contextlib.suppress(duckdb.Error):
        con.unregister(relation)
    con.execute(f"DROP VIEW IF EXISTS {relation}")
    con.execute(f"DROP TABLE IF EXISTS temp.{_checked_table(relation)}")


def _load_rows(
    con: duckdb.DuckDBPyConnection, pf: PlannedFile, source: Source, match: HeaderMatch, limits: Limits
) -> FileResult:
    ds = match.dataset
    lineage = Lineage(pf.file, pf.sha256, pf.load_seq)
    good = parsed_relation(source, match, limits.max_field_chars, reasons=False)
    rows_read = scalar(con, f"SELECT count(*) FROM {source.relation}")
    rows_rejected = 0
    if rows_read <= SMALL_FILE_ROWS and pf.path.stat().st_size <= SMALL_FILE_BYTES:
        # Planning the layered query costs more than reading a small file: plan it once, keep its rows
        # (every layer's columns) in a temporary table, and let both inserts read that (decision 114).
        checked = _checked_table(source.relation)
        con.execute(f"CREATE TEMP TABLE {checked} AS {good}")
        rows_loaded = scalar(con, insert_good_sql(match, lineage, f"SELECT * FROM {checked}"))
        if rows_loaded < rows_read:
            parsed = reasons_over(source, match, checked, limits.max_field_chars)
            rows_rejected = scalar(con, insert_rejects_sql(source, match, lineage, parsed))
    else:
        rows_loaded = scalar(con, insert_good_sql(match, lineage, good))
        if rows_loaded < rows_read:  # a second pass over the file only when it has bad rows
            parsed = parsed_relation(source, match, limits.max_field_chars)
            rows_rejected = scalar(con, insert_rejects_sql(source, match, lineage, parsed))
    if rows_read != rows_loaded + rows_rejected:
        raise ReconciliationError(
            f"{pf.file}: rows_read {rows_read} != loaded {rows_loaded} + rejected {rows_rejected}"
        )
    apply_load(con, ds, pf.load_seq)
    notes = []
    if match.extras:
        notes.append("保留未知列 / kept extra columns: " + "、".join(match.extras))
    return FileResult(pf.file, ds.name, pf.sha256, rows_read, rows_loaded, rows_rejected, "loaded", "; ".join(notes))


def load_folder(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    run_id: str,
    limits: Limits = DEFAULT_LIMITS,
    province: str = DEFAULT_PROVINCE,
) -> list[FileResult]:
    """Plan and load every file under root (the whole pipeline's ingestion, for scripts and tests)."""
    prepare_connection(con, province=province)
    results = []
    for pf in plan_files(con, root):
        results.append(load_file(con, pf, run_id, limits))
    return results


def months_loaded(con: duckdb.DuckDBPyConnection, run_id: str) -> set[str]:
    """The months ('YYYY-MM') that received rows in this run: what a run must re-validate."""
    seqs = [
        int(r[0])
        for r in con.execute(
            "SELECT load_seq FROM audit.load_log WHERE run_id = ? AND status = 'loaded'", [run_id]
        ).fetchall()
    ]
    if not seqs:
        return set()
    # A run's loads are consecutive: the BETWEEN lets DuckDB skip old row groups by their min/max.
    where = f"_load_seq BETWEEN {min(seqs)} AND {max(seqs)} AND _load_seq IN ({', '.join(map(str, seqs))})"
    # The distinct months first, formatted after: date_trunc per row is cheap, strftime is not
    # (0.3 s on a province month's 8.6 M device samples).
    parts = [
        f"SELECT DISTINCT date_trunc('month', {ds.month_column}) AS m FROM {ds.table} WHERE {where}"
        for ds in DATASETS
        if ds.month_column
    ]
    sql = f"SELECT DISTINCT strftime(m, '%Y-%m') FROM ({' UNION '.join(parts)}) AS months WHERE m IS NOT NULL"
    return {r[0] for r in con.execute(sql).fetchall()}
