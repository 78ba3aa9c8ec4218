"""The dbt seeds, read as plain CSV by the Python code that needs a rule outside a query.

A rule lives once, in a dbt seed (dbt_project/seeds/**/<name>.csv). The models
join to its table; Python code that needs the same list (a generator, a quality
suite, the labels of the app) reads the CSV file here instead of keeping a copy.
The seed folder is found next to the packages, the way ingestion/loader.py finds
its reference seeds (`SEEDS_DIR / "reference"`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"


def seed_path(name: str, seeds_dir: Path = SEEDS_DIR) -> Path:
    """The CSV file of seed `name`, in whichever subfolder of the seed folder it lives (names are unique in dbt)."""
    hits = sorted(seeds_dir.rglob(f"{name}.csv"))
    if len(hits) != 1:
        raise FileNotFoundError(f"seed {name!r}: {len(hits)} files named {name}.csv under {seeds_dir}")
    return hits[0]


def read_seed(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    """The rows of seed `name` in file order, every value a stripped string (blank = '')."""
    with open(seed_path(name, seeds_dir), encoding="utf-8-sig", newline="") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


@dataclass(frozen=True)
class LedgerField:
    """One field of a ledger line (用户台帐) compared with its EOMS circuit (seed ledger_fields)."""

    name: str
    label_zh: str
    label_en: str
    compare_as: str  # 'text': compared after NFKC, trim and whitespace collapse; 'number': as typed

    @property
    def is_text(self) -> bool:
        return self.compare_as == "text"


def ledger_fields(seeds_dir: Path = SEEDS_DIR) -> tuple[LedgerField, ...]:
    """The compared ledger fields in sort_order: the list dbt's macro ledger_fields() reads too."""
    rows = sorted(read_seed("ledger_fields", seeds_dir), key=lambda r: int(r["sort_order"]))
    fields = tuple(LedgerField(r["field_name"], r["label_zh"], r["label_en"], r["compare_as"]) for r in rows)
    bad = [f.name for f in fields if f.compare_as not in ("text", "number")]
    if bad:
        raise ValueError(f"seed ledger_fields: compare_as must be text or number ({', '.join(bad)})")
    return fields
