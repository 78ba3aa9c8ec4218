"""Nothing wrong, raw or English where a Chinese user looks: every page, both languages, the demo warehouse.

The app is run by Streamlit's AppTest; everything a person can read is collected
(titles, text, captions, messages, metric labels and values, picker labels and
options, placeholders, table headers and cells, chart titles, axis titles, tick
labels, legend names and annotations) and checked for:

* a snake_case code (`activation_timely_rate`, `over_limit`, `bucket_no`) or a
  `schema.table` name (`marts.mart_ticket_steps`) in visible text, and on a Chinese page
  a table header that is a bare lower-case code (`tickets`);
* "None" / "nan" / "NaT" / "<NA>" where a value should be, or an empty table cell;
* a share outside 0–100 % where a share is shown (cells with "%", and percent
  columns whose values must be fractions), or a percent format that prints a
  fraction as if it were already a percentage;
* an English library default (Streamlit's "Choose options", "Select all",
  "Choose an option", "Download", "No results") on a Chinese page, and Chinese
  picker defaults left behind on an English page.

Data text is exempt where it is data: file names, the raw row of a rejected line,
the EOMS and ledger values, the failed value a data-quality check saw.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from reporting import labels
from tests.apptest_auth import sign_in
from tests.conftest import APP, PAGES

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("app_db")]

BARE_CODE = re.compile(r"[a-z][a-z0-9]*")  # one lower-case word: a column's code, not a label
SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.-])")
RELATION = re.compile(r"\b(?:marts|audit|raw|main|ref|staging|intermediate)\.[a-z_]{3,}")
MISSING = re.compile(r"(?<![\w])(?:None|nan|NaN|NaT|<NA>)(?![\w])")
PERCENT = re.compile(r"(-?[\d,]+(?:\.\d+)?)\s*%")
LIBRARY_EN = ("Choose options", "Select all", "Choose an option", "No results", "Download", "Press Enter")
# The app's own Chinese words (not data such as contractor or place names): none may remain in English.
ZH_WORDS = {
    zh
    for table in (labels.LABELS, labels.COLUMN_NAMES, labels.DATASET_NAMES, labels.REASON_NAMES)
    for zh, en in table.values()
    if zh != en and "/" not in zh
}
# Columns whose cells are data as delivered (file names, raw rows, the two sides of a
# ledger mismatch, what a data-quality check observed): not judged as the app's own words.
# An appeal's ticket, item, reason, evidence and note, and an audit entry's target, are what a person typed.
DATA_COLUMNS = re.compile(
    r"文件|File|原始|Raw|EOMS值|EOMS value|台帐值|Ledger value|观测|Observed|样例|Sample|sha256|运行|Run"
    r"|工单编号|^Ticket$|^项目$|^Item$|申诉理由|^Reason$|^证据$|^Evidence$|裁定说明|^Note$|^对象$|^Target$"
)
# The pages of the people, the months and the trail (tests/conftest.PAGES lists the figures' pages).
ACCESS_PAGES = ["views/appeals.py", "views/months.py", "views/audit.py"]


@dataclass
class Seen:
    page: str
    lang: str
    texts: list[tuple[str, str]] = field(default_factory=list)  # (where, text)
    problems: list[str] = field(default_factory=list)

    def add(self, where: str, text: object) -> None:
        if text is None:
            self.problems.append(f"{where}: None shown")
            return
        s = str(text)
        if s.strip():
            self.texts.append((where, s))


def _plotly_texts(spec: dict[str, Any]) -> Iterator[tuple[str, str]]:
    layout = spec.get("layout", {})
    title = layout.get("title")
    if isinstance(title, dict) and title.get("text"):
        yield "chart title", title["text"]
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            t = axis.get("title")
            if isinstance(t, dict) and t.get("text"):
                yield f"chart {key} title", t["text"]
            for tick in axis.get("ticktext") or []:
                yield f"chart {key} tick", str(tick)
    for ann in layout.get("annotations") or []:
        if ann.get("text"):
            yield "chart annotation", ann["text"]
    for trace in spec.get("data", []):
        if trace.get("name"):
            yield "chart legend", str(trace["name"])
        for axis in ("x", "y"):
            values = trace.get(axis)
            categorical = isinstance(values, list) and values and all(isinstance(v, str) for v in values)
            if categorical and not all(re.fullmatch(r"\d{4}-\d{2}(-\d{2}.*)?", v) for v in values):  # dates: data
                for v in values:
                    yield f"chart {axis} category", v
        text = trace.get("text")
        if isinstance(text, list):
            for v in text:
                if isinstance(v, str):
                    yield "chart text", v


def _date_axes(spec: dict[str, Any]) -> list[str]:
    """Date axes must say how to print their ticks: plotly's default is English month names."""
    layout = spec.get("layout", {})
    out = []
    for trace in spec.get("data", []):
        xs = trace.get("x")
        if isinstance(xs, list) and xs and isinstance(xs[0], str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T].*", xs[0]):
            axis = layout.get("xaxis", {})
            if not axis.get("tickformat"):
                out.append("a date axis without tickformat (English month names)")
    return out


def _cell_problems(header: str, values: list[Any], fmt: str | None) -> list[str]:
    out: list[str] = []
    data = bool(DATA_COLUMNS.search(header))
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(f"column {header!r}: an empty cell (shown as None)")
            break
    numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool) and not math.isnan(v)]
    if fmt == "percent" and numbers and (min(numbers) < 0 or max(numbers) > 1 + 1e-9):
        out.append(f"column {header!r}: percent column holding values outside 0–1 ({min(numbers)}..{max(numbers)})")
    if fmt and fmt.endswith("%%"):
        out.append(f"column {header!r}: printf percent format {fmt!r} (fractions shown as 0.xx %)")
    if any(isinstance(v, bool) for v in values):
        out.append(f"column {header!r}: a True/False column (drawn as checkboxes)")
    if not data:
        for v in values:
            if isinstance(v, str):
                for problem in _text_problems(v):
                    out.append(f"column {header!r}: {problem}")
                    break
    return out


def _text_problems(text: str) -> list[str]:
    out = []
    for m in SNAKE.finditer(text):
        out.append(f"code {m.group(0)!r} in {text[:80]!r}")
    for m in RELATION.finditer(text):
        out.append(f"table name {m.group(0)!r} in {text[:80]!r}")
    if MISSING.search(text):
        out.append(f"missing value shown in {text[:80]!r}")
    for m in PERCENT.finditer(text):
        value = float(m.group(1).replace(",", ""))
        if value < 0 or value > 100:
            out.append(f"share outside 0–100 % in {text[:80]!r}")
    return out


def collect(at: AppTest, page: str, lang: str) -> Seen:
    seen = Seen(page, lang)
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        for el in getattr(at, kind):
            seen.add(kind, el.value)
    for m in at.metric:
        seen.add("metric label", m.label)
        seen.add("metric value", m.value)
        if m.proto.delta:
            seen.add("metric delta", m.proto.delta)
    for kind in ("selectbox", "radio", "multiselect"):
        for w in getattr(at, kind):
            seen.add(f"{kind} label", w.label)
            for option in w.options:
                seen.add(f"{kind} option", option)
            placeholder = getattr(w.proto, "placeholder", "")
            seen.add(f"{kind} placeholder", placeholder)
            if kind == "multiselect":
                seen.problems.append(f"a multiselect ({w.label!r}): its dropdown says 'Select all' in English")
    for kind in ("toggle", "checkbox", "button", "text_input", "text_area", "number_input", "date_input"):
        for w in getattr(at, kind):
            seen.add(f"{kind} label", w.label)
    for w in at.button_group:  # st.pills / st.segmented_control
        seen.add("pills label", w.label)
        for option in w.options:
            seen.add("pills option", option)
    for w in at.get("download_button"):
        seen.add("download label", w.proto.label)
    for el in at.dataframe:
        df = el.value
        config = json.loads(el.proto.columns or "{}")
        for col in df.columns:
            header = str(col)
            seen.add("table header", header)
            if lang == "zh" and BARE_CODE.fullmatch(header):  # `tickets`: a column the page forgot to label
                seen.problems.append(f"table header: the column code {header!r} on a Chinese page")
            fmt = (config.get(header) or {}).get("type_config", {}).get("format")
            seen.problems.extend(_cell_problems(header, df[col].tolist(), fmt))
    for el in at.get("plotly_chart"):
        spec = json.loads(el.proto.spec)
        for where, text in _plotly_texts(spec):
            seen.add(where, re.sub(r"<[^>]+>", " ", text))
        seen.problems.extend(_date_axes(spec))
    for where, text in seen.texts:
        for problem in _text_problems(text):
            seen.problems.append(f"{where}: {problem}")
        if lang == "zh":
            for default in LIBRARY_EN:
                if default in text:
                    seen.problems.append(f"{where}: English library default {default!r} on a Chinese page")
        if lang == "en" and text in ZH_WORDS and not where.startswith("chart"):  # chart categories are data
            seen.problems.append(f"{where}: the Chinese label {text!r} left on an English page")
    return seen


@pytest.fixture(scope="module")
def app_db(app_accounts, warehouse: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """This module's own application database (it opens a month, files and rules an appeal), so the
    new pages have something to show: a copy of the session's accounts, as the app finds it."""
    import os

    import appstate
    from reporting import queries
    from reporting.reader import DirectDB
    from tests.apptest_auth import SETUP, copy_app_db

    path = tmp_path_factory.mktemp("vt_app_db") / "app.db"
    url = copy_app_db(app_accounts.path, path)
    reader = DirectDB.open(warehouse)
    try:
        month = queries.months(reader)[0]
        contractor = sorted(app_accounts.contractors)[0]
        [ticket] = reader.df(
            "SELECT ticket_id FROM marts.mart_fault_tickets WHERE month = ? AND contractor = ? LIMIT 1",
            month,
            contractor,
        )["ticket_id"]
    finally:
        reader.close()
    app = appstate.connect(url)
    try:
        appstate.open_month(app, month, actor=SETUP)
        who = appstate.get_account(app, app_accounts.contractors[contractor])
        assert who is not None
        for rule in ("timeliness", "photo"):
            appeal = appstate.file_appeal(
                app, actor=who.principal, month=month, ticket_id=str(ticket), ticket_contractor=contractor,
                rule=rule, item="站点全景" if rule == "photo" else None, reason="派单系统故障", evidence="截图见邮件",
            )  # fmt: skip
        appstate.rule_appeal(app, appeal, actor=SETUP, accept=True, note="情况属实")
    finally:
        app.dispose()
    old = os.environ.get("DAIWEI_APP_DB")
    os.environ["DAIWEI_APP_DB"] = url
    yield app_accounts
    if old is None:
        os.environ.pop("DAIWEI_APP_DB", None)
    else:
        os.environ["DAIWEI_APP_DB"] = old


def render(page: str, lang: str, user: str = "admin") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    sign_in(at, user)
    if lang == "en":
        at.radio(key="lang_choice").set_value("English").run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES + ACCESS_PAGES)
def test_visible_text_is_clean(warehouse: Path, page: str, lang: str) -> None:
    at = render(page, lang)
    seen = collect(at, page, lang)
    if page == "views/areas.py":  # every area's supporting views, not only the first one's
        for i in range(1, len(at.selectbox(key="ar_area").options)):
            at.selectbox(key="ar_area").select_index(i).run()
            assert not at.exception, [e.value for e in at.exception]
            more = collect(at, f"{page} area {i + 1}", lang)
            seen.texts += more.texts
            seen.problems += more.problems
    assert seen.texts, "nothing visible collected"
    assert not seen.problems, "\n".join(sorted(set(seen.problems)))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", ["views/overview.py", *ACCESS_PAGES[:2]])
def test_visible_text_is_clean_for_a_contractor(warehouse: Path, app_db, page: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    """A contractor's pages: the appeal form, its month to confirm, the 代维公司A/B/… of the others."""
    at = render(page, lang, app_db.contractors[sorted(app_db.contractors)[0]])
    seen = collect(at, page, lang)
    assert seen.texts, "nothing visible collected"
    assert not seen.problems, "\n".join(sorted(set(seen.problems)))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_sign_in_form_is_clean(warehouse: Path, lang: str) -> None:
    """What an anonymous visitor reads: the form, in the language of the switch, and a refusal."""
    from tests.apptest_auth import fill_sign_in

    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if lang == "en":
        at.radio(key="lang_choice").set_value("English").run()
    fill_sign_in(at, "nobody", "wrong")
    seen = collect(at, "sign-in", lang)
    assert [e.value for e in at.error] == ["用户名或密码错误。" if lang == "zh" else "Wrong username or password."]
    assert [w.label for w in at.text_input] == (["用户名", "密码"] if lang == "zh" else ["Username", "Password"])
    assert not seen.problems, "\n".join(sorted(set(seen.problems)))
