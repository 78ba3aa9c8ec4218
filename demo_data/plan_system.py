"""Files the province's own systems export: EOMS inventory, EOMS tickets, NMS device metrics.

System exports are UTF-8 and change format only when the system is upgraded
(one style per month here). Also the files that must be rejected whole: a
"workbook" that is really an HTML page, and a summary sheet nobody asked for.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import polars as pl

from demo_data import metrics, records
from demo_data.common import Month, rng_for
from demo_data.emit import Ctx, emit_csv, special, stamp
from demo_data.messy import Style
from demo_data.world import World
from ingestion.datasets import DEVICE_METRICS, EOMS_CIRCUITS, TICKETS

TICKET_STYLES = (
    Style(ts="iso_s", yesno="cn"),
    Style(
        ts="slash",
        yesno="yn",
        ids=0.03,
        blank_zero=("suspended_minutes", "spare_wait_minutes"),
        headers={
            "suspended_minutes": "挂起时长（分钟）",
            "dispatched_at": " 派单时间 ",
            "spare_wait_minutes": "备件等待时长（分钟）",
        },
    ),
    Style(
        ts="mixed",
        yesno="mixed",
        ids=0.05,
        blank_zero=("suspended_minutes",),
        headers={"channel": "受理方式", "arrived_at": "上门时间", "spare_wait_minutes": "备件等待时长"},
        extra={"备注": "EOMS导出"},
    ),
)
TICKET_PLANTS = (
    [
        ("acknowledged_at", "unparseable_timestamp"),
        ("county", "county_not_in_prefecture"),
        ("suspended_minutes", "negative_integer"),
        ("ticket_type", "bad_enum"),
        ("circuit_id", "required_blank"),
    ],
    [
        ("spare_used", "bad_yesno"),
        ("suspended_minutes", "negative_integer"),
        ("spare_wait_minutes", "not_an_integer"),
    ],
    [
        ("status", "bad_enum"),
        ("spare_wait_minutes", "not_an_integer"),
        ("dispatched_at", "unparseable_timestamp"),
    ],
)
EOMS_PLANTS: tuple[list[tuple[str, str]], ...] = (
    [("county", "county_not_in_prefecture")],
    [("activated_on", "unparseable_date"), ("access_type", "bad_enum"), ("bandwidth_mbps", "bandwidth_zero")],
    [],
)


def eoms(world: World, ctx: Ctx) -> None:
    for k, m in enumerate(world.months):
        snap = records.eoms_snapshot(world, m)
        rel = f"{m.iso}/eoms_circuits_{stamp(m, 1)}.csv"
        style = Style(date=("iso", "slash", "mixed")[k % 3])
        # Plant only in lines an earlier export already holds, and never in the last export.
        avoid = set(np.flatnonzero((snap["activated_on"] >= world.start).to_numpy()).tolist())
        plants = EOMS_PLANTS[k] if k < len(EOMS_PLANTS) and k < len(world.months) - 1 else []
        enc = "utf-8-sig" if k % 3 == 1 else "utf-8"
        emit_csv(ctx, rel, snap, EOMS_CIRCUITS, style, enc, plants=plants, avoid=avoid)


def tickets(world: World, ctx: Ctx, df: pl.DataFrame) -> None:
    n = len(world.months)
    for k, m in enumerate(world.months):
        month = df.filter(pl.col("month") == m.iso)
        rel = f"{m.iso}/tickets_{m.iso}_{stamp(m, 5)}.csv"
        plants = [p for j, ps in enumerate(TICKET_PLANTS) if min(j, n - 1) == k for p in ps]
        avoid = set(np.flatnonzero((month["status"] != "已归档").to_numpy()).tolist())
        if k == special(n):
            fixed = _correction(world, ctx, month, m)
            ids = set(fixed["ticket_id"].to_list())
            avoid |= set(np.flatnonzero(month["ticket_id"].is_in(list(ids)).to_numpy()).tolist())
        emit_csv(ctx, rel, month, TICKETS, TICKET_STYLES[k % 3], "utf-8", plants=plants, avoid=avoid)
        if k == special(n):
            corr = f"{m.iso}/tickets_{m.iso}_{stamp(m, 15)}.csv"
            emit_csv(
                ctx,
                corr,
                fixed,
                TICKETS,
                replace(TICKET_STYLES[1], ids=0.5),
                "utf-8",
                features=["correction"],
            )
            ctx.delivery.corrections.append({"original": rel, "correction": corr, "keys": sorted(ids)})


def _correction(world: World, ctx: Ctx, month: pl.DataFrame, m: Month) -> pl.DataFrame:
    """A re-export 10 days later: open tickets closed, a 完成时间 filled, causes fixed, one cancelled."""
    rng = rng_for(world.seed, "correction", m.iso)
    done = month.filter((pl.col("status") == "处理中") & (pl.col("cidx") >= 0) & pl.col("completed_true").is_not_null())
    done = done.head(8).with_columns(
        pl.lit("已归档").alias("status"),
        pl.col("completed_true").alias("completed_at"),
        pl.col("closed_true").alias("closed_at"),
    )
    archived = month.filter((pl.col("status") == "已归档") & (pl.col("type") == "故障"))
    filled = (
        archived.filter(pl.col("completed_at").is_null())
        .head(3)
        .with_columns(pl.col("completed_true").alias("completed_at"))
    )
    unknown = (
        archived.filter(pl.col("cause_category") == "不明原因")
        .head(3)
        .with_columns(
            pl.lit("光缆线路").alias("cause_category"),
            pl.lit("光缆中断").alias("cause_detail"),
            pl.lit("查找断点重新熔接后业务恢复").alias("resolution_note"),
        )
    )
    taken = set(filled["ticket_id"].to_list()) | set(unknown["ticket_id"].to_list())
    pool = archived.filter(~pl.col("ticket_id").is_in(list(taken)))
    cancel = pool[int(rng.integers(0, pool.height))].with_columns(pl.lit("已作废").alias("status"))
    return pl.concat([done, filled, unknown, cancel]).unique("ticket_id", keep="first", maintain_order=True)


def device_metrics(world: World, ctx: Ctx) -> None:
    for k, m in enumerate(world.months):
        rel = f"{m.iso}/device_metrics_{m.iso}.parquet"
        start = datetime.combine(m.start, datetime.min.time())
        plant = (5, metrics.H_MEM, 130.0) if k == 0 else None
        rows = metrics.write_parquet(
            ctx.delivery.root / rel,
            metrics.chunks(world.devices, start, m.days * 24, world.seed, m.iso, world.scale.metric_gap),
            plant=plant,
        )
        ctx.delivery.record(rel, DEVICE_METRICS.name, "parquet", None, ["typed_columns", "row_groups"], rows)
        if plant:
            ctx.planter.bad_rows.append({"file": rel, "row": plant[0] + 2, "column": plant[1], "kind": "pct_over_100"})
    _metrics_csv(world, ctx)


def _metrics_csv(world: World, ctx: Ctx) -> None:
    """A second NMS (集客网管) exports a dozen devices as CSV, with its own header habits."""
    m = world.months[special(len(world.months))]
    rng = rng_for(world.seed, "metrics-csv")
    dev = metrics.synthetic_devices(12, world.seed + 1)
    live = records.live_on(world, m.end)["circuit_id"].to_numpy()
    dev = dev.with_columns(
        pl.Series("device_id", [f"GZJK{i + 1:06d}" for i in range(dev.height)]),
        pl.Series("circuit_id", live[rng.integers(0, len(live), dev.height)]),
    )
    start = datetime.combine(m.start, datetime.min.time())
    tab = pl.concat([pl.DataFrame(t) for t in metrics.chunks(dev, start, m.days * 24, world.seed, "csv")])
    tab = tab.rename({c.header: c.name for c in DEVICE_METRICS.columns})
    style = Style(
        ts="slash",
        ids=0.02,
        decimals=2,
        headers={"cpu_pct": "CPU利用率", "latency_ms": "平均时延（ms）", "ping_sent": " Ping发送数"},
    )
    plants = [
        ("cpu_pct", "pct_over_100"),
        ("ping_lost", "lost_gt_sent"),
        ("latency_ms", "not_a_number"),
        ("collected_at", "unparseable_timestamp"),
    ]
    emit_csv(
        ctx,
        f"{m.iso}/device_metrics_{m.iso}_集客网管.csv",
        tab,
        DEVICE_METRICS,
        style,
        "gb18030",
        crlf=True,
        plants=plants,
    )


def rejected_files(world: World, ctx: Ctx) -> None:
    m = world.months[special(len(world.months))]
    rel = f"{m.iso}/tickets_{m.iso}_export.xlsx"
    html = (
        '<html><head><meta charset="gbk"></head><body><table><tr><td>工单编号</td><td>派单时间</td></tr>'
        "<tr><td>GZ-EOMS-000001</td><td>2026-09-01 08:00</td></tr></table></body></html>"
    )
    ctx.delivery.raw(rel, html.encode("gbk"), TICKETS.name, "xlsx", ["not_a_workbook", "html_saved_as_xlsx"], 0)
    ctx.delivery.rejected_files.append({"path": rel, "why": "not a readable Excel workbook (HTML page saved as .xlsx)"})

    last = world.months[-1]
    rel = f"{last.iso}/汇总说明.csv"
    frame = pl.DataFrame(
        {
            "序号": ["1", "2", "3"],
            "事项": ["本月交付文件清单", "数据口径说明", "联系人"],
            "说明": ["见各月目录", "时间均为北京时间", "网络部 综合室"],
        }
    )
    ctx.delivery.csv(rel, frame, None, "utf-8", ["no_dataset_header"])
    ctx.delivery.rejected_files.append({"path": rel, "why": "header matches no dataset"})
