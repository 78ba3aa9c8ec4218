"""The SQL every page runs, as functions of a reader (`app.data.DB`).

Pages, the monthly pack and `benchmarks/dashboard.py` call these same
functions, so the benchmark times exactly what a person waits for and the
pack prints exactly what the dashboard shows. Each function filters in SQL
(month, contractor) so DuckDB reads only what a page draws; nothing here
recomputes a KPI: the marts did.
"""

from __future__ import annotations

import pandas as pd

from reporting.fmt import prev_month, records
from reporting.reader import DB

KPI = "marts.fct_kpi"
CATALOGUE = "marts.dim_kpis"
PENALTIES = "marts.fct_penalty_items"
FUNNEL = "marts.mart_kpi_funnel"
AREA_SCORES = "marts.mart_area_scores"
AREA_INDEX = "marts.mart_area_index"
FUNNEL_LIMITS = "marts.dim_funnel_limits"


def months(db: DB) -> list[str]:
    """Newest first: the month picker opens on the latest month."""
    return db.df(f"SELECT DISTINCT month FROM {KPI} ORDER BY month DESC")["month"].tolist()


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
    """Province and contractor rows of every KPI for the month, with last month's value beside them."""
    join, cols = _catalogue_join()
    sql = f"""
        SELECT k.kpi_code, k.kpi_name_zh, {cols}, k.contractor, k.unit,
               k.numerator, k.denominator, k.value, k.target, k.direction, k.met,
               p.value AS prev_value, p.denominator AS prev_denominator
        FROM {KPI} k
        LEFT JOIN {KPI} p ON p.month = ? AND p.kpi_code = k.kpi_code
             AND p.contractor = k.contractor AND p.prefecture = k.prefecture
        {join}
        WHERE k.month = ? AND k.prefecture = ''
        ORDER BY sort_order, k.kpi_code, k.contractor
    """
    return db.df(sql, prev_month(month), month)


def scores(db: DB, month: str) -> pd.DataFrame:
    """Composite score and net penalty per contractor, this month and last."""
    sql = f"""
        SELECT k.contractor,
               max(CASE WHEN k.kpi_code = 'composite_score' THEN k.value END) AS composite,
               max(CASE WHEN k.kpi_code = 'composite_score' THEN k.met END) AS composite_met,
               max(CASE WHEN k.kpi_code = 'composite_score' THEN k.target END) AS composite_target,
               max(CASE WHEN k.kpi_code = 'penalty_yuan' THEN k.value END) AS penalty,
               max(CASE WHEN p.kpi_code = 'composite_score' THEN p.value END) AS prev_composite,
               max(CASE WHEN p.kpi_code = 'penalty_yuan' THEN p.value END) AS prev_penalty
        FROM {KPI} k
        LEFT JOIN {KPI} p ON p.month = ? AND p.kpi_code = k.kpi_code AND p.contractor = k.contractor
             AND p.grain = 'contractor'
        WHERE k.month = ? AND k.grain = 'contractor' AND k.kpi_code IN ('composite_score', 'penalty_yuan')
        GROUP BY k.contractor
        ORDER BY composite DESC NULLS LAST, k.contractor
    """
    return db.df(sql, prev_month(month), month)


def penalty_reasons(db: DB, month: str) -> pd.DataFrame:
    """Net penalty per contractor and reason (their sum is fct_kpi's penalty_yuan)."""
    sql = f"""
        SELECT contractor, reason_code, sum(item_count) AS items, sum(amount_yuan) AS amount_yuan
        FROM {PENALTIES} WHERE month = ?
        GROUP BY contractor, reason_code ORDER BY contractor, reason_code
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
