"""The monthly KPI pack (`daiwei pack`): one workbook and one PDF built from the published warehouse.

`build(month, out_dir, warehouse)` is what the Dagster asset `kpi_pack` calls;
nothing else should call it directly (the CLI goes through Dagster).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from reporting.pack import charts, pdf, xlsx
from reporting.pack.content import check_month, collect_from


def file_names(month: str) -> tuple[str, str]:
    return f"KPI月报_{month}.xlsx", f"KPI月报_{month}.pdf"


def build(month: str, out_dir: Path, warehouse: Path) -> list[Path]:
    """Write both files into out_dir (atomically: a reader never opens half a file); returns their paths."""
    check_month(warehouse, month)
    out_dir.mkdir(parents=True, exist_ok=True)
    content = collect_from(warehouse, month)
    xlsx_name, pdf_name = file_names(month)
    with tempfile.TemporaryDirectory(prefix="daiwei-pack-", dir=out_dir) as tmp:
        work = Path(tmp)
        images = charts.render(content, work)
        written = [xlsx.write(content, work / xlsx_name), pdf.write(content, work / pdf_name, images)]
        final = []
        for p in written:
            target = out_dir / p.name
            p.replace(target)
            final.append(target)
    return final
