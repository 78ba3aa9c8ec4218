"""NMS device metrics: hourly samples generated in numpy blocks and streamed to Parquet.

A province-year is over 100 million rows, so nothing is held whole: devices are
processed in blocks of about a million rows (one Parquet row group each), each
block drawn from its own seeded stream so the file is identical on a re-run.
Device behaviour (hot CPU or memory, lossy links, 64-byte-only pings) is fixed
per device, which is what the device-health KPI sees month after month.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from demo_data.common import rng_for

H_DEVICE, H_CIRCUIT, H_TYPE, H_TIME = "设备编号", "专线编号", "设备类型", "采集时间"
H_CPU, H_MEM, H_SIZE, H_SENT, H_LOST, H_LAT = (
    "CPU利用率(%)",
    "内存利用率(%)",
    "Ping包长(字节)",
    "Ping发送数",
    "Ping丢包数",
    "平均时延(ms)",
)
SCHEMA = pa.schema(
    [
        (H_DEVICE, pa.string()),
        (H_CIRCUIT, pa.string()),
        (H_TYPE, pa.string()),
        (H_TIME, pa.timestamp("us")),
        (H_CPU, pa.float64()),
        (H_MEM, pa.float64()),
        (H_SIZE, pa.int64()),
        (H_SENT, pa.int64()),
        (H_LOST, pa.int64()),
        (H_LAT, pa.float64()),
    ]
)
ROWS_PER_GROUP = 1_000_000
PING_SENT = 100


def chunks(
    devices: pl.DataFrame,
    start: datetime,
    hours: int,
    seed: int,
    key: str,
    gap: float = 0.0,
    rows_per_chunk: int = ROWS_PER_GROUP,
) -> Iterator[pa.Table]:
    """Tables of ~rows_per_chunk rows: a block of devices x every hour, device-major, gaps dropped."""
    per = max(1, rows_per_chunk // max(hours, 1))
    t0 = np.datetime64(start, "us")
    hour = np.timedelta64(3_600_000_000, "us")
    ids = devices["device_id"].to_arrow()
    circ = devices["circuit_id"].to_arrow()
    typ = devices["device_type"].to_arrow()
    cpu_b, mem_b = devices["cpu_base"].to_numpy(), devices["mem_base"].to_numpy()
    loss_p, size_b, lat_b = (
        devices["loss_p"].to_numpy(),
        devices["ping_size"].to_numpy(),
        devices["latency_base"].to_numpy(),
    )
    for b, lo in enumerate(range(0, devices.height, per)):
        hi = min(devices.height, lo + per)
        rng = rng_for(seed, "metrics", key, b)
        d = np.repeat(np.arange(lo, hi), hours)
        t = np.tile(np.arange(hours), hi - lo)
        n = len(d)
        hod = (start.hour + t) % 24
        diurnal = 1.0 + 0.35 * np.sin(2 * np.pi * (hod - 9) / 24)
        cpu = np.clip(cpu_b[d] * diurnal + rng.normal(0, 3, n), 0.5, 100).round(1)
        mem = np.clip(mem_b[d] + rng.normal(0, 1.5, n), 1, 100).round(1)
        size = np.where((size_b[d] == 1472) & (rng.random(n) < 0.02), 64, size_b[d])
        lost = rng.binomial(PING_SENT, loss_p[d])
        lat = (lat_b[d] * np.exp(rng.normal(0, 0.15, n)) + 0.8 * lost).round(2)
        keep = rng.random(n) >= gap if gap > 0 else np.ones(n, dtype=bool)
        sel = pa.array(d[keep])
        yield pa.table(
            [
                ids.take(sel),
                circ.take(sel),
                typ.take(sel),
                pa.array(t0 + t[keep] * hour, pa.timestamp("us")),
                pa.array(cpu[keep]),
                pa.array(mem[keep]),
                pa.array(size[keep].astype(np.int64)),
                pa.array(np.full(int(keep.sum()), PING_SENT, dtype=np.int64)),
                pa.array(lost[keep].astype(np.int64)),
                pa.array(lat[keep]),
            ],
            schema=SCHEMA,
        )


def write_parquet(path: Path, tables: Iterator[pa.Table], plant: tuple[int, str, float] | None = None) -> int:
    """Stream tables into one Parquet file, one row group each; `plant` overwrites one cell of the first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with pq.ParquetWriter(path, SCHEMA, compression="zstd", compression_level=3) as w:
        for k, tab in enumerate(tables):
            if k == 0 and plant is not None:
                i, col, value = plant
                arr = tab.column(col).to_numpy().copy()
                arr[i] = value
                tab = tab.set_column(tab.schema.get_field_index(col), col, pa.array(arr))
            w.write_table(tab, row_group_size=max(tab.num_rows, 1))
            rows += tab.num_rows
    return rows


def synthetic_devices(n_devices: int, seed: int) -> pl.DataFrame:
    """Devices without a world behind them (benchmarks): same behaviour mix as the demo."""
    rng = rng_for(seed, "synthetic-devices")
    hot = rng.random(n_devices) < 0.05
    lossy = rng.random(n_devices) < 0.04
    small = rng.random(n_devices) < 0.03
    types = np.array(["路由器", "交换机", "ONU", "防火墙", "协议转换器"])
    return pl.DataFrame(
        {
            "device_id": [f"GZNE{i + 1:07d}" for i in range(n_devices)],
            "circuit_id": [f"GZ-DL-{i + 10001:06d}" for i in range(n_devices)],
            "device_type": types[rng.integers(0, len(types), n_devices)],
            "cpu_base": np.where(hot, rng.uniform(55, 80, n_devices), rng.uniform(4, 32, n_devices)),
            "mem_base": np.where(hot, rng.uniform(63, 82, n_devices), rng.uniform(18, 48, n_devices)),
            "loss_p": np.where(lossy, rng.uniform(0.002, 0.02, n_devices), 0.0),
            "ping_size": np.where(small, 64, 1472),
            "latency_base": np.exp(rng.normal(np.log(5), 0.5, n_devices)),
        }
    )


def write_device_metrics(path: Path, n_devices: int, start: datetime, hours: int, seed: int) -> int:
    """Write n_devices x hours hourly samples to one Parquet file; returns the rows written."""
    devices = synthetic_devices(n_devices, seed)
    return write_parquet(Path(path), chunks(devices, start, hours, seed, key="bench"))
