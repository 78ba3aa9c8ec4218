"""The analyst's first question: which contractor is worst on fault timeliness this month, and why.

`ranking` reads fault_timely_rate's contractor rows from fct_kpi (breaches = denominator −
numerator); `breaches_by` counts the same population in mart_fault_tickets (whose tickets
reconcile with the KPI: dbt test assert_drilldown_tickets_match_fault_timely_rate) by cause,
place or technician, so the three side-by-side tables add up to the ranking's breaches.
"""

from __future__ import annotations

import pandas as pd

from reporting.drill import FAULT_TICKETS
from reporting.i18n import ALL
from reporting.queries import KPI
from reporting.reader import DB

KPI_CODE = "fault_timely_rate"
DIMENSIONS = ("cause_category", "place", "technician_id")


def ranking(db: DB, month: str) -> pd.DataFrame:
    """Contractors from worst to best: rate, timely (numerator), tickets (denominator), breaches."""
    sql = f"""
        SELECT contractor, numerator, denominator, value, target, met,
               denominator - numerator AS breaches
        FROM {KPI}
        WHERE month = ? AND kpi_code = ? AND grain = 'contractor' AND denominator > 0
        ORDER BY value ASC, breaches DESC, contractor
    """
    return db.df(sql, month, KPI_CODE)


def place_column(prefecture: str) -> str:
    """By prefecture across the province; by county once a prefecture is chosen."""
    return "prefecture" if prefecture == ALL else "county"


def breaches_by(
    db: DB, month: str, contractor: str, dimension: str, prefecture: str = ALL, county: str = ALL
) -> pd.DataFrame:
    """Tickets, breaches and breach share per value of `dimension`, most breaches first."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    column = place_column(prefecture) if dimension == "place" else dimension
    clauses, params = ["month = ?"], [month]
    for name, value in (("contractor", contractor), ("prefecture", prefecture), ("county", county)):
        if value != ALL:
            clauses.append(f"{name} = ?")
            params.append(value)
    sql = f"""
        SELECT {column} AS key, count(*) AS tickets, count(*) FILTER (WHERE NOT is_timely) AS breaches
        FROM {FAULT_TICKETS} WHERE {" AND ".join(clauses)}
        GROUP BY 1
        ORDER BY breaches DESC, tickets DESC, key NULLS LAST
    """
    df = db.df(sql, *params)
    df["breach_share"] = df["breaches"].astype(float) / df["tickets"].astype(float)
    return df
