"""The contractor scope, applied once: every relation a reader touches is replaced by what the principal may see.

access.md: a contractor sees its own rows only, on every page, download, pack and
export; in comparisons the other contractors appear only as 代维公司A/B/… with
their figures, never their names, tickets, technicians or people; and only months
that are published to it (open or closed). Scoping is enforced where the data is
read, not by hiding widgets, so a contractor who edits a query parameter or a
session value still gets only its own rows.

How: `scoped(reader, scope)` wraps any reader (the pages' cached one, the pack's
direct one). Before a query runs, every `marts.<name>` / `audit.<name>` it names
is replaced by a sub-query of that relation restricted to the scope, following
the relation's rule in `RULES`. A relation without a rule is refused for a
contractor (fail closed): a new mart cannot leak by being forgotten here.
Because the rewritten SQL carries the scope, the pages' cache keys differ per
contractor too.

Rules:
* ``public``: reference tables without contractor data (the KPI and area catalogues).
* ``figures``: comparison figures. Other contractors' rows stay, renamed 代维公司A/B/…
  (the province rows, contractor '', stay as they are); with ``comparisons=False``
  (exports, the contractor's pack) only its own rows remain.
* ``own``: ticket-, technician-, circuit- and penalty-level rows: its own rows only.
* ``hidden``: the department's load log and rejects: no rows for a contractor.

Months: a rule's ``month_column`` restricts a contractor to the months published to it.
Quarter and year rows (``period=True``) name their data months in one comma-separated
column (``months_in_period``): such a row is visible only when every one of its months is
published. A DuckDB table macro (``marts.watch_list_at(…)``, the watch list at any
moment) is scoped like a relation: the call, with its literal or ``CAST(? AS …)``
arguments, becomes the sub-query's source.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from core.principal import Principal
from reporting.reader import DB, DirectDB

PSEUDONYM_PREFIX = "代维公司"
OTHER = "其他代维公司"  # a name outside the alias list (cannot happen for a run's own marts): never shown in clear


@dataclass(frozen=True)
class Rule:
    kind: str  # public | figures | own | hidden
    # columns holding a contractor name that are renamed for other contractors (figures) / matched (own)
    contractor_columns: tuple[str, ...] = ("contractor",)
    month_column: str | None = "month"
    period: bool = False  # month_column lists the period's data months, comma-separated (quarters, years)


_FIG = Rule("figures")
_OWN = Rule("own")
_PUBLIC = Rule("public", (), None)
_HIDDEN = Rule("hidden", (), None)
_FIG_PERIOD = Rule("figures", ("contractor",), "months_in_period", period=True)
_OWN_PERIOD = Rule("own", ("contractor",), "months_in_period", period=True)
_OWN_ANY_MONTH = Rule("own", ("contractor",), None)  # operational lists: open work is the contractor's to act on

RULES: dict[str, Rule] = {
    # reference marts: no contractor data
    "marts.dim_kpis": _PUBLIC,
    "marts.dim_areas": _PUBLIC,
    "marts.dim_funnel_limits": _PUBLIC,
    # e-mail addresses of the pack's recipients: for the delivery only, never a page or an export
    "marts.dim_pack_recipients": _HIDDEN,
    # figures: comparisons show the others under an alias
    "marts.fct_kpi": _FIG,
    "marts.mart_kpi_funnel": _FIG,
    "marts.mart_area_scores": _FIG,
    "marts.mart_area_export": _FIG,
    "marts.mart_area_index": Rule("figures", ("best_contractor", "worst_contractor"), "month"),
    "marts.mart_dq_scores": _FIG,
    "marts.mart_acceptance_quality": _FIG,
    "marts.mart_activation_lead_times": _FIG,
    "marts.mart_channel_mix": _FIG,
    "marts.mart_fault_cause_quality": _FIG,
    "marts.mart_inspection_quality": _FIG,
    "marts.mart_spare_waits": _FIG,
    "marts.mart_staffing": _FIG,
    "marts.mart_kpi_adjustments": _FIG,
    "marts.mart_restatements": _OWN,
    "marts.mart_suspension_minutes": _FIG,
    "marts.mart_region_staffing": _FIG,
    # quarters and years: visible when every month of the period is published
    "marts.fct_kpi_periods": _FIG_PERIOD,
    "marts.mart_settlement": _OWN_PERIOD,
    # the watch list (operations.md): its own open tickets and circuits, whatever the month
    "marts.mart_watch_list": _OWN_ANY_MONTH,
    "marts.watch_list_at": _OWN_ANY_MONTH,
    # detail: own rows only
    "marts.fct_penalty_items": _OWN,
    "marts.mart_breaches": _OWN,
    "marts.mart_fault_pareto": _OWN,
    "marts.mart_fault_tickets": _OWN,
    "marts.mart_ledger_findings": _OWN,
    "marts.mart_overdue_sites": _OWN,
    "marts.mart_technician_penalties": _OWN,
    "marts.mart_ticket_steps": _OWN,
    "marts.mart_suspension_rescues": _OWN,
    "audit.dq_results": _OWN,
    # the department's loading records: files are not attributed to one contractor
    "audit.load_log": _HIDDEN,
    "audit.rejects": _HIDDEN,
    "audit.load_plan": _HIDDEN,
    "audit.file_stats": _HIDDEN,
    # run bookkeeping: which seeds the warehouse holds (orchestration/assets/dbt.py, decision 91)
    "audit.dbt_seeds_loaded": _HIDDEN,
    "audit.dbt_inputs_built": _HIDDEN,
    "audit.warehouse_province": _HIDDEN,
}

# a relation, or a table-macro call whose arguments are literals, `?` or one level of parentheses (CAST(? AS …))
_RELATION = re.compile(
    r"(?<![\w.\"'])((?:marts|audit)\.[a-z_][a-z0-9_]*)\b(\s*\((?:[^()']|'(?:[^']|'')*'|\((?:[^()']|'(?:[^']|'')*')*\))*\))?"
)


class OutOfScope(PermissionError):
    """A contractor's query named a relation that has no scope rule (fail closed)."""


@dataclass(frozen=True)
class Scope:
    """What one reader may see. contractor None = every contractor (the department's roles)."""

    contractor: str | None = None
    months: frozenset[str] | None = None  # None = every month
    comparisons: bool = True  # False: figure marts keep only the contractor's own rows (exports, its pack)

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @classmethod
    def for_principal(
        cls, principal: Principal, visible_months: Iterable[str] | None, *, comparisons: bool = True
    ) -> Scope:
        """A contractor's scope (its name, the months published to it); the department sees everything."""
        if principal.sees_everything:
            return cls()
        months = None if visible_months is None else frozenset(visible_months)
        return cls(contractor=principal.contractor, months=months, comparisons=comparisons)

    @property
    def is_everything(self) -> bool:
        return self.contractor is None and self.months is None


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def pseudonyms(names: Iterable[str], own: str) -> dict[str, str]:
    """代维公司A, B, … for every contractor but `own`, in an order that does not follow the names.

    The order is that of the names' SHA-256, so it is stable from run to run and month to month
    (a contractor learns nothing from the letter) and is the same on every page, download and pack.
    """
    others = sorted({n for n in names if n and n != own}, key=lambda n: hashlib.sha256(n.encode()).hexdigest())
    return {n: PSEUDONYM_PREFIX + _letters(i) for i, n in enumerate(others)}


def _letters(i: int) -> str:
    """A, B, …, Z, AA, AB, … (spreadsheet column letters)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


class ScopedDB:
    """A reader whose every query sees only what the scope allows (the `DB` interface)."""

    def __init__(self, inner: DB, scope: Scope) -> None:
        self.inner = inner
        self.scope = scope
        self._aliases: dict[str, str] | None = None

    # -- the DB interface -------------------------------------------------------------------------
    def df(self, sql: str, *params: object) -> pd.DataFrame:
        return self.inner.df(self.rewrite(sql), *params)

    def has(self, *relations: str) -> bool:
        return self.inner.has(*relations)

    def columns(self, relation: str) -> list[str]:
        return self.inner.columns(relation)

    def __getattr__(self, name: str) -> object:  # mtime, path, … of the wrapped reader
        return getattr(self.inner, name)

    # -- the rewrite ------------------------------------------------------------------------------
    def rewrite(self, sql: str) -> str:
        if self.scope.is_everything:
            return sql
        return _RELATION.sub(lambda m: self._relation(m.group(1), m.group(2) or ""), sql)

    def aliases(self) -> dict[str, str]:
        """Every contractor of the warehouse but this one → its 代维公司 alias."""
        if self._aliases is None:
            names = self.inner.df("SELECT DISTINCT contractor FROM marts.fct_kpi WHERE contractor <> ''")
            self._aliases = pseudonyms(names["contractor"].tolist(), self.scope.contractor or "")
        return self._aliases

    def _relation(self, rel: str, call: str = "") -> str:
        rule = RULES.get(rel)
        source = rel + call
        if rule is None:
            raise OutOfScope(f"{rel}: 没有数据范围规则，拒绝读取 / no scope rule for this relation, refused")
        if rule.kind == "public":
            return source
        where = self._where(rule)
        if rule.kind == "hidden":
            return f"(SELECT * FROM {source} WHERE false)"
        own = _quote(self.scope.contractor) if self.scope.contractor is not None else None
        if rule.kind == "own" or not self.scope.comparisons:
            if own is not None:
                col = rule.contractor_columns[0]
                if rule.kind == "figures" and col != "contractor":  # the area index: names only, figures stay
                    return f"(SELECT {self._renamed(rule)} FROM {source}{_and(where)})"
                where.append(f"{col} = {own}")
            return f"(SELECT * FROM {source}{_and(where)})"
        return f"(SELECT {self._renamed(rule)} FROM {source}{_and(where)})"

    def _where(self, rule: Rule) -> list[str]:
        if self.scope.months is None or rule.month_column is None:
            return []
        if not self.scope.months:
            return ["false"]
        listed = ", ".join(_quote(m) for m in sorted(self.scope.months))
        if rule.period:
            return [f"list_has_all([{listed}], string_split(CAST({rule.month_column} AS VARCHAR), ','))"]
        return [f"substr(CAST({rule.month_column} AS VARCHAR), 1, 7) IN ({listed})"]

    def _renamed(self, rule: Rule) -> str:
        if self.scope.contractor is None:
            return "*"
        own = _quote(self.scope.contractor)
        whens = " ".join(f"WHEN {_quote(n)} THEN {_quote(a)}" for n, a in self.aliases().items())
        parts = []
        for col in rule.contractor_columns:
            # one name, or several tied ones joined by ', ' (the area index's best / worst): each is kept when it
            # is the contractor's own and replaced by its alias otherwise, so a tie keeps its own name in it
            each = f"CASE x WHEN {own} THEN x {whens} ELSE {_quote(OTHER)} END"
            names = f"array_to_string(list_sort(list_transform(string_split({col}, ', '), lambda x: {each})), ', ')"
            parts.append(f"CASE WHEN {col} IS NULL OR {col} = '' OR {col} = {own} THEN {col} ELSE {names} END AS {col}")
        return f"* REPLACE ({', '.join(parts)})"


def _and(conditions: list[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def scoped(reader: DB, scope: Scope) -> DB:
    """`reader` itself for the department, else a reader that applies the scope to every query."""
    return reader if scope.is_everything else ScopedDB(reader, scope)


def scoped_sql(con: duckdb.DuckDBPyConnection, scope: Scope | None, sql: str) -> str:
    """`sql` rewritten for the scope, for the exports that read a raw connection (exact DECIMAL values)."""
    if scope is None or scope.is_everything:
        return sql
    return ScopedDB(DirectDB(con), scope).rewrite(sql)
