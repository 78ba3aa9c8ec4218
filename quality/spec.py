"""What a suite is, written as plain data so that defining suites never imports Great Expectations.

GE takes 5-10 s to import and every Dagster process imports the definitions,
so suites are described here with lightweight `Check` objects and turned into
GE `Expectation`s only when a run validates (`gx_engine.py`).

* A `Check` is one GE expectation: its snake_case type and keyword arguments.
  Its readable name (`expect_column_values_to_be_between(listed_count, 1, None)`)
  is what `audit.dq_results.expectation` holds, so it must stay stable from run
  to run: bounds that move with the clock are shown symbolically (`now+1d`).
* A `Batch` is one frame computed in DuckDB plus the checks run on it. Its
  `grain` says how results are reported: () for the whole frame, ("contractor",)
  or ("contractor", "month"), where those are columns of the frame.
* A `Suite` is the set of batches whose findings belong to one raw asset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Expectations judged row by row: their results can be split per (contractor, month) exactly.
ROW_WISE_PREFIXES = ("expect_column_values_", "expect_column_pair_values_", "expect_compound_columns_")

# Keyword arguments that name the domain (shown first, unlabelled) and that are not shown at all.
_DOMAIN_KEYS = ("column", "column_A", "column_B", "column_list")
_HIDDEN_KEYS = ("ignore_row_if",)
_POSITIONAL_KEYS = ("min_value", "max_value", "value_set", "regex")


def _show(value: Any) -> str:
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, date | datetime):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


@dataclass(frozen=True)
class Check:
    """One GE expectation. `show` names extra frame columns to put in unexpected samples."""

    type: str
    kwargs: Mapping[str, Any]
    show: tuple[str, ...] = ()
    # Display text for arguments whose value moves with the clock, e.g. {"max_value": "now+1d"}.
    display: Mapping[str, str] = field(default_factory=dict)

    @property
    def row_wise(self) -> bool:
        return self.type.startswith(ROW_WISE_PREFIXES)

    @property
    def domain(self) -> tuple[str, ...]:
        """The frame columns the expectation reads."""
        kw = self.kwargs
        if "column_list" in kw:
            return tuple(kw["column_list"])
        if "column_A" in kw:
            return (kw["column_A"], kw["column_B"])
        if "column" in kw:
            return (kw["column"],)
        return ()

    @property
    def column(self) -> str | None:
        """`audit.dq_results.column`: the domain columns, comma-separated; NULL for table-level checks."""
        return ",".join(self.domain) or None

    @property
    def name(self) -> str:
        """Readable and stable: `type(domain..., positional bounds..., other=kw)`."""
        parts = list(self.domain)
        kw = self.kwargs
        for key in _POSITIONAL_KEYS:
            bound = key in ("min_value", "max_value") and self.type.endswith("_between")
            if bound or key in kw:
                parts.append(self.display.get(key, _show(kw.get(key))))
        for key, value in kw.items():
            if key in _DOMAIN_KEYS or key in _HIDDEN_KEYS or key in _POSITIONAL_KEYS:
                continue
            parts.append(f"{key}={self.display.get(key, _show(value))}")
        return f"{self.type}({', '.join(parts)})"


# --- constructors: one line per expectation in the suite modules ---------------------------------


def not_null(column: str, *, show: Sequence[str] = ()) -> Check:
    return Check("expect_column_values_to_not_be_null", {"column": column}, tuple(show))


def unique(column: str, *, show: Sequence[str] = ()) -> Check:
    return Check("expect_column_values_to_be_unique", {"column": column}, tuple(show))


def unique_together(*columns: str, show: Sequence[str] = ()) -> Check:
    return Check(
        "expect_compound_columns_to_be_unique",
        {"column_list": list(columns), "ignore_row_if": "any_value_is_missing"},
        tuple(show),
    )


def in_set(column: str, values: Sequence[Any], *, mostly: float | None = None, show: Sequence[str] = ()) -> Check:
    kw: dict[str, Any] = {"column": column, "value_set": list(values)}
    if mostly is not None:
        kw["mostly"] = mostly
    return Check("expect_column_values_to_be_in_set", kw, tuple(show))


def is_true(column: str, *, show: Sequence[str] = ()) -> Check:
    """For a boolean column computed in DuckDB (a reference or cross-field rule); NULL = not applicable."""
    return in_set(column, [True], show=show)


def between(
    column: str,
    min_value: Any = None,
    max_value: Any = None,
    *,
    mostly: float | None = None,
    show: Sequence[str] = (),
    display: Mapping[str, str] | None = None,
) -> Check:
    kw: dict[str, Any] = {"column": column}
    if min_value is not None:
        kw["min_value"] = min_value
    if max_value is not None:
        kw["max_value"] = max_value
    if mostly is not None:
        kw["mostly"] = mostly
    disp = dict(display or {})
    disp.setdefault("min_value", _show(min_value) if min_value is not None else "None")
    disp.setdefault("max_value", _show(max_value) if max_value is not None else "None")
    return Check("expect_column_values_to_be_between", kw, tuple(show), disp)


def matches(column: str, regex: str, *, label: str | None = None, show: Sequence[str] = ()) -> Check:
    """`label` names the pattern in the readable expectation name (long regexes are unreadable there)."""
    display = {"regex": label} if label else {}
    return Check("expect_column_values_to_match_regex", {"column": column, "regex": regex}, tuple(show), display)


def a_not_before_b(a: str, b: str, *, show: Sequence[str] = ()) -> Check:
    """a >= b where both are present (timestamps in order, fixed <= found, ...)."""
    return Check(
        "expect_column_pair_values_a_to_be_greater_than_b",
        {"column_A": a, "column_B": b, "or_equal": True, "ignore_row_if": "either_value_is_missing"},
        tuple(show),
    )


# --- batches and suites ----------------------------------------------------------------------------

GRAIN_CONTRACTOR_MONTH = ("contractor", "month")
GRAIN_CONTRACTOR = ("contractor",)


@dataclass(frozen=True)
class Batch:
    """One frame (SQL run in DuckDB, fetched to pandas) and the checks validated on it.

    `key` identifies a row in samples and orders the frame (samples are the first
    unexpected rows in that order, so they are deterministic); `trace` columns
    (source file and row) are added to every sample so a finding can be found in
    the delivered file.
    """

    name: str
    sql: str
    key: tuple[str, ...]
    checks: tuple[Check, ...]
    grain: tuple[str, ...] = ()
    trace: tuple[str, ...] = ()
    # The frame's timestamp or date column whose calendar month is `month`: a run that validates
    # some months also filters it to their range, so DuckDB skips other months' row groups by
    # their min/max instead of formatting every row's month (the year of tickets).
    month_of: str | None = None

    def __post_init__(self) -> None:
        if self.grain:
            bad = [c.name for c in self.checks if not c.row_wise]
            if bad:
                raise ValueError(f"batch {self.name}: per-{'/'.join(self.grain)} checks must be row-wise: {bad}")


@dataclass(frozen=True)
class Suite:
    name: str
    asset: str  # the Dagster raw asset its findings belong to, e.g. raw_tickets
    batches: tuple[Batch, ...]


@dataclass(frozen=True)
class SuiteDef:
    """A suite known by name and asset before a run; its batches are built for the run's context."""

    name: str
    asset: str
    build: Callable[[Any], Sequence[Batch]]
    check_name: str = "data_quality"  # the Dagster asset check that reports it
    doc: str = ""

    def suite(self, ctx: Any) -> Suite:
        return Suite(self.name, self.asset, tuple(self.build(ctx)))
