"""设备性能 at province scale: validate aggregates and a bounded sample, never the table.

`raw.device_metrics` passes 100 million rows in a province-year, far too many
for pandas (and for GE, which works row by row in Python-sized frames). So:

* **device_metrics** (exact): per (device, month): samples, min/max of CPU,
  memory and latency, samples with lost > sent, 1472-byte pings, incomplete
  samples, first/last sample time and whether the device reported one circuit.
  These come from the dbt model `int_device_months_aggregated` (incremental: the
  year is not rescanned when a month is added), about devices x months rows
  (~150 k for a province-year),
  which GE validates per (contractor, month); the contractor is the circuit's
  in EOMS, as for the device_health_rate KPI. Every bound that can be checked
  row by row is checked exactly through the min/max (cpu_max <= 100 holds for
  the month iff every sample's cpu_pct <= 100).
* **device_metrics_sample** (distributional): at most SAMPLE_ROWS rows of the
  months the run loaded (every month's on a manual run), chosen by a hash of
  the natural key, so the same data always gives the same sample (DuckDB's
  USING SAMPLE is repeatable only single-threaded), for checks that are about
  proportions: pings normally 1472 bytes, latency plausible.

The aggregate is a TEMP table also used for the month spine (reference.py).
"""

from __future__ import annotations

import math

import duckdb

from quality import spec as s
from quality.reference import (
    ASSESSED_PING_SIZE,
    DEVICE_MONTHS,
    RunContext,
    month_label,
    month_range,
    quoted_months,
)
from quality.spec import GRAIN_CONTRACTOR_MONTH, Batch, SuiteDef

SAMPLE_ROWS = 50_000
DEVICE_TYPES = ("ONU", "PBX", "IAD", "路由器", "交换机", "光纤收发器", "协议转换器", "防火墙", "WLAN设备", "信息机")


def aggregate(con: duckdb.DuckDBPyConnection) -> None:
    """`dq_device_months`: one row per (device, month), from the dbt model `int_device_months_aggregated`.

    That model already holds, per device × month × ping size, the counts, ranges and first/last
    sample time this suite validates, and it is incremental (a run recomputes only the months
    that received samples). Rolling its rows up over ping sizes is exact for counts, min and max,
    and it reads ~150 k rows at a province-year instead of scanning 100 M samples again.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dq_device_months AS
        SELECT
            device_id,
            month AS month_start,
            sum(sample_count) AS samples,
            sum(circuit_sample_count) AS samples_with_circuit,
            min(circuit_id_min) AS circuit_id,
            max(circuit_id_max) AS circuit_id_max,
            min(device_type_min) AS device_type,
            max(device_type_max) AS device_type_max,
            min(cpu_pct_min) AS cpu_min, max(cpu_pct_max) AS cpu_max,
            min(mem_pct_min) AS mem_min, max(mem_pct_max) AS mem_max,
            min(latency_ms_min) AS latency_min, max(latency_ms_max) AS latency_max,
            sum(lost_over_sent_count) AS lost_gt_sent_samples,
            coalesce(sum(sample_count) FILTER (WHERE ping_size_bytes = {ASSESSED_PING_SIZE}), 0) AS samples_1472,
            sum(incomplete_sample_count) AS incomplete_samples,
            min(first_sample_at) AS first_at,
            max(last_sample_at) AS last_at
        FROM {DEVICE_MONTHS}
        WHERE month IS NOT NULL
        GROUP BY ALL
        """
    )


def sampled_months(months: tuple[str, ...] | None) -> str:
    """The samples the sample batch draws from: every sample (None), or those collected in `months`,
    found through the row groups of their time range (a run that adds a month does not hash the
    year's samples again, decision 107)."""
    if months is None:
        return "true"
    if not months:
        return "false"
    in_months = f"{month_label('collected_at')} IN ({quoted_months(months)})"
    in_range = month_range("collected_at", months)
    return in_months if in_range is None else f"{in_months} AND {in_range}"


def batches(ctx: RunContext) -> list[Batch]:
    months = f"""
        SELECT dm.device_id, {month_label("dm.month_start")} AS month, e.contractor,
            dm.circuit_id, dm.circuit_id_max, dm.device_type, dm.device_type_max, dm.samples,
            dm.samples - dm.samples_with_circuit AS samples_without_circuit,
            dm.circuit_id = dm.circuit_id_max AS one_circuit_in_month,
            CASE WHEN dm.circuit_id IS NULL THEN NULL ELSE e.circuit_id IS NOT NULL END AS circuit_in_eoms,
            dm.device_type = dm.device_type_max AS one_device_type,
            dm.cpu_min, dm.cpu_max, dm.mem_min, dm.mem_max, dm.latency_min, dm.latency_max,
            dm.lost_gt_sent_samples, dm.samples_1472,
            dm.incomplete_samples / dm.samples AS incomplete_share,
            dm.samples / (date_diff('hour', dm.first_at, dm.last_at) + 1) AS hourly_coverage,
            dm.first_at, dm.last_at
        FROM dq_device_months dm LEFT JOIN raw.eoms_circuits e ON e.circuit_id = dm.circuit_id
        ORDER BY dm.device_id, dm.month_start
    """
    month_checks = (
        s.not_null("device_id"),
        s.unique_together("device_id", "month"),
        s.between("samples_without_circuit", 0, 0),
        s.is_true("circuit_in_eoms", show=("circuit_id",)),
        s.is_true("one_circuit_in_month", show=("circuit_id", "circuit_id_max")),
        s.is_true("one_device_type", show=("device_type", "device_type_max")),
        s.between("cpu_min", 0, None),
        s.between("cpu_max", None, 100),
        s.between("mem_min", 0, None),
        s.between("mem_max", None, 100),
        s.between("latency_min", 0, None),
        s.between("latency_max", None, 5_000),
        s.between("lost_gt_sent_samples", 0, 0),
        # device_health_rate judges loss on pings of the seed's size only (1472): none means "not healthy".
        s.between("samples_1472", 1, None, show=("samples",)),
        s.between("incomplete_share", 0, 0.05, show=("samples",)),
        # Hourly by default: fewer than 90 % of the hours between first and last sample is a gap.
        s.between("hourly_coverage", 0.9, None, show=("samples", "first_at", "last_at")),
    )
    modulus = max(1, math.ceil(1.25 * ctx.device_metric_rows / SAMPLE_ROWS))
    sample = f"""
        SELECT device_id, collected_at, circuit_id, device_type, cpu_pct, mem_pct, ping_size_bytes,
            ping_sent, ping_lost, latency_ms, _file, _row
        FROM raw.device_metrics
        WHERE {sampled_months(ctx.sample_months)} AND hash(device_id, collected_at) % {modulus} = 0
        ORDER BY device_id, collected_at
        LIMIT {SAMPLE_ROWS}
    """
    sample_checks = (
        s.in_set("ping_size_bytes", [ctx.assessed_ping_size], mostly=0.9),
        s.between("ping_sent", 1, None, mostly=0.99),
        s.between("latency_ms", 0, 1_000, mostly=0.999),
        s.in_set("device_type", DEVICE_TYPES, mostly=0.99),
    )
    return [
        Batch("device_months", months, ("device_id", "month"), month_checks, GRAIN_CONTRACTOR_MONTH),
        Batch("sample", sample, ("device_id", "collected_at"), sample_checks, (), ("_file", "_row")),
    ]


def _months_only(ctx: RunContext) -> list[Batch]:
    return [b for b in batches(ctx) if b.name == "device_months"]


def _sample_only(ctx: RunContext) -> list[Batch]:
    return [b for b in batches(ctx) if b.name == "sample"]


SUITES: tuple[SuiteDef, ...] = (
    SuiteDef("device_metrics", "raw_device_metrics", _months_only, doc="设备性能 per device-month (exact)"),
    SuiteDef("device_metrics_sample", "raw_device_metrics", _sample_only, doc="设备性能 hash sample (proportions)"),
)
