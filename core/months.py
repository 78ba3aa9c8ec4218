"""Months and the periods made of them (kpis.md § Quarters and years): labels, parsing, membership.

A month is written 'YYYY-MM'; a calendar quarter 'YYYY-Qn' (n = 1…4); a year 'YYYY'.
The dbt macros quarter_label / year_label (dbt_project/macros/periods.sql) give a month's
quarter and year labels in SQL the same way; this module is the Python side, for the
command line and reporting, so that a label is parsed in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

PeriodKind = Literal["month", "quarter", "year"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("month", "quarter", "year")

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
YEAR_RE = re.compile(r"^\d{4}$")


class BadPeriod(ValueError):
    """A label that is neither 'YYYY-MM', 'YYYY-Qn' nor 'YYYY' (one line, Chinese and English)."""


@dataclass(frozen=True)
class Period:
    """A month, a calendar quarter or a year, by its label."""

    kind: PeriodKind
    year: int
    number: int  # the month (1–12), the quarter (1–4), or 0 for a year

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year:04d}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.number}"
        return f"{self.year:04d}"

    @property
    def months(self) -> tuple[str, ...]:
        """Every calendar month of the period, 'YYYY-MM', ascending (whether the data has it or not)."""
        if self.kind == "month":
            first, last = self.number, self.number
        elif self.kind == "quarter":
            first, last = 3 * self.number - 2, 3 * self.number
        else:
            first, last = 1, 12
        return tuple(f"{self.year:04d}-{m:02d}" for m in range(first, last + 1))

    def contains(self, month: str) -> bool:
        """Whether the month 'YYYY-MM' lies inside the period."""
        return month in self.months

    def __str__(self) -> str:
        return self.label


def is_month(label: str | None) -> bool:
    """'YYYY-MM' with a month 01–12."""
    return bool(label) and MONTH_RE.match(label or "") is not None


def parse_period(label: str) -> Period:
    """The period a label names: 'YYYY-MM' a month, 'YYYY-Qn' a quarter, 'YYYY' a year; BadPeriod otherwise."""
    text = label if isinstance(label, str) else ""
    if MONTH_RE.match(text):
        return Period("month", int(text[:4]), int(text[5:7]))
    q = QUARTER_RE.match(text)
    if q:
        return Period("quarter", int(q.group(1)), int(q.group(2)))
    if YEAR_RE.match(text):
        return Period("year", int(text), 0)
    raise BadPeriod(
        f"期间格式应为 YYYY-MM、YYYY-Qn 或 YYYY / period must be YYYY-MM, YYYY-Qn (quarter) or YYYY (year): {label}"
    )


def period_kind(label: str) -> PeriodKind:
    """'month', 'quarter' or 'year' (BadPeriod for anything else)."""
    return parse_period(label).kind


def months_of(label: str) -> tuple[str, ...]:
    """The calendar months of a period label, 'YYYY-MM' ascending."""
    return parse_period(label).months


def period_of(month: str, kind: str) -> str:
    """The label of the month's period of that kind: ('2026-08', 'quarter') → '2026-Q3'."""
    m = parse_period(month)
    if m.kind != "month":
        raise BadPeriod(f"月份格式应为 YYYY-MM / month must be YYYY-MM: {month}")
    if kind == "month":
        return m.label
    if kind == "quarter":
        return Period("quarter", m.year, (m.number + 2) // 3).label
    if kind == "year":
        return Period("year", m.year, 0).label
    raise BadPeriod(f"期间种类应为 month、quarter 或 year / period kind must be month, quarter or year: {kind}")


def data_months_of(label: str, data_months: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """The months of `data_months` inside the period, ascending (the months a roll-up pools)."""
    period = parse_period(label)
    return sorted(m for m in data_months if period.contains(m))
