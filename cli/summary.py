"""The summaries `daiwei run` and `daiwei export-raw` print: files, rows per dataset (and for a run, the
files rejected with their reason)."""

from __future__ import annotations

import sys
import unicodedata
from collections import defaultdict
from typing import TYPE_CHECKING

from cli.runner import RunOutcome

if TYPE_CHECKING:
    from reporting.lake import LakeExport


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def summary_lines(outcome: RunOutcome) -> list[str]:
    files = outcome.files
    status: dict[str, int] = defaultdict(int)
    for f in files:
        status[f[6]] += 1
    lines = [
        f"文件 / files: {len(files)} 个 (已加载 loaded {status['loaded']}, 跳过 skipped {status['skipped']}, "
        f"拒绝 rejected {status['rejected']})",
        "",
    ]
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for f in files:
        if f[6] == "loaded":
            acc = per[f[1]]
            acc[0] += 1
            acc[1] += int(f[3])
            acc[2] += int(f[4])
            acc[3] += int(f[5])
    head = ["数据集 dataset", "文件 files", "读取 read", "加载 loaded", "拒绝 rejected"]
    widths = [20, 12, 14, 14, 16]
    lines.append("".join(_pad(h, w) for h, w in zip(head, widths, strict=True)))
    total = [0, 0, 0, 0]
    for ds in sorted(per):
        acc = per[ds]
        total = [a + b for a, b in zip(total, acc, strict=True)]
        cells = [ds, *(f"{v:,}" for v in acc)]
        lines.append("".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)))
    cells = ["合计 total", *(f"{v:,}" for v in total)]
    lines.append("".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)))
    if outcome.rejected_files:  # each one is named once, on standard error (print_summary)
        lines += ["", f"整文件拒绝 / files rejected whole: {len(outcome.rejected_files)} 个，见下 / listed below"]
    if outcome.restatements:
        lines += [
            "",
            f"重算差异 / restatement: 已关账月份有 {outcome.restatements} 行指标重算后会变化，已保持冻结 / "
            f"KPI rows of closed months that this run would change (kept frozen): {outcome.restatement_file}",
        ]
    if outcome.failed_checks:
        lines += [
            "",
            f"数据质量警告 / data-quality warnings: {len(outcome.failed_checks)} 项检查未通过 checks failed",
        ]
        lines += [f"  {c}" for c in outcome.failed_checks[:10]]
    return lines


def print_summary(outcome: RunOutcome) -> None:
    """The summary on standard output; every file rejected whole once, in one line, on standard error."""
    for line in summary_lines(outcome):
        print(line)
    sys.stdout.flush()
    for f in outcome.rejected_files:
        print(f"{f[0]}: {f[7]}", file=sys.stderr)


def lake_lines(lake: LakeExport) -> list[str]:
    """What `daiwei export-raw` wrote: the province's folder, then files, rows and months per dataset."""
    lines = [
        f"原始数据已导出 / raw tables exported: {lake.folder} ({lake.files:,} 个文件 files, {lake.rows:,} 行 rows)",
        "",
    ]
    head = ["数据集 dataset", "文件 files", "行 rows", "月份 months"]
    widths = [20, 12, 14, 0]
    lines.append("".join(_pad(h, w) for h, w in zip(head, widths, strict=True)).rstrip())
    for p in lake.parts:
        months = ", ".join(p.months) if len(p.months) <= 4 else f"{p.months[0]} … {p.months[-1]} ({len(p.months)})"
        cells = [p.dataset, f"{p.files:,}", f"{p.rows:,}", months]
        lines.append("".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip())
    cells = ["合计 total", f"{lake.files:,}", f"{lake.rows:,}", ""]
    lines.append("".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip())
    return lines
