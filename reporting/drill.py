"""Queries of the fault-cause drill-down, the ledger findings and the data-quality results.

Like `reporting.queries`, these take a reader (`DB`) so the page, the pack
and the benchmark run the same SQL. The drill-down reads the pre-computed
Pareto tables (`mart_fault_pareto`): one indexed lookup per level instead of
a GROUP BY over a province's million tickets.
"""

from __future__ import annotations

import pandas as pd

from reporting.i18n import ALL
from reporting.reader import DB

PARETO = "marts.mart_fault_pareto"
FAULT_TICKETS = "marts.mart_fault_tickets"
FINDINGS = "marts.mart_ledger_findings"
DQ_RESULTS, DQ_SCORES = "audit.dq_results", "marts.mart_dq_scores"
LEVELS = ("cause_category", "cause_detail", "faulty_device", "prefecture", "county")
TICKET_LIMIT = 2000
TICKET_COLUMNS = (
    "ticket_id",
    "contractor",
    "ticket_type",
    "channel",
    "prefecture",
    "county",
    "area_type",
    "cause_category",
    "cause_detail",
    "faulty_device",
    "circuit_id",
    "technician_id",
    "dispatched_at",
    "acknowledged_at",
    "arrived_at",
    "completed_at",
    "suspended_minutes",
    "limit_minutes",
    "effective_minutes",
    "is_timely",
)


def pareto(db: DB, month: str, contractor: str, path: list[str]) -> pd.DataFrame:
    """The level below `path` (values chosen so far, top level first), most tickets first."""
    sql = f"""
        SELECT level_key, tickets, breaches, share_of_parent, cumulative_share, pareto_rank
        FROM {PARETO}
        WHERE month = ? AND contractor = ? AND level_no = ? AND parent_path = ?
        ORDER BY pareto_rank, level_key
    """
    return db.df(sql, month, contractor, len(path) + 1, " > ".join(path))


def _ticket_where(
    month: str, contractor: str, path: list[str], prefecture: str = ALL, county: str = ALL, breaches_only: bool = False
) -> tuple[str, list[object]]:
    clauses: list[str] = ["month = ?"]
    params: list[object] = [month]
    for column, value in (("contractor", contractor), ("prefecture", prefecture), ("county", county)):
        if value != ALL:
            clauses.append(f"{column} = ?")
            params.append(value)
    for level, value in zip(LEVELS, path, strict=False):
        clauses.append(f"{level} = ?")
        params.append(value)
    if breaches_only:
        clauses.append("NOT is_timely")
    return " AND ".join(clauses), params


def tickets(
    db: DB,
    month: str,
    contractor: str,
    path: list[str],
    limit: int | None = TICKET_LIMIT,
    *,
    prefecture: str = ALL,
    county: str = ALL,
    breaches_only: bool = False,
) -> pd.DataFrame:
    """The tickets under the path (and place), breaches first (longest over the limit first), with their clocks."""
    where, params = _ticket_where(month, contractor, path, prefecture, county, breaches_only)
    cap = f" LIMIT {int(limit)}" if limit else ""
    sql = (
        f"SELECT {', '.join(TICKET_COLUMNS)} FROM {FAULT_TICKETS} WHERE {where} "
        f"ORDER BY is_timely, effective_minutes - coalesce(limit_minutes, 0) DESC NULLS FIRST, ticket_id{cap}"
    )
    return db.df(sql, *params)


def ticket_count(
    db: DB,
    month: str,
    contractor: str,
    path: list[str],
    *,
    prefecture: str = ALL,
    county: str = ALL,
    breaches_only: bool = False,
) -> int:
    where, params = _ticket_where(month, contractor, path, prefecture, county, breaches_only)
    return int(db.df(f"SELECT count(*) AS n FROM {FAULT_TICKETS} WHERE {where}", *params)["n"].iloc[0])


def pareto_in_place(db: DB, month: str, contractor: str, path: list[str], prefecture: str, county: str) -> pd.DataFrame:
    """`pareto` for tickets of one prefecture (and county): the same columns, counted from the ticket mart.

    mart_fault_pareto is pre-computed per contractor for the whole province; a place
    filter narrows it to a few thousand tickets, few enough to count per request.
    """
    where, params = _ticket_where(month, contractor, path, prefecture, county)
    level = LEVELS[len(path)]
    sql = f"""
        WITH counted AS (
            SELECT {level} AS level_key, count(*) AS tickets,
                   count(*) FILTER (WHERE NOT is_timely) AS breaches
            FROM {FAULT_TICKETS} WHERE {where} GROUP BY 1
        ),
        ranked AS (
            SELECT *, row_number() OVER (ORDER BY tickets DESC, level_key) AS pareto_rank,
                   tickets / sum(tickets) OVER () AS share_of_parent
            FROM counted
        )
        SELECT level_key, tickets, breaches, share_of_parent,
               sum(share_of_parent) OVER (ORDER BY pareto_rank) AS cumulative_share, pareto_rank
        FROM ranked ORDER BY pareto_rank
    """
    return db.df(sql, *params)


def findings_summary(db: DB, month: str) -> pd.DataFrame:
    """Findings per contractor and kind, beside the ledger_consistency_rate they explain."""
    sql = f"""
        WITH f AS (
            SELECT contractor, finding, count(*) AS n FROM {FINDINGS} WHERE month = ? GROUP BY ALL
        )
        SELECT k.contractor, k.numerator, k.denominator, k.value,
               coalesce(sum(n) FILTER (WHERE finding = 'missing'), 0) AS missing,
               coalesce(sum(n) FILTER (WHERE finding = 'extra'), 0) AS extra,
               coalesce(sum(n) FILTER (WHERE finding = 'duplicate'), 0) AS duplicate,
               coalesce(sum(n) FILTER (WHERE finding = 'mismatch'), 0) AS mismatch
        FROM marts.fct_kpi k LEFT JOIN f ON f.contractor = k.contractor
        WHERE k.month = ? AND k.kpi_code = 'ledger_consistency_rate' AND k.grain = 'contractor'
        GROUP BY ALL ORDER BY k.contractor
    """
    return db.df(sql, month, month)


def mismatch_fields(db: DB, month: str) -> pd.DataFrame:
    sql = f"""
        SELECT contractor, field_name, count(*) AS n FROM {FINDINGS}
        WHERE month = ? AND finding = 'mismatch' GROUP BY ALL ORDER BY contractor, n DESC
    """
    return db.df(sql, month)


def _findings_where(
    month: str, contractor: str, kinds: list[str], fields: list[str], prefecture: str
) -> tuple[list[str], list[object]]:
    clauses: list[str] = ["month = ?"]
    params: list[object] = [month]
    for column, value in (("contractor", contractor), ("prefecture", prefecture)):
        if value != ALL:
            clauses.append(f"{column} = ?")
            params.append(value)
    for column, values in (("finding", kinds), ("field_name", fields)):
        if values:
            clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    return clauses, params


def findings_count(
    db: DB, month: str, contractor: str, kinds: list[str], fields: list[str] | None = None, prefecture: str = ALL
) -> int:
    clauses, params = _findings_where(month, contractor, kinds, fields or [], prefecture)
    return int(db.df(f"SELECT count(*) AS n FROM {FINDINGS} WHERE {' AND '.join(clauses)}", *params)["n"].iloc[0])


def findings(
    db: DB,
    month: str,
    contractor: str,
    kinds: list[str],
    limit: int | None = TICKET_LIMIT,
    fields: list[str] | None = None,
    prefecture: str = ALL,
) -> pd.DataFrame:
    """The ledger findings of the month (a contractor, kinds, mismatched fields, a prefecture), in a stable order."""
    clauses, params = _findings_where(month, contractor, kinds, fields or [], prefecture)
    cap = f" LIMIT {int(limit)}" if limit else ""
    sql = (
        f"SELECT contractor, prefecture, circuit_id, finding, field_name, eoms_value, ledger_value, detail, "
        f"source_file, source_row FROM {FINDINGS} WHERE {' AND '.join(clauses)} "
        f"ORDER BY contractor, finding, circuit_id, field_name{cap}"
    )
    return db.df(sql, *params)


def dq_scores(db: DB, month: str) -> pd.DataFrame:
    """Each contractor's data-quality score of the latest validation run, this month."""
    sql = f"""
        SELECT contractor, evaluated, passed, failed, score, evaluated_at
        FROM {DQ_SCORES} WHERE is_latest_run AND month = ? ORDER BY contractor
    """
    return db.df(sql, month)


def dq_results(db: DB, month: str, contractor: str, failed_only: bool) -> pd.DataFrame:
    """The results of the latest run that validated the month (and its registers, which hold for every month)."""
    latest = "SELECT arg_max(run_id, evaluated_at) FROM audit.dq_results WHERE month = ?"
    clauses, params = ([f"r.run_id = ({latest})", "(r.month = ? OR r.month IS NULL)"], [month, month])
    if contractor != ALL:
        clauses.append("r.contractor = ?")
        params.append(contractor)
    if failed_only:
        clauses.append("NOT r.success")
    sql = f"""
        SELECT r.contractor, r.suite, r.expectation, r."column", r.success, r.element_count,
               r.unexpected_count, r.unexpected_percent, r.observed_value, r.unexpected_sample
        FROM {DQ_RESULTS} r WHERE {" AND ".join(clauses)}
        ORDER BY r.success, r.unexpected_count DESC NULLS LAST, r.suite, r.expectation, r.contractor
    """
    return db.df(sql, *params)
