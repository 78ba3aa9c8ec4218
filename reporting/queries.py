"""The SQL every page runs, as functions of a reader (`app.data.DB`).

Pages, the monthly pack and `benchmarks/dashboard.py` call these same
functions, so the benchmark times exactly what a person waits for and the
pack prints exactly what the dashboard shows. Each function filters in SQL
(month, contractor) so DuckDB reads only what a page draws; nothing here
recomputes a KPI: the marts did.

Periods: the sidebar's "month" may be a month (2026-10), a quarter (2026-Q3)
or a year (2026) (`core.months` parses them). The label alone decides what is
read (`kpi_relation`): a month's figures come from fct_kpi, a quarter's and a year's from
fct_kpi_periods (the same columns, pooled exactly by dbt), so every page and
the pack that shows KPI figures goes through the same functions; lists of
items (penalty items) take the months of the period (`months_of`).
"""

from __future__ import annotations

import pandas as pd

from core.months import data_months_of, parse_period, period_kind
from reporting.fmt import prev_month, records
from reporting.reader import DB

KPI = "marts.fct_kpi"
CATALOGUE = "marts.dim_kpis"
PENALTIES = "marts.fct_penalty_items"
FUNNEL = "marts.mart_kpi_funnel"
AREA_SCORES = "marts.mart_area_scores"
AREA_INDEX = "marts.mart_area_index"
FUNNEL_LIMITS = "marts.dim_funnel_limits"
KPI_PERIODS = "marts.fct_kpi_periods"
SETTLEMENT = "marts.mart_settlement"

MONTH, QUARTER, YEAR = "month", "quarter", "year"  # core.months.PERIOD_KINDS


# ---- periods: the label decides (core.months parses it) ----
def is_period(label: str) -> bool:
    """A quarter or a year (not a single month)."""
    return period_kind(label) != MONTH


def previous(label: str) -> str:
    """The period before: last month, last quarter, last year (the "change" columns compare with it)."""
    p = parse_period(label)
    if p.kind == MONTH:
        return prev_month(label)
    if p.kind == YEAR:
        return f"{p.year - 1:04d}"
    return f"{p.year - 1:04d}-Q4" if p.number == 1 else f"{p.year:04d}-Q{p.number - 1}"


def kpi_relation(label: str) -> str:
    """Where the KPI figures of the label live: fct_kpi for a month, fct_kpi_periods for a quarter or year."""
    return KPI_PERIODS if is_period(label) else KPI


def months_of(db: DB, label: str) -> list[str]:
    """The data months of the period this reader may see, ascending (a month: itself)."""
    if not is_period(label):
        return [label]
    return data_months_of(label, months(db))


def _in(column: str, values: list[str]) -> str:
    """`column IN (?, ?, …)` for the values (never empty: a period without months matches nothing)."""
    return f"{column} IN ({', '.join('?' for _ in values)})" if values else "false"


def months(db: DB) -> list[str]:
    """Newest first: the month picker opens on the latest month."""
    return db.df(f"SELECT DISTINCT month FROM {KPI} ORDER BY month DESC")["month"].tolist()


def periods(db: DB) -> list[str]:
    """What the sidebar offers: the months newest first, then the quarters, then the years of the data.

    Quarters and years come from fct_kpi_periods through the reader's scope (a contractor is
    offered only the periods whose months are all published to it). A warehouse built before
    the periods existed offers months only.
    """
    out = months(db)
    if not db.has(KPI_PERIODS):
        return out
    sql = f"SELECT DISTINCT month, period_kind FROM {KPI_PERIODS} ORDER BY month DESC"
    found = db.df(sql)
    for kind in (QUARTER, YEAR):
        out += [str(m) for m in found.loc[found["period_kind"] == kind, "month"]]
    return out


def contractors(db: DB) -> list[str]:
    sql = f"SELECT DISTINCT contractor FROM {KPI} WHERE grain = 'contractor' ORDER BY contractor"
    return db.df(sql)["contractor"].tolist()


def prefectures(db: DB) -> list[str]:
    """The prefectures the KPIs were computed for (the sidebar's place picker)."""
    sql = f"SELECT DISTINCT prefecture FROM {KPI} WHERE prefecture <> '' ORDER BY prefecture"
    return db.df(sql)["prefecture"].tolist()


def counties(db: DB, prefecture: str) -> list[str]:
    """The counties of a prefecture that have fault tickets (the county picker)."""
    sql = (
        "SELECT DISTINCT county FROM marts.mart_fault_tickets WHERE prefecture = ? AND county IS NOT NULL "
        "ORDER BY county"
    )
    return db.df(sql, prefecture)["county"].tolist()


def _catalogue_join() -> tuple[str, str]:
    """English names and display order come from the KPI catalogue (dim_kpis)."""
    return (
        f"LEFT JOIN {CATALOGUE} c ON c.kpi_code = k.kpi_code",
        "coalesce(c.kpi_name_en, k.kpi_code) AS kpi_name_en, coalesce(c.sort_order, 999) AS sort_order",
    )


def kpi_month(db: DB, month: str) -> pd.DataFrame:
    """Province and contractor rows of every KPI for the month (or period), with the previous one's beside them."""
    join, cols = _catalogue_join()
    rel = kpi_relation(month)
    sql = f"""
        SELECT k.kpi_code, k.kpi_name_zh, {cols}, k.contractor, k.unit,
               k.numerator, k.denominator, k.value, k.target, k.direction, k.met,
               p.value AS prev_value, p.denominator AS prev_denominator
        FROM {rel} k
        LEFT JOIN {rel} p ON p.month = ? AND p.kpi_code = k.kpi_code
             AND p.contractor = k.contractor AND p.prefecture = k.prefecture
        {join}
        WHERE k.month = ? AND k.prefecture = ''
        ORDER BY sort_order, k.kpi_code, k.contractor
    """
    return db.df(sql, previous(month), month)


def scores(db: DB, month: str) -> pd.DataFrame:
    """Composite score and net penalty per contractor, this month (or period) and the previous one."""
    rel = kpi_relation(month)
    sql = f"""
        SELECT k.contractor,
               max(CASE WHEN k.kpi_code = 'composite_score' THEN k.value END) AS composite,
               max(CASE WHEN k.kpi_code = 'composite_score' THEN k.met END) AS composite_met,
               max(CASE WHEN k.kpi_code = 'composite_score' THEN k.target END) AS composite_target,
               max(CASE WHEN k.kpi_code = 'penalty_yuan' THEN k.value END) AS penalty,
               max(CASE WHEN p.kpi_code = 'composite_score' THEN p.value END) AS prev_composite,
               max(CASE WHEN p.kpi_code = 'penalty_yuan' THEN p.value END) AS prev_penalty
        FROM {rel} k
        LEFT JOIN {rel} p ON p.month = ? AND p.kpi_code = k.kpi_code AND p.contractor = k.contractor
             AND p.grain = 'contractor'
        WHERE k.month = ? AND k.grain = 'contractor' AND k.kpi_code IN ('composite_score', 'penalty_yuan')
        GROUP BY k.contractor
        ORDER BY composite DESC NULLS LAST, k.contractor
    """
    return db.df(sql, previous(month), month)


def penalty_reasons(db: DB, month: str) -> pd.DataFrame:
    """Net penalty per contractor and reason over the month's (or period's) months (their sum is penalty_yuan)."""
    within = months_of(db, month)
    sql = f"""
        SELECT contractor, reason_code, sum(item_count) AS items, sum(amount_yuan) AS amount_yuan
        FROM {PENALTIES} WHERE {_in("month", within)}
        GROUP BY contractor, reason_code ORDER BY contractor, reason_code
    """
    return db.df(sql, *within)


def settlement(db: DB, month: str) -> pd.DataFrame:
    """结算 per contractor for the month, quarter or year: base fee, net penalty, payable (mart_settlement).

    base_fee_yuan and payable_yuan are NULL for a contractor without a base fee in the seed."""
    sql = f"""
        SELECT contractor, month_count, months_in_period, base_fee_yuan, penalty_yuan, payable_yuan
        FROM {SETTLEMENT} WHERE month = ? ORDER BY contractor
    """
    return db.df(sql, month)


def kpi_trend(db: DB, kpi_code: str) -> pd.DataFrame:
    """Every month of one KPI at the province and contractor grains (the trend chart)."""
    sql = f"""
        SELECT month, contractor, numerator, denominator, value, target, unit, kpi_name_zh
        FROM {KPI} WHERE kpi_code = ? AND prefecture = '' ORDER BY month, contractor
    """
    return db.df(sql, kpi_code)


def kpi_list(db: DB, rates_only: bool = False) -> pd.DataFrame:
    """The KPIs in catalogue order (rates only: those the funnel plot can show)."""
    join, cols = _catalogue_join()
    where = "WHERE k.unit = 'ratio'" if rates_only else ""
    sql = f"""
        SELECT DISTINCT k.kpi_code, k.kpi_name_zh, k.unit, {cols}
        FROM {KPI} k {join} {where} ORDER BY sort_order, k.kpi_code
    """
    return db.df(sql)


def funnel_kpis(db: DB) -> pd.DataFrame:
    return kpi_list(db, rates_only=True)


def funnel(db: DB, month: str, kpi_code: str) -> pd.DataFrame:
    """One rate KPI's funnel rows for the month: contractors and contractor × prefecture pairs."""
    sql = f"""
        SELECT grain, contractor, prefecture, numerator, denominator, value, province_rate,
               lcl95, ucl95, lcl998, ucl998, flag, flag_95, rank_in_month, direction
        FROM {FUNNEL} WHERE month = ? AND kpi_code = ?
        ORDER BY grain, contractor, prefecture
    """
    return db.df(sql, month, kpi_code)


def funnel_z(db: DB) -> tuple[float, float]:
    """The z of the inner and outer limits the funnel mart was drawn with (dim_funnel_limits)."""
    row = db.df(f"SELECT inner_z, outer_z FROM {FUNNEL_LIMITS}")
    return float(row["inner_z"].iloc[0]), float(row["outer_z"].iloc[0])


def area_scores(db: DB, month: str) -> pd.DataFrame:
    sql = f"""
        SELECT area_no, area_name_zh, area_name_en, headline_kpi, direction, contractor,
               numerator, denominator, value, score
        FROM {AREA_SCORES} WHERE month = ? ORDER BY area_no, contractor
    """
    return db.df(sql, month)


def area_index(db: DB) -> pd.DataFrame:
    """Every month's index per area (the trend) — small: months × areas."""
    sql = f"""
        SELECT month, area_no, area_name_zh, area_name_en, headline_kpi, contractors_scored,
               max_score, min_score, inconsistency_index, best_contractor, worst_contractor
        FROM {AREA_INDEX} ORDER BY month, area_no
    """
    return db.df(sql)


def kpi_names(db: DB) -> dict[str, tuple[str, str]]:
    """kpi_code → (中文, English), for headers of views that put KPIs side by side."""
    df = db.df(f"SELECT kpi_code, kpi_name_zh, kpi_name_en FROM {CATALOGUE}")
    return {r.kpi_code: (r.kpi_name_zh, r.kpi_name_en) for r in records(df)}
