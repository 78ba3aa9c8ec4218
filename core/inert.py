"""What leaves the warehouse is inert (source-exports.md, edge rule 11): one helper per kind of output.

* CSV: a text cell from the data that begins with `=`, `+`, `-`, `@`, a tab or a
  carriage return gets a leading apostrophe (`inert_text`), so no spreadsheet
  program evaluates it. Numbers the code formats itself (`fmt_number`'s "-0.5",
  a page's "-1,240 元") are not data text: a writer names those columns in
  `numeric` and they are written as they are. Every CSV daiwei writes goes
  through `write_csv` / `csv_bytes`.
* Workbooks: every text value is written as a string cell (`write_string`),
  never as a formula, URL or number (`XLSX_OPTIONS` turns xlsxwriter's
  conversions off as well), and a string that a spreadsheet would read as a
  formula once edited gets Excel's quote prefix (`needs_quote`).
* Markdown and HTML: data text embedded in a Markdown string is escaped with
  `md` (every Markdown / HTML metacharacter backslash-escaped, line breaks
  flattened) or shown as inline code with `md_code`; data text in a plotly
  label, legend or hover is escaped with `plot_text` (plotly renders a small
  HTML subset there).

Standard library only: the CLI, the Dagster assets and the app all import it.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Collection, Iterable, Sequence
from numbers import Number
from pathlib import Path
from typing import IO

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

# Inline Markdown (and Streamlit's additions) anywhere in a text: backslash, code, emphasis, links and
# images, HTML and autolinks (GFM's bare `http://`, `www.` and e-mail links too), tables, strikethrough,
# LaTeX, emoji / icon / colour directives, entities.
_MD_INLINE = re.compile(r"([\\`*_{}\[\]()<>!|~$:&.@])")
# Block Markdown only where a line starts: a heading, list item, quote, setext line or numbered item.
_MD_BLOCK = re.compile(r"^(\s*)([#+\-=>]|\d+(?=[.)]))")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')
_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def needs_quote(text: str) -> bool:
    """True when a spreadsheet program would evaluate the text (a formula, a DDE call, a hidden line)."""
    return text.startswith(TRIGGERS)


def inert_text(value: str) -> str:
    """A CSV cell of data text: `=1+1` → `'=1+1`; any other text unchanged."""
    return QUOTE + value if needs_quote(value) else value


def _missing(value: object) -> bool:
    """None and NaN (float NaN, and the NaN-like missing values of pandas: NaT, NA) are empty cells."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):  # pandas.NA refuses bool()
        return True


def csv_cell(value: object, *, number: bool = False) -> str:
    """One cell as text: empty for a missing value; data text made inert unless `number` says the
    code formatted it. A number's own text (a negative value's "-0.5") is never escaped."""
    if isinstance(value, str):
        return value if number else inert_text(value)
    if _missing(value):
        return ""
    text = str(value)  # bool, int, float, Decimal, numpy scalars, timestamps: their own text
    return text if number or isinstance(value, Number) else inert_text(text)


def _write(f: IO[str], header: Sequence[str], rows: Iterable[Sequence[object]], numeric: Collection[str]) -> int:
    unknown = set(numeric) - set(header)
    if unknown:
        raise ValueError(f"numeric columns not in the header: {sorted(unknown)}")
    flags = [h in numeric for h in header]
    f.write(_line([inert_text(str(h)) for h in header]))
    n = 0
    for row in rows:
        f.write(_line([csv_cell(v, number=flag) for v, flag in zip(row, flags, strict=True)]))
        n += 1
    return n


def _line(cells: list[str]) -> str:
    """One record, quoted as the csv module quotes (a field holding `,`, `"` or a line break), except that a
    lone carriage return is quoted too: csv.writer leaves it bare when lines end in "\\n", and every reader,
    Excel included, then breaks the record there."""
    return ",".join(_quoted(c) if _NEEDS_QUOTES.search(c) else c for c in cells) + "\n"


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def write_csv(
    path: str | os.PathLike[str],
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    bom: bool = False,
    numeric: Collection[str] = (),
) -> int:
    """Write a CSV ("\\n" line ends, UTF-8, with a BOM for Excel when `bom`); returns the data rows written.

    Cells of the columns named in `numeric` are numbers the caller formatted and are written as they
    are; every other text cell passes through `inert_text`."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        return _write(f, header, rows, numeric)


def csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = True, numeric: Collection[str] = ()
) -> bytes:
    """The same file as `write_csv`, in memory (a download)."""
    buf = io.StringIO(newline="")
    _write(buf, header, rows, numeric)
    return buf.getvalue().encode("utf-8-sig" if bom else "utf-8")


# xlsxwriter.Workbook options: text is written as text, whatever it looks like.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def md(value: object) -> str:
    """Data text made literal inside Markdown (st.markdown, captions, alerts, titles, labels).

    `![x](http://host/p.png)` → `\\!\\[x\\]\\(http\\://host/p\\.png\\)`: it reads the same on
    screen, but is neither an image, a link, HTML, a heading, a list nor LaTeX."""
    text = _LINE_BREAKS.sub(" ", "" if value is None else str(value))
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_BLOCK.sub(_escape_block, text, count=1)


def _escape_block(m: re.Match[str]) -> str:
    lead, marker = m.group(1), m.group(2)
    if marker[0].isdigit():  # "1." / "1)": escape the punctuation after the number
        return lead + marker + "\\"
    return lead + "\\" + marker


def md_code(value: object) -> str:
    """Data text shown as inline code in Markdown (a relation, a KPI code): nothing inside a code span is
    interpreted, and the fence is longer than any run of backticks in the text, so it cannot be closed early."""
    text = _LINE_BREAKS.sub(" ", "" if value is None else str(value))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def plot_text(value: object) -> str:
    """Data text made literal in a plotly label, legend or hover (plotly reads `<b>`, `<a href>`, `<br>`)."""
    return ("" if value is None else str(value)).translate(_HTML)
