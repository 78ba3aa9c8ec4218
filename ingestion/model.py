"""The vocabulary a dataset schema is written in.

A dataset is data, not code: its columns say which Chinese header (and which
aliases) they answer to, how a cell is parsed, and what makes it bad. The
reader, the validator and the rejects all work from these objects, so adding a
column or a tolerated header variant is a one-line change here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a cell is parsed; each kind has one SQL parser in `parsers.py`."""

    TEXT = "text"  # kept as delivered; blank -> NULL
    ID = "id"  # NFKC + trim + upper for matching; the delivered spelling in <name>_raw when it differs
    NAME = "name"  # NFKC + trim + inner spaces collapsed (contractor, 地市, 区县)
    ENUM = "enum"  # one of `allowed` (NFKC, trim, case-insensitive), stored canonical
    INT = "int"
    DECIMAL = "decimal"
    TIMESTAMP = "timestamp"
    DATE = "date"
    MONTH = "month"  # stored as the first day of the month
    YESNO = "yesno"


# Kinds whose stored value is text: the only ones an NFKC twin makes sense for.
TWIN_KINDS = (Kind.TEXT, Kind.NAME, Kind.ENUM)

SQL_TYPES: dict[Kind, str] = {
    Kind.TEXT: "VARCHAR",
    Kind.ID: "VARCHAR",
    Kind.NAME: "VARCHAR",
    Kind.ENUM: "VARCHAR",
    Kind.INT: "BIGINT",
    Kind.DECIMAL: "DOUBLE",
    Kind.TIMESTAMP: "TIMESTAMP",
    Kind.DATE: "DATE",
    Kind.MONTH: "DATE",
    Kind.YESNO: "BOOLEAN",
}


@dataclass(frozen=True)
class Column:
    """One column of a dataset as the source exports name it.

    `form_item` marks confirmation-form items (kpis.md): they are judged as
    items by the KPI models and never make a row bad; when they are typed, the
    trimmed original text is kept beside them in `<name>_text` so a garbled
    value is still distinguishable from a blank one.
    """

    name: str
    header: str
    kind: Kind = Kind.TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    reference: str | None = None  # a reference list the value must be in ("prefecture", "contractor")
    form_item: bool = False
    # The dbt models compare this column after NFKC (docs/decisions.md 95): ingestion stores
    # NFKC(value) beside it in `<name>_nfkc`, so the SQL needs no NFKC function on any engine.
    nfkc_twin: bool = False

    def __post_init__(self) -> None:
        if self.nfkc_twin and self.kind not in TWIN_KINDS:
            raise ValueError(f"{self.name}: an NFKC twin is for text kinds ({', '.join(TWIN_KINDS)}), not {self.kind}")

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]

    @property
    def keeps_raw(self) -> bool:
        return self.kind is Kind.ID

    @property
    def keeps_text(self) -> bool:
        return self.form_item and self.kind not in (Kind.TEXT, Kind.ID)

    @property
    def twin(self) -> str | None:
        """The name of the stored NFKC twin `<name>_nfkc`, or None when the column has none."""
        return f"{self.name}_nfkc" if self.nfkc_twin else None


@dataclass(frozen=True)
class RowRule:
    """A rule over two columns; a failure is reported on `column` (the second one)."""

    name: str
    column: str
    reason: str
    # SQL over parsed values (aliases p_<column>); true when the row is fine.
    sql: str


class Apply(StrEnum):
    """How good rows replace earlier ones (source-exports.md, ordering rule)."""

    ENTITY = "entity"  # last row per natural key wins
    SNAPSHOT = "snapshot"  # a later file holding a (month, contractor) replaces it whole


@dataclass(frozen=True)
class Dataset:
    name: str  # tickets; also the raw table name and the file-name prefix
    chinese_name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    apply: Apply = Apply.ENTITY
    snapshot: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    row_rules: tuple[RowRule, ...] = field(default=())
    big: bool = False  # device metrics: never held as Python rows
    month_column: str | None = None  # the column that attributes a row to a month (None: a register)

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    @property
    def all_prefixes(self) -> tuple[str, ...]:
        return (self.name, self.chinese_name, *self.prefixes)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)
