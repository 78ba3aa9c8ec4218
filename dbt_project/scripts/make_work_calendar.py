"""Write seeds/rules/work_calendar.csv from the `chinese_calendar` package.

One row per date, from 2004-01-01 to the end of the last year the installed
package publishes: `is_workday` follows China's official calendar (public
holidays off, adjusted weekend working days — 调休 — on), as
`chinese_calendar.is_workday` says. Re-run after upgrading the package to extend
the calendar; the dbt test `assert_work_calendar_covers_data_months` fails when a
month in the data lies outside it.

    uv run python dbt_project/scripts/make_work_calendar.py
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import chinese_calendar
from chinese_calendar import constants

OUT = Path(__file__).resolve().parents[1] / "seeds" / "rules" / "work_calendar.csv"
FIRST = dt.date(2004, 1, 1)


def last_supported_day() -> dt.date:
    """The 31 December of the last year the package has data for."""
    years = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    return dt.date(max(years), 12, 31)


def rows(first: dt.date, last: dt.date) -> list[tuple[str, str, str, str]]:
    out = []
    day = first
    while day <= last:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        workday = chinese_calendar.is_workday(day)
        in_lieu = workday and day.weekday() >= 5  # a weekend day worked (调休)
        out.append(
            (
                day.isoformat(),
                "true" if workday else "false",
                "true" if in_lieu else "false",
                (name or "") if (on_holiday or in_lieu) else "",
            )
        )
        day += dt.timedelta(days=1)
    return out


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["calendar_on", "is_workday", "is_adjusted_workday", "holiday_name"])
        w.writerows(rows(FIRST, last_supported_day()))
    print(f"wrote {OUT} ({FIRST} .. {last_supported_day()})")


if __name__ == "__main__":
    main()
