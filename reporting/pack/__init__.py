"""The monthly KPI pack (`daiwei pack`): one workbook and one PDF built from the published warehouse.

`build(month, out_dir, warehouse)` is what the Dagster asset `kpi_pack` calls;
nothing else should call it directly (the CLI goes through Dagster).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from reporting.pack import charts, pdf, xlsx
from reporting.pack.content import check_month, collect_from
from reporting.scope import Scope


def file_names(month: str, contractor: str | None = None) -> tuple[str, str]:
    """KPI月报_2026-10.xlsx / .pdf; a contractor's own pack carries its name (KPI月报_2026-10_铁通.xlsx)."""
    stem = f"KPI月报_{month}" + (f"_{contractor}" if contractor else "")
    return f"{stem}.xlsx", f"{stem}.pdf"


def build(month: str, out_dir: Path, warehouse: Path, scope: Scope | None = None) -> list[Path]:
    """Write both files into out_dir (atomically: a reader never opens half a file); returns their paths.

    With a contractor's scope the pack holds only its own rows (access.md, cli.md `pack --contractor`)."""
    check_month(warehouse, month)
    out_dir.mkdir(parents=True, exist_ok=True)
    content = collect_from(warehouse, month, scope)
    xlsx_name, pdf_name = file_names(month, scope.contractor if scope else None)
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
