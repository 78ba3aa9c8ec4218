"""Edge rule 11: what leaves the warehouse is inert, even when the data is hostile.

A copy of the demo warehouse gets hostile text planted in its marts, seeds and
audit tables (contractors named `![x](http://host/p.png)` and
`<img src=x onerror=alert(1)>`, prefectures, causes, file names, reasons and
messages beginning with `=`, `+`, `-`, `@`, a tab or a carriage return). The
loader rejects such rows at load (an unknown contractor is a bad row), so they
are planted straight into the built tables: what is tested here is the output.

Then every page of the app is run (AppTest) with its pickers moved through
every table it offers, every download button's file is built exactly as a
click builds it, and every CSV, every workbook and every Markdown text is
checked; the CLI exports and the KPI pack are checked the same way.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from core.inert import TRIGGERS, csv_bytes, inert_text, md, md_code, plot_text, write_csv
from tests.apptest_auth import sign_in
from tests.conftest import APP, PAGES

ROOT = Path(__file__).resolve().parent.parent

IMAGE = "![x](http://host/p.png)"
IMG_TAG = "<img src=x onerror=alert(1)>"
HYPERLINK = '=HYPERLINK("http://x","y")'
CONTRACTORS = [IMAGE, IMG_TAG, HYPERLINK, "+cmd", "@SUM(A1)", "-2+3"]
PREFECTURES = ["=1+1", "-2+3", "+cmd", "@SUM(A1)", "\tX", "\rY", "<b>粗</b>", "[地](http://host/m)", "=2+2", "-3"]
# Other text columns: a hostile prefix, so values stay distinct and the pages' filters still match.
PREFIXES: dict[str, str] = {
    "cause_category": "=1+1 ",
    "cause_detail": "@SUM(A1) ",
    "faulty_device": "\tX ",
    "county": "-2+3 ",
    "channel": "+cmd ",
    "bucket_label": "=",
    "ticket_id": "-",
    "circuit_id": "@",
    "technician_id": "+",
    "file": '=HYPERLINK("http://x","y") ',
    "source_file": "=1+1 ",
    "message": "+cmd ",
    "reason": "=1+1 ",
    "column": "@SUM(A1) ",
    "expectation": "-2+3 ",
    "observed_value": "=",
    "detail": "\t",
    "ledger_value": "=1+1 ",
    "eoms_value": "@",
    "area_name_zh": "![a](http://host/a.png) ",
    "area_name_en": "<img src=a> ",
    "kpi_name_zh": '=HYPERLINK("http://k","k") ',
    "site_type": "\r",
}
CONTRACTOR_COLUMNS = ("contractor", "best_contractor", "worst_contractor")
SCHEMAS = ("marts", "audit", "main")
MARKDOWN_KEYS = frozenset({"body", "label", "help", "caption", "placeholder"})
PLAIN_TYPES = frozenset({"code", "text", "json", "exception", "arrow_data_frame", "dataframe", "plotly_chart"})


# --------------------------------------------------------------------------- the hostile warehouse


def _mapping(values: list[str], hostile: list[str]) -> dict[str, str]:
    """Each real value gets its own hostile one (numbered once the list runs out), so nothing merges."""
    out = {}
    for i, v in enumerate(sorted(values)):
        h = hostile[i % len(hostile)]
        out[v] = h if i < len(hostile) else f"{h}{i}"
    return out


def plant(path: Path) -> dict[str, dict[str, str]]:
    """Rewrite the text of every base table of marts, audit and main in place; returns the value maps."""
    con = duckdb.connect(str(path))
    try:
        contractors = _mapping(
            [
                r[0]
                for r in con.execute("SELECT DISTINCT contractor FROM marts.fct_kpi WHERE contractor <> ''").fetchall()
            ],
            CONTRACTORS,
        )
        prefectures = _mapping(
            [
                r[0]
                for r in con.execute("SELECT DISTINCT prefecture FROM marts.fct_kpi WHERE prefecture <> ''").fetchall()
            ],
            PREFECTURES,
        )
        maps: dict[str, Callable[[str], str]] = {c: contractors.get for c in CONTRACTOR_COLUMNS}  # type: ignore[dict-item]
        maps["prefecture"] = prefectures.get  # type: ignore[assignment]
        for col, prefix in PREFIXES.items():
            maps[col] = lambda v, p=prefix: p + v  # type: ignore[misc]

        def remap(col: str) -> Callable[[str], str]:
            fn = maps[col]
            return lambda v: v if v == "" else (fn(v) or v)

        for col in maps:
            con.create_function(f"h_{col}", remap(col), ["VARCHAR"], "VARCHAR")
        levels = ("cause_category", "cause_detail", "faulty_device", "prefecture", "county")
        con.create_function(
            "h_path",
            lambda p: " > ".join(remap(lv)(x) for lv, x in zip(levels, p.split(" > "), strict=False)) if p else p,
            ["VARCHAR"],
            "VARCHAR",
        )
        con.create_function(
            "h_level_key", lambda level, v: remap(level)(v) if level in maps else v, ["VARCHAR", "VARCHAR"], "VARCHAR"
        )
        columns = con.execute(
            "SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE t.table_type = 'BASE TABLE' AND c.data_type = 'VARCHAR' AND list_contains(?, c.table_schema)",
            [list(SCHEMAS)],
        ).fetchall()
        for schema, table, col in columns:
            if col in maps:
                con.execute(f'UPDATE "{schema}"."{table}" SET "{col}" = h_{col}("{col}")')
        con.execute(
            "UPDATE marts.mart_fault_pareto "
            "SET level_key = h_level_key(level, level_key), parent_path = h_path(parent_path)"
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return {"contractors": contractors, "prefectures": prefectures}


@pytest.fixture(scope="module")
def hostile(demo_run: dict, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    folder = tmp_path_factory.mktemp("hostile")
    wh = folder / "warehouse.duckdb"
    shutil.copyfile(demo_run["wh"], wh)
    maps = plant(wh)
    return {"wh": wh, "folder": folder, **maps}


def daiwei(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, cwd=ROOT, timeout=900
    )


# --------------------------------------------------------------------------- what a file may hold

# A number as daiwei formats it (fmt_number, value_text): the only cell that may start with "-" or "+".
NUMBER_TEXT = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?(%| h| 元|pp)?$")


def live_cells(rows: list[list[str]]) -> list[str]:
    """The cells a spreadsheet would evaluate: starting with = + - @ tab or CR and not a plain number."""
    return [c for r in rows for c in r if c.startswith(TRIGGERS) and not NUMBER_TEXT.match(c)]


def read_csv_bytes(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def workbook_cells(data: bytes | Path) -> list[Any]:
    wb = openpyxl.load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def assert_workbook_inert(cells: list[Any], where: str) -> None:
    formulas = [(c.parent.title, c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert not formulas, (where, formulas[:5])
    for c in cells:
        if isinstance(c.value, str) and c.value.startswith(TRIGGERS):
            assert c.data_type == "s" and c.quotePrefix, (where, c.coordinate, c.value)


# --------------------------------------------------------------------------- Markdown as Streamlit reads it


def markdown_problems(source: str) -> list[str]:
    """What a data string made of the Markdown: images, links, raw HTML, bare URLs (GFM links them)."""
    from markdown_it import MarkdownIt

    bad: list[str] = []
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(source)
    stack = list(tokens)
    while stack:
        tok = stack.pop()
        if tok.type in ("image", "link_open", "html_inline", "html_block"):
            bad.append(f"{tok.type}: {source!r}")
        stack.extend(tok.children or [])
    if re.search(r"https?://|www\.", source):
        bad.append(f"bare link: {source!r}")
    return bad


def rendered_text(source: str) -> str:
    from markdown_it import MarkdownIt

    out = []
    for tok in MarkdownIt("commonmark").parse(source):
        for child in tok.children or []:
            if child.type in ("text", "code_inline"):
                out.append(child.content)
    return "".join(out)


def _strings(obj: Any, keys: frozenset[str] | None = None, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(v, keys, k)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v, keys, key)
    elif isinstance(obj, str) and (keys is None or key in keys):
        yield key, obj


# --------------------------------------------------------------------------- every page, every download


@dataclass
class Sweep:
    downloads: list[tuple[str, str, bytes]] = field(default_factory=list)  # (where, file name, bytes)
    markdown: list[tuple[str, str]] = field(default_factory=list)  # (where, Markdown source)
    plots: list[tuple[str, Any]] = field(default_factory=list)  # (where, plotly figure)
    visits: int = 0


@pytest.fixture(scope="module")
def sweep(hostile: dict, app_db) -> Iterator[Sweep]:  # type: ignore[no-untyped-def]
    """Every page, for all contractors and for a hostile one, with each page's pickers moved through the
    tables they open; every download button's file is built as a click would build it (signed in as the
    department's admin, who sees every contractor)."""
    from google.protobuf.json_format import MessageToDict
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.testing.v1 import AppTest

    registered: list[tuple[str | None, Callable[[], Any]]] = []
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kw):  # type: ignore[no-untyped-def]
        registered.append((file_name, data_callable))
        return original(self, data_callable, mimetype, coordinates, file_name, **kw)

    out = Sweep()

    def collect(at: AppTest, where: str) -> None:
        assert not at.exception, (where, [e.value for e in at.exception])
        buttons = list(at.download_button)
        assert len(registered) == len(buttons), (where, "every download button is a deferred one")
        for name, fn in registered:
            data = fn()
            out.downloads.append((where, str(name), data if isinstance(data, bytes) else str(data).encode()))
        registered.clear()
        for node in at._tree:
            proto, kind = getattr(node, "proto", None), getattr(node, "type", "")
            if proto is None:
                continue
            if kind == "plotly_chart":
                out.plots.append((where, json.loads(proto.spec)))
            elif kind not in PLAIN_TYPES:
                for _, text in _strings(MessageToDict(proto, preserving_proto_field_name=True), MARKDOWN_KEYS):
                    out.markdown.append((f"{where} {kind}", text))
        out.visits += 1

    def run(at: AppTest, where: str) -> AppTest:
        registered.clear()
        at.run()
        collect(at, where)
        return at

    from reporting import queries
    from reporting.reader import DirectDB

    reader = DirectDB.open(hostile["wh"])
    try:
        funnel_codes = list(queries.funnel_kpis(reader)["kpi_code"])
    finally:
        reader.close()
    old = os.environ.get("DAIWEI_WAREHOUSE")
    os.environ["DAIWEI_WAREHOUSE"] = str(hostile["wh"])
    MediaFileManager.add_deferred = spy  # type: ignore[method-assign]
    try:
        target = hostile["contractors"][min(hostile["contractors"])]  # 天龙讯 → the image, or the first one
        for contractor in ("", target):
            for page in PAGES:
                at = AppTest.from_file(APP, default_timeout=120)
                at.run()
                sign_in(at, "admin")
                run(at, "views/overview.py (start)")
                if contractor:
                    at.selectbox(key="contractor").set_value(contractor)
                    run(at, f"views/overview.py (start) [{contractor}]")
                at.switch_page(page)
                where = f"{page} [{contractor or 'all'}]"
                run(at, where)
                if page == "views/comparison.py":
                    for code in funnel_codes[1:]:
                        at.selectbox(key="cmp_kpi").set_value(code)
                        run(at, f"{where} kpi {code}")
                elif page == "views/areas.py":
                    for label in at.selectbox(key="ar_area").options[1:]:
                        at.selectbox(key="ar_area").set_value(int(label.split(" ", 1)[0]))
                        run(at, f"{where} area {label}")
                elif page == "views/faults.py":
                    for level in ("fa_cause_category", "fa_cause_detail", "fa_faulty_device"):
                        at.selectbox(key=level).select_index(1)
                        run(at, f"{where} {level}")
                elif page == "views/ledgers.py":
                    at.toggle(key="lg_dq_failed").set_value(False)
                    run(at, f"{where} every result")
        yield out
    finally:
        MediaFileManager.add_deferred = original  # type: ignore[method-assign]
        if old is None:
            os.environ.pop("DAIWEI_WAREHOUSE", None)
        else:
            os.environ["DAIWEI_WAREHOUSE"] = old


@pytest.mark.slow
def test_every_page_offers_its_downloads(sweep: Sweep) -> None:
    pages = {where.split(" ", 1)[0] for where, _, _ in sweep.downloads}
    assert pages == set(PAGES), "every page offers at least one download"
    names = {re.sub(r"_\d{4}-\d{2}$", "", Path(name).stem) for _, name, _ in sweep.downloads}
    for expected in (
        "KPI",
        "funnel_",
        "trend_",
        "inconsistency",
        "pareto_",
        "fault_tickets",
        "ledger_findings",
        "data_quality",
        "load_log",
        "rejects",
        "mart_breaches",
        "mart_technician_penalties",
    ):
        assert any(n.startswith(expected) for n in names), (expected, sorted(names))
    assert all(name.endswith((".csv", ".xlsx")) for _, name, _ in sweep.downloads)


@pytest.mark.slow
def test_every_csv_download_is_inert(sweep: Sweep, hostile: dict) -> None:
    seen: set[str] = set()
    for where, name, data in sweep.downloads:
        if not name.endswith(".csv"):
            continue
        assert data.startswith(b"\xef\xbb\xbf"), (where, name, "UTF-8 with BOM, for Excel")
        rows = read_csv_bytes(data)
        assert not live_cells(rows), (where, name, live_cells(rows)[:5])
        seen.update(c for r in rows for c in r)
    # the hostile text did reach the files, as text: quoted once, otherwise verbatim
    for planted in [HYPERLINK, *hostile["prefectures"].values()]:
        if planted.startswith(TRIGGERS):
            assert "'" + planted in seen, planted
    assert IMAGE in seen and IMG_TAG in seen
    assert any(c.startswith("'=1+1 ") for c in seen) and any(c.startswith("'@SUM(A1) ") for c in seen)


@pytest.mark.slow
def test_every_excel_download_has_text_cells_only(sweep: Sweep) -> None:
    strings: set[str] = set()
    for where, name, data in sweep.downloads:
        if not name.endswith(".xlsx"):
            continue
        cells = workbook_cells(data)
        assert_workbook_inert(cells, f"{where} {name}")
        strings.update(c.value for c in cells if isinstance(c.value, str))
    for planted in (HYPERLINK, IMAGE, IMG_TAG, "=1+1", "@SUM(A1)", "\tX", "-2+3"):
        assert planted in strings, planted  # verbatim, as a string


@pytest.mark.slow
def test_no_data_text_is_rendered_as_markdown(sweep: Sweep) -> None:
    problems = [p for where, text in sweep.markdown for p in markdown_problems(text)]
    assert not problems, problems[:10]
    shown = {rendered_text(text) for _, text in sweep.markdown}
    # the names are on screen, literally (the overview's cards, the ledgers' metric labels)
    assert any(IMAGE in s for s in shown) and any(IMG_TAG in s for s in shown)
    assert any(s.startswith("-GZ") or "-GZ" in s for s in shown)  # a ticket id on the faults page's clock


@pytest.mark.slow
def test_no_data_text_is_html_in_a_chart(sweep: Sweep) -> None:
    our_tags = re.compile(r"<(?!br>|/?extra>|b>|/b>)[A-Za-z/]")
    escaped = 0
    for where, fig in sweep.plots:
        for key, text in _strings({"data": fig.get("data"), "layout": fig.get("layout")}):
            assert not our_tags.search(text), (where, key, text)
            escaped += "&lt;img src=x onerror=alert(1)&gt;" in text
    assert escaped, "the contractor named <img …> is in the charts, escaped"


@pytest.mark.slow
def test_cli_exports_are_inert(hostile: dict) -> None:
    out = hostile["folder"] / "cli"
    numeric = {
        "kpi": {"numerator", "denominator", "value"},
        "areas": {"area_no", "denominator", "score"},
        "rejects": {"row"},
        "loads": {"rows_read", "rows_loaded", "rows_rejected"},
    }
    runs = {
        "kpi": ["export"],
        "areas": ["export", "--table", "areas"],
        "rejects": ["rejects"],
        "loads": ["loads"],
    }
    seen: set[str] = set()
    for name, args in runs.items():
        p = daiwei(*args, "--out", str(out / f"{name}.csv"), "--warehouse", str(hostile["wh"]))
        assert p.returncode == 0, p.stderr
        data = (out / f"{name}.csv").read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data.replace(b'\r\n"', b"")
        rows = read_csv_bytes(data)
        header, body = rows[0], rows[1:]
        assert body, name
        for r in body:
            for h, cell in zip(header, r, strict=True):
                if h in numeric[name]:
                    if cell:
                        try:
                            Decimal(cell)
                        except InvalidOperation:
                            pytest.fail(f"{name}.{h}: {cell!r} is not a number")
                else:
                    assert not cell.startswith(TRIGGERS), (name, h, cell)
                    seen.add(cell)
    assert "'" + HYPERLINK in seen and IMAGE in seen and IMG_TAG in seen
    assert "'=1+1" in seen and "'\tX" in seen and "'-2+3" in seen and "'@SUM(A1)" in seen
    assert any(c.startswith('\'=HYPERLINK("http://x","y") ') for c in seen)  # file names
    assert any(c.startswith("'+cmd ") for c in seen)  # load messages


@pytest.mark.slow
def test_pack_workbook_has_no_formula(hostile: dict) -> None:
    con = duckdb.connect(str(hostile["wh"]), read_only=True)
    month = con.execute("SELECT max(month) FROM marts.fct_kpi").fetchone()[0]  # type: ignore[index]
    con.close()
    out = hostile["folder"] / "pack"
    p = daiwei("pack", "--month", month, "--out", str(out), "--warehouse", str(hostile["wh"]))
    assert p.returncode == 0, p.stderr
    cells = workbook_cells(out / f"KPI月报_{month}.xlsx")
    assert_workbook_inert(cells, "pack")
    strings = {c.value for c in cells if isinstance(c.value, str)}
    for planted in (HYPERLINK, IMAGE, IMG_TAG, "=1+1", "@SUM(A1)"):
        assert planted in strings, planted
    assert (out / f"KPI月报_{month}.pdf").stat().st_size > 0


# --------------------------------------------------------------------------- the helpers themselves


@pytest.mark.parametrize("text", ["=1+1", '=HYPERLINK("http://x","y")', "+cmd", "-2+3", "@SUM(A1)", "\tX", "\rY"])
def test_inert_text_quotes_what_a_spreadsheet_would_evaluate(text: str) -> None:
    assert inert_text(text) == "'" + text


@pytest.mark.parametrize("text", ["铁通", "", "GZ-DL-1", "a=b", "'=1+1", IMAGE, IMG_TAG])
def test_inert_text_leaves_other_text_alone(text: str) -> None:
    assert inert_text(text) == text


def test_write_csv_quotes_text_but_not_the_numbers_it_is_told_about(tmp_path: Path) -> None:
    from decimal import Decimal as D

    rows = [["=1+1", "-0.5", D("-2"), None, float("nan"), -3], ["ok", "", D("1.5"), "x", 2.0, True]]
    n = write_csv(tmp_path / "a.csv", ["text", "value", "dec", "opt", "f", "i"], rows, numeric={"value"})
    assert n == 2
    assert (tmp_path / "a.csv").read_bytes() == (b"text,value,dec,opt,f,i\n'=1+1,-0.5,-2,,,-3\nok,,1.5,x,2.0,True\n")
    assert csv_bytes(["a"], [["-x"]]) == b"\xef\xbb\xbfa\n'-x\n"
    with pytest.raises(ValueError):
        write_csv(tmp_path / "b.csv", ["a"], [], numeric={"b"})


@pytest.mark.parametrize(
    "text",
    [
        IMAGE,
        IMG_TAG,
        "[地](http://host/m)",
        "<b>粗</b>",
        "# 标题",
        "- 项",
        "1. 项",
        "> 引用",
        "`代码`",
        "**粗**",
        ":red[红]",
        "$x^2$",
        "www.example.com",
        "a@example.com",
        "a\n\n# b",
        "| a | b |",
        "~~删~~",
        "&lt;",
    ],
)
def test_md_keeps_data_text_literal(text: str) -> None:
    source = f"**名称**: {md(text)}"
    assert not markdown_problems(source)
    assert rendered_text(source) == "名称: " + " ".join(text.split("\n\n"))


def test_md_code_cannot_be_closed_early() -> None:
    for text in ["marts.mart_x", "a`b", "``x", IMG_TAG]:
        assert rendered_text(md_code(text)) == text


def test_plot_text_escapes_html() -> None:
    assert plot_text(IMG_TAG) == "&lt;img src=x onerror=alert(1)&gt;"
    assert plot_text("A & B") == "A &amp; B" and plot_text(None) == ""


def test_csv_quotes_like_the_csv_module_and_keeps_a_carriage_return_inside_its_cell() -> None:
    cells = ["a", "", "b,c", 'say "hi"', "two\nlines", " spaced ", "铁通", "x\r\ny"]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    assert csv_bytes(["h"] * len(cells), [cells], bom=False).decode().split("\n", 1)[1] == buf.getvalue()
    data = csv_bytes(["a", "b"], [["\rY", "after"]], bom=False)
    assert data == b'a,b\n"\'\rY",after\n'
    assert read_csv_bytes(data) == [["a", "b"], ["'\rY", "after"]]
