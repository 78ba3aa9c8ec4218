"""Header matching tolerant of exactly the variation real exports have.

Contractors' exports differ by surrounding spaces, full-width brackets and a
unit suffix in brackets that is present or absent; a few columns have other
names (aliases). Everything else is an unknown extra column, which is kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ingestion.model import Column, Dataset

_UNIT_SUFFIX = re.compile(r"\([^()]*\)$")


def header_key(header: str) -> str:
    """The comparable form of a header: NFKC, no whitespace, no unit suffix, lower case."""
    h = unicodedata.normalize("NFKC", str(header))
    h = re.sub(r"\s+", "", h)
    h = _UNIT_SUFFIX.sub("", h)
    return h.lower()


@dataclass(frozen=True)
class HeaderMatch:
    dataset: Dataset
    columns: dict[str, int]  # column name -> position in the file
    extras: dict[str, int]  # unknown header -> position
    missing_required: tuple[Column, ...]

    @property
    def score(self) -> int:
        return len(self.columns)


def match_header(dataset: Dataset, headers: list[str]) -> HeaderMatch:
    keys: dict[str, Column] = {}
    for col in dataset.columns:
        for name in (col.header, *col.aliases):
            keys.setdefault(header_key(name), col)
    columns: dict[str, int] = {}
    extras: dict[str, int] = {}
    for pos, h in enumerate(headers):
        found = keys.get(header_key(h)) if h is not None else None
        if found is not None and found.name not in columns:
            columns[found.name] = pos
        elif h is not None and str(h).strip():
            extras[str(h)] = pos
    missing = tuple(c for c in dataset.required if c.name not in columns)
    return HeaderMatch(dataset, columns, extras, missing)
