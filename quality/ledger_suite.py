"""台帐 vs EOMS, per contractor and month: is the contractor's ledger the EOMS inventory?

The seed names ledger drift as an inconsistency area (用户台帐管理不统一, 造成与
EOMS系统数据不对应); ledger_consistency_rate measures it as a rate. This suite
says *which* circuits and lines are wrong, per (contractor, month), in GE terms.

Batch **circuits**: one row per EOMS circuit in service at the end of the month
(activated_on <= month end and removed_on blank or after it, judged from the
dates, not from 状态), under its own EOMS contractor, for every month of the
spine (circuits with no contractor in EOMS belong to no ledger; the
eoms_circuits suite flags them), with

* `listed_count`: lines of that contractor's ledger snapshot of that month
  naming the circuit. Expected >= 1 (listed; a month with no snapshot leaves
  every circuit unlisted, kpis.md edge rule 12) and <= 1 (listed once);
* `<field>_agrees` for each compared field of seed ledger_fields (客户名称, 业务类型,
  地市, 区县, 带宽(M), 接入方式, A端地址, Z端地址; the list the dbt models read):
  every line of the circuit agrees with EOMS, text fields after NFKC, trim and
  inner-whitespace collapse, case-sensitive (`dw_name`, the same normalisation
  as the dbt models), number fields as typed; blank on both sides agrees. NULL
  when the circuit is not listed (a missing line is the listed check's finding,
  not one more per field).
  `eoms_<field>` / `ledger_<field>` carry both values into the samples (for a
  circuit listed twice, the first disagreeing line's value).

Batch **lines**: one row per ledger line; `in_service_for_contractor` is
expected true: a line naming a circuit that is not in service in EOMS at month
end for this contractor is an extra line; `eoms_state` says why (not in EOMS,
removed, not yet activated, another contractor's).

Both frames hold all contractor-months at once and are validated once; results
are split per (contractor, month) (results.py), which for these row-wise
expectations is the same as validating each contractor-month's frame alone.
"""

from __future__ import annotations

from core.seeds import ledger_fields
from quality import spec as s
from quality.reference import RunContext, month_label
from quality.spec import GRAIN_CONTRACTOR_MONTH, Batch, SuiteDef

# The compared fields and how each is compared: seed ledger_fields, the list the dbt models use.
_COMPARED = ledger_fields()
FIELDS = tuple(f.name for f in _COMPARED)
TEXT_FIELDS = tuple(f.name for f in _COMPARED if f.is_text)


def _norm(expr: str, field: str) -> str:
    return f"dw_name({expr})" if field in TEXT_FIELDS else expr


def circuits_sql() -> str:
    eoms_cols = ", ".join(f"{_norm('e.' + f, f)} AS {f}" for f in FIELDS)
    line_cols = ", ".join(f"{_norm('l.' + f, f)} AS {f}" for f in FIELDS)
    compared = ",\n".join(
        f"c.{f} AS eoms_{f}, l.{f} AS ledger_{f}, (c.{f} IS NOT DISTINCT FROM l.{f}) AS {f}_match" for f in FIELDS
    )
    per_circuit = ",\n".join(
        f"CASE WHEN count(line_row) > 0 THEN bool_and({f}_match) FILTER (WHERE line_row IS NOT NULL) END "
        f"AS {f}_agrees,\n"
        f"any_value(eoms_{f}) AS eoms_{f},\n"
        f"first(ledger_{f} ORDER BY {f}_match, line_file, line_row) FILTER (WHERE line_row IS NOT NULL) "
        f"AS ledger_{f}"
        for f in FIELDS
    )
    return f"""
        WITH eoms AS MATERIALIZED (
            SELECT e.circuit_id, e.contractor, e.activated_on, e.removed_on, {eoms_cols}
            FROM raw.eoms_circuits e WHERE e.contractor IS NOT NULL
        ),
        in_service AS (
            SELECT m.month, e.* FROM dq_circuit_months m JOIN eoms e USING (circuit_id)
        ),
        lines AS MATERIALIZED (
            SELECT {month_label("l.ledger_month")} AS month, l.contractor, l.circuit_id,
                l._file AS line_file, l._row AS line_row, {line_cols}
            FROM raw.ledger l
        ),
        compared AS (
            SELECT c.month, c.contractor, c.circuit_id, l.line_file, l.line_row,
                {compared}
            FROM in_service c
            LEFT JOIN lines l ON l.month = c.month AND l.contractor = c.contractor AND l.circuit_id = c.circuit_id
        )
        SELECT contractor, month, circuit_id,
            count(line_row) AS listed_count,
            string_agg(line_file || '#' || line_row, '; ' ORDER BY line_file, line_row) AS ledger_lines,
            {per_circuit}
        FROM compared
        GROUP BY contractor, month, circuit_id
        ORDER BY contractor, month, circuit_id
    """


def lines_sql() -> str:
    return f"""
        SELECT l.contractor, {month_label("l.ledger_month")} AS month, l.circuit_id, l._file, l._row,
            e.circuit_id IS NOT NULL AND e.contractor = l.contractor
                AND e.activated_on <= last_day(l.ledger_month)
                AND (e.removed_on IS NULL OR e.removed_on > last_day(l.ledger_month))
                AS in_service_for_contractor,
            CASE
                WHEN e.circuit_id IS NULL THEN 'not in EOMS'
                WHEN e.activated_on IS NULL OR e.activated_on > last_day(l.ledger_month)
                    THEN 'not yet activated (' || coalesce(CAST(e.activated_on AS VARCHAR), 'no date') || ')'
                WHEN e.removed_on <= last_day(l.ledger_month) THEN 'removed ' || CAST(e.removed_on AS VARCHAR)
                WHEN e.contractor IS DISTINCT FROM l.contractor
                    THEN 'EOMS contractor ' || coalesce(e.contractor, '(blank)')
            END AS eoms_state
        FROM raw.ledger l LEFT JOIN raw.eoms_circuits e ON e.circuit_id = l.circuit_id
        WHERE l.contractor IS NOT NULL AND l.ledger_month IS NOT NULL
        ORDER BY l.contractor, l.ledger_month, l.circuit_id, l._file, l._row
    """


def batches(ctx: RunContext) -> list[Batch]:
    circuit_checks = [
        s.between("listed_count", 1, None),
        s.between("listed_count", None, 1, show=("ledger_lines",)),
        *(s.is_true(f"{f}_agrees", show=(f"eoms_{f}", f"ledger_{f}")) for f in FIELDS),
    ]
    return [
        Batch("circuits", circuits_sql(), ("circuit_id",), tuple(circuit_checks), GRAIN_CONTRACTOR_MONTH),
        Batch(
            "lines",
            lines_sql(),
            ("circuit_id",),
            (s.is_true("in_service_for_contractor", show=("eoms_state",)),),
            GRAIN_CONTRACTOR_MONTH,
            ("_file", "_row"),
        ),
    ]


SUITES: tuple[SuiteDef, ...] = (
    SuiteDef(
        "ledger_vs_eoms",
        "raw_ledger",
        batches,
        check_name="ledger_matches_eoms",
        doc="用户台帐 vs EOMS per contractor and month: listed, once, fields agree, no extra lines",
    ),
)
