"""The full KPI build of a province-year, and the cost of adding one more month.

    uv run python benchmarks/build.py [--work data/bench/build] [--months 13]

1. Writes (once) a province-scale delivery of `--months` months (`demo-data --scale
   province`: ~100 M hourly device-metric rows a year, ~1 M tickets).
2. Full build: `daiwei run` on all months but the last, into a new warehouse.
3. Baseline in the same run: a raw DuckDB scan of the same raw tables (every column of
   every row hashed), in a fresh read-only process.
4. Add one month: the last month's files join the inbox and `daiwei run` runs again;
   `--adds N` times (default 3), each from a copy of the warehouse the full build left,
   because one run of it varies by more than the changes it is meant to show.

Prints wall time and peak RSS (whole process tree) of each, the per-step times of the full
build and of the median added month, and the ratio median add-a-month / full build
(target ≤ 15 %).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measured, row, run_measured, steps

SCAN = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
tables = [r[0] for r in con.execute(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'").fetchall()]
for t in tables:
    con.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM raw.{t}").fetchall()
"""


def link_tree(src: Path, dst: Path, skip_month: str | None) -> int:
    """Mirror src's files into dst as hard links, leaving out one month folder.

    Hard links copy no gigabytes; a symlink out of the inbox would be rejected (edge rule 10)."""
    n = 0
    for f in sorted(src.rglob("*")):
        rel = f.relative_to(src)
        if not f.is_file() or (skip_month and rel.parts[0] == skip_month):
            continue
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            try:
                os.link(f, target)
            except OSError:  # another file system: copy
                shutil.copyfile(f, target)
            n += 1
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", default="data/bench/build")
    ap.add_argument("--months", type=int, default=13)
    ap.add_argument("--adds", type=int, default=3, help="runs of the added month (the median is compared)")
    args = ap.parse_args()
    work = Path(args.work).resolve()
    delivery = work / "delivery"
    if not (work / "delivery.manifest.json").exists():
        from demo_data import generate

        generate(delivery, months=args.months, scale="province")
    months = sorted(p.name for p in delivery.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}-\d{2}", p.name))
    last = months[-1]
    inbox, wh = work / "inbox", work / "wh" / "warehouse.duckdb"
    shutil.rmtree(inbox, ignore_errors=True)
    shutil.rmtree(wh.parent, ignore_errors=True)
    link_tree(delivery, inbox, skip_month=last)
    py = sys.executable
    log = wh.parent / "logs" / "daiwei-run.log"

    full = run_measured([py, "-m", "cli.main", "run", "--input", str(inbox), "--warehouse", str(wh)])
    full_steps = steps(log)
    scan = run_measured([py, "-c", SCAN, str(wh)])
    built = wh.parent / "full-build.duckdb"
    size = wh.stat().st_size
    shutil.copyfile(wh, built)
    os.sync()  # no copy still being written out while a run is timed
    adds: list[tuple[Measured, str]] = []
    added = 0
    for i in range(max(1, args.adds)):
        if i:  # the warehouse as the full build left it, and the month out of the inbox again
            shutil.copyfile(built, wh)
            shutil.rmtree(inbox / last, ignore_errors=True)
            os.sync()
        added = link_tree(delivery, inbox, skip_month=None)
        again = run_measured([py, "-m", "cli.main", "run", "--input", str(inbox), "--warehouse", str(wh)])
        adds.append((again, steps(log)))
    built.unlink()
    add, add_steps = sorted(adds, key=lambda a: a[0].seconds)[len(adds) // 2]

    print(f"months {months[0]}..{months[-2]} built in full, then {last} added ({added} files), {len(adds)} time(s)")
    print("| step | wall time | peak RSS | exit |")
    print("|---|---|---|---|")
    print(row(f"full build, {len(months) - 1} months (`daiwei run`)", full))
    print(row("raw DuckDB scan of the same raw tables", scan))
    for i, (m, _) in enumerate(adds, start=1):
        print(row(f"add {last} (`daiwei run` again), run {i}", m))
    print()
    print(f"median added month / full build = {add.seconds / full.seconds:.1%} (target <= 15 %)")
    print(f"warehouse size after the full build: {size / 2**30:.2f} GiB")
    print(f"full build steps: {full_steps}")
    print(f"median add-month steps:  {add_steps}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
