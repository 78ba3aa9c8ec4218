"""Who sees what in the dashboard (access.md), run by AppTest on the demo warehouse as each kind of person.

* An anonymous visitor gets the sign-in form on every page address, and nothing else.
* A wrong username and a wrong password read the same; five failures in a row lock the account.
* The admin, the analyst, the auditor and every demo contractor sign in; the trail (审计) opens
  for the admin and the auditor only.
* A contractor reads every page and builds every download: no other contractor's real name
  (taken from the unscoped warehouse) appears anywhere, and ticket / technician tables hold
  only its own rows, even after it sets the pickers' session values and the query parameters
  to another contractor's name.
* An appeal filed by a contractor in the app and ruled by the admin in the app is listed, with
  its ruling, for both.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

import appstate
from app.auth import PASSWORD_KEY, USER_KEY, principal_from_claims
from core.principal import Principal
from tests.apptest_auth import SETUP, Accounts, copy_app_db, fill_sign_in, sign_in
from tests.conftest import APP, PAGES

pytestmark = pytest.mark.slow

ACCESS_PAGES = ["views/appeals.py", "views/months.py", "views/audit.py"]
EVERY_PAGE = [*PAGES, *ACCESS_PAGES]
LOCKED = "lockme"


def rows(wh: Path, sql: str, *params: object) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def app_db(app_accounts: Accounts, warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Accounts]:
    """This module's own copy of the session's accounts (it locks one, opens months, files appeals),
    with the latest month opened, so the contractors have a month to read."""
    path = tmp_path_factory.mktemp("access_app_db") / "app.db"
    url = copy_app_db(app_accounts.path, path)
    app = appstate.connect(url)
    try:
        appstate.add_user(app, LOCKED, "analyst", app_accounts.password, actor=SETUP)
        [(latest,)] = rows(warehouse, "SELECT max(month) FROM marts.fct_kpi")
        appstate.open_month(app, latest, actor=SETUP)
    finally:
        app.dispose()
    old = os.environ.get("DAIWEI_APP_DB")
    os.environ["DAIWEI_APP_DB"] = url
    yield Accounts(url, path, contractors=app_accounts.contractors, password=app_accounts.password)
    if old is None:
        os.environ.pop("DAIWEI_APP_DB", None)
    else:
        os.environ["DAIWEI_APP_DB"] = old


@pytest.fixture(scope="module")
def real_names(warehouse: Path) -> list[str]:
    """Every contractor's real name, from the unscoped warehouse (what the export carries)."""
    return [r[0] for r in rows(warehouse, "SELECT DISTINCT contractor FROM marts.fct_kpi WHERE contractor <> ''")]


def new_session() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    return at


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


WATCH_COLUMNS = {"剩余 / 超时", "巡检周期起"}  # the 今日预警 lists (operations.md): open work, whatever its month


def watch_frames(at: AppTest) -> list:
    return [d.value for d in at.dataframe if WATCH_COLUMNS & {str(c) for c in d.value.columns}]


def page_text(at: AppTest, watch: bool = True) -> str:
    """Everything the page sends to the browser, as text: every element's fields, every table's cells
    (without the watch panel's lists when `watch` is False)."""
    from google.protobuf.json_format import MessageToDict

    parts: list[str] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", "") not in ("arrow_data_frame", "dataframe"):
            parts.append(json.dumps(MessageToDict(proto), ensure_ascii=False))
    for d in at.dataframe:
        if watch or not WATCH_COLUMNS & {str(c) for c in d.value.columns}:
            parts.append(d.value.astype(str).to_csv())
    for w in at.selectbox:
        parts.extend(str(o) for o in w.options)
    return "\n".join(parts)


# --------------------------------------------------------------------------- the door


@pytest.mark.parametrize("page", EVERY_PAGE)
def test_an_anonymous_visitor_gets_only_the_sign_in_form(warehouse: Path, app_db: Accounts, page: str) -> None:
    at = new_session()
    at.switch_page(page).run()
    no_exception(at)
    assert [t.value for t in at.title] == ["代维KPI看板 · 登录"]
    assert sorted(w.key for w in at.text_input) == sorted([USER_KEY, PASSWORD_KEY])
    assert not at.selectbox and not at.dataframe and not at.metric and not at.get("plotly_chart")
    assert not at.get("download_button")
    assert [r.key for r in at.radio] == ["lang_choice"]  # the language switch: nothing of the data


def test_a_wrong_password_and_an_unknown_user_read_the_same(warehouse: Path, app_db: Accounts) -> None:
    at = fill_sign_in(new_session(), app_db.admin, "not-the-password")
    assert [e.value for e in at.error] == ["用户名或密码错误。"]
    at = fill_sign_in(new_session(), "nobody-here", "whatever")
    assert [e.value for e in at.error] == ["用户名或密码错误。"]
    assert [t.value for t in at.title] == ["代维KPI看板 · 登录"]


def test_five_failures_lock_the_account(warehouse: Path, app_db: Accounts) -> None:
    at = new_session()
    for _ in range(5):
        fill_sign_in(at, LOCKED, "wrong")
    at = fill_sign_in(new_session(), LOCKED, app_db.password)  # the right password, too late
    [message] = [e.value for e in at.error]
    assert "锁定至" in message and any(ch.isdigit() for ch in message), message
    assert [t.value for t in at.title] == ["代维KPI看板 · 登录"]
    app = appstate.connect(app_db.url)
    try:
        outcomes = [e.outcome for e in appstate.entries(app, action="sign_in_failed", username=LOCKED)]
    finally:
        app.dispose()
    assert outcomes[0] == "locked" and outcomes.count("bad_password") == 5


@pytest.mark.parametrize("role", ["admin", "analyst", "auditor"])
def test_the_department_signs_in_and_the_trail_opens_for_admin_and_auditor(
    warehouse: Path, app_db: Accounts, role: str
) -> None:
    at = sign_in(new_session(), getattr(app_db, role))
    no_exception(at)
    assert at.selectbox(key="contractor").value == ""  # every contractor
    role_zh = {"admin": "网络部管理员", "analyst": "网络部分析员", "auditor": "审计"}[role]
    assert any(role_zh in t.value and getattr(app_db, role) in t.value for t in at.text)
    at.switch_page("views/audit.py").run()
    no_exception(at)
    if role == "analyst":
        assert [e.value for e in at.error] == ["你的角色无权查看此页。"] and not at.dataframe
    else:
        trail = next(d.value for d in at.dataframe if "操作" in d.value.columns)
        assert len(trail) > 0 and list(trail["编号"]) == sorted(trail["编号"], reverse=True)
        at.button(key="au_verify").click().run()
        assert [s.value for s in at.success if "完整" in s.value]


def test_a_signed_out_or_forged_session_is_back_at_the_door(warehouse: Path, app_db: Accounts) -> None:
    at = sign_in(new_session(), app_db.analyst)
    at.session_state["auth_user"] = app_db.admin  # someone edits the session: the token no longer verifies
    at.run()
    assert [t.value for t in at.title] == ["代维KPI看板 · 登录"] and not at.dataframe
    at = sign_in(new_session(), app_db.analyst)
    at.button(key="sign_out").click().run()
    assert [t.value for t in at.title] == ["代维KPI看板 · 登录"]


# --------------------------------------------------------------------------- a contractor's view


class Downloads:
    """Every download button's file, built exactly as a click builds it (Streamlit's deferred data)."""

    def __init__(self) -> None:
        self.registered: list[tuple[str | None, Callable[[], Any]]] = []

    def __enter__(self) -> Downloads:
        from streamlit.runtime.media_file_manager import MediaFileManager

        self._original = MediaFileManager.add_deferred
        original, registered = self._original, self.registered

        def spy(self, data_callable, mimetype, coordinates, file_name=None, **kw):  # type: ignore[no-untyped-def]
            registered.append((file_name, data_callable))
            return original(self, data_callable, mimetype, coordinates, file_name, **kw)

        MediaFileManager.add_deferred = spy  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        from streamlit.runtime.media_file_manager import MediaFileManager

        MediaFileManager.add_deferred = self._original  # type: ignore[method-assign]

    def built(self) -> list[tuple[str, bytes]]:
        out = []
        for name, fn in self.registered:
            data = fn()
            out.append((str(name), data if isinstance(data, bytes) else str(data).encode()))
        self.registered.clear()
        return out


def download_text(name: str, data: bytes) -> str:
    if name.endswith(".csv"):
        return data.decode("utf-8-sig")
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row)


def own_rows_only(at: AppTest, own: str, where: str) -> int:
    """Ticket and technician tables: every row is the contractor's own. Returns how many were checked."""
    checked = 0
    for d in at.dataframe:
        df = d.value
        if ("工单编号" in df.columns or "处理人工号" in df.columns) and "代维公司" in df.columns and len(df):
            assert set(df["代维公司"]) == {own}, (where, set(df["代维公司"]))
            checked += 1
    return checked


def test_a_contractor_reads_only_its_own(warehouse: Path, app_db: Accounts, real_names: list[str]) -> None:
    """One contractor account reads every page and download (the role; tests/test_scope.py holds every
    contractor to the same rules at the reporting layer, where the scope is applied for all of them)."""
    own = sorted(app_db.contractors)[0]
    others = [c for c in real_names if c != own]
    assert others
    with Downloads() as downloads:
        at = sign_in(new_session(), app_db.contractors[own])
        assert at.selectbox(key="contractor").value == own  # its own name by default
        options = at.selectbox(key="contractor").options
        assert own in options and all(o == own or o.startswith("代维公司") or o == "全部代维公司" for o in options)
        tables_checked, files = 0, 0
        for page in EVERY_PAGE:
            for contractor in (own, ""):
                at.selectbox(key="contractor").set_value(contractor).run()
                at.switch_page(page).run()
                no_exception(at)
                where = f"{page} [{contractor or 'all'}]"
                text = page_text(at)
                for name, data in downloads.built():
                    text += "\n" + download_text(name, data)
                    files += 1
                leaked = [o for o in others if o in text]
                assert not leaked, (where, leaked)
                tables_checked += own_rows_only(at, own, where)
                if page == "views/audit.py":
                    assert [e.value for e in at.error] == ["你的角色无权查看此页。"] and not at.dataframe
        assert tables_checked and files


def test_session_values_and_query_parameters_do_not_widen_a_contractors_view(
    warehouse: Path, app_db: Accounts, real_names: list[str]
) -> None:
    own = sorted(app_db.contractors)[0]
    other = next(c for c in real_names if c != own)
    months = [r[0] for r in rows(warehouse, "SELECT DISTINCT month FROM marts.fct_kpi ORDER BY 1")]
    at = sign_in(new_session(), app_db.contractors[own])
    visible = at.selectbox(key="month").options
    hidden = [m for m in months if m not in visible]
    assert hidden, "only the opened month is published to the contractors"
    for page in ("views/overview.py", "views/timeliness.py", "views/faults.py", "views/ledgers.py", "views/areas.py"):
        # The session values are set before the pickers exist (AppTest, like a browser, cannot send a picker
        # a value outside its options); the app finds them in its session state when the page runs.
        at = AppTest.from_file(APP, default_timeout=180)
        for key, value in (("contractor", other), ("month", hidden[0]), ("tl_contractor", other)):
            at.session_state[key] = value
        at.query_params["contractor"] = other
        at.query_params["month"] = hidden[0]
        at.run()
        sign_in(at, app_db.contractors[own])
        at.switch_page(page).run()
        no_exception(at)
        text = page_text(at)
        assert other not in text, page
        assert hidden[0] not in at.selectbox(key="month").options
        # no figure, title or chart point of an unpublished month; the watch panel lists the contractor's own
        # open tickets and due inspections whatever month they were dispatched in (decision 73)
        assert hidden[0] not in page_text(at, watch=False), page
        for frame in watch_frames(at):
            assert set(frame["代维公司"]) <= {own}, page
        own_rows_only(at, own, page)


# --------------------------------------------------------------------------- appeals, in the app


def test_an_appeal_filed_in_the_app_and_ruled_by_the_admin_is_listed(warehouse: Path, app_db: Accounts) -> None:
    own = sorted(app_db.contractors)[0]
    [(month,)] = rows(warehouse, "SELECT max(month) FROM marts.fct_kpi")  # opened by the fixture
    [(ticket,)] = rows(
        warehouse,
        "SELECT ticket_id FROM marts.mart_fault_tickets WHERE month = ? AND contractor = ? AND NOT is_timely "
        "ORDER BY ticket_id LIMIT 1",
        month,
        own,
    )
    [(foreign,)] = rows(
        warehouse,
        "SELECT ticket_id FROM marts.mart_fault_tickets WHERE month = ? AND contractor <> ? ORDER BY ticket_id LIMIT 1",
        month,
        own,
    )
    at = sign_in(new_session(), app_db.contractors[own])
    at.switch_page("views/appeals.py").run()
    no_exception(at)
    # another contractor's ticket cannot be named
    at.selectbox(key="ap_month").set_value(month)
    at.text_input(key="ap_ticket").input(foreign)
    at.selectbox(key="ap_rule").set_value("timeliness")
    at.text_area(key="ap_reason").input("系统派单时间有误")
    at.button(key="ap_submit").click().run()
    assert [e.value for e in at.error] == ["该月份没有这张工单，或它不属于你的公司。"]
    at.text_input(key="ap_ticket").input(ticket)
    at.text_area(key="ap_evidence").input("派单系统日志截图")
    at.button(key="ap_submit").click().run()
    no_exception(at)
    [filed] = [s.value for s in at.success]
    assert "申诉已提交" in filed
    listed = next(d.value for d in at.dataframe if "申诉编号" in d.value.columns)
    assert ticket in set(listed["工单编号"]) and set(listed["状态"]) == {"待裁定"}

    admin = sign_in(new_session(), app_db.admin)
    admin.switch_page("views/appeals.py").run()
    no_exception(admin)
    pending = admin.selectbox(key="ap_pending")
    appeal_id = int(next(o for o in pending.options if ticket in o).split(" ", 1)[0])  # options as shown
    pending.set_value(appeal_id)
    admin.text_input(key="ap_note").input("日志属实，采纳")
    admin.button(key="ap_accept").click().run()
    no_exception(admin)
    assert [s.value for s in admin.success if "已裁定" in s.value and "下一次运行" in s.value]
    listed = next(d.value for d in admin.dataframe if "申诉编号" in d.value.columns)
    row = listed[listed["工单编号"] == ticket].iloc[0]
    assert row["状态"] == "采纳" and row["裁定人"] == app_db.admin and row["裁定说明"] == "日志属实，采纳"

    at.run()  # the contractor's next click sees the ruling
    listed = next(d.value for d in at.dataframe if "申诉编号" in d.value.columns)
    assert listed[listed["工单编号"] == ticket].iloc[0]["状态"] == "采纳"
    app = appstate.connect(app_db.url)
    try:
        actions = [e.action for e in appstate.entries(app, limit=50)]
    finally:
        app.dispose()
    assert "appeal" in actions and "ruling" in actions and "view" in actions


def test_the_admin_opens_a_month_in_the_app_and_the_contractor_confirms_it(warehouse: Path, app_db: Accounts) -> None:
    months = [r[0] for r in rows(warehouse, "SELECT DISTINCT month FROM marts.fct_kpi ORDER BY 1 DESC")]
    month = months[1]  # a draft month
    own = sorted(app_db.contractors)[0]
    at = sign_in(new_session(), app_db.contractors[own])
    assert month not in at.selectbox(key="month").options
    admin = sign_in(new_session(), app_db.admin)
    admin.switch_page("views/months.py").run()
    admin.selectbox(key="mo_month").set_value(month).run()
    admin.button(key="mo_open").click().run()
    no_exception(admin)
    states = next(d.value for d in admin.dataframe if "申诉截止" in d.value.columns)
    assert states[states["月份"] == month].iloc[0]["状态"] == "已发布"
    at.switch_page("views/months.py").run()
    assert month in at.selectbox(key="month").options
    at.selectbox(key="mo_confirm_month").set_value(month).run()
    at.button(key="mo_confirm").click().run()
    no_exception(at)
    states = next(d.value for d in at.dataframe if "申诉截止" in d.value.columns)
    assert states[states["月份"] == month].iloc[0]["已确认的代维公司"] == "本公司已确认"
    admin.run()
    states = next(d.value for d in admin.dataframe if "申诉截止" in d.value.columns)
    assert states[states["月份"] == month].iloc[0]["已确认的代维公司"] == own


# --------------------------------------------------------------------------- OpenID Connect: the claim mapping

MAPPING = {
    "username_claim": "email",
    "role_claim": "groups",
    "contractor_claim": "company",
    "roles": {"kpi-admins": "admin", "kpi-analysts": "analyst", "kpi-audit": "auditor", "vendors": "contractor"},
    "contractors": {"TT": "铁通", "CX": "澄星"},
}


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"email": "li@x.cn", "groups": ["kpi-analysts"]}, Principal("li@x.cn", "analyst")),
        ({"email": "li@x.cn", "groups": "kpi-audit"}, Principal("li@x.cn", "auditor")),
        ({"email": "li@x.cn", "groups": ["kpi-analysts", "kpi-admins"]}, Principal("li@x.cn", "admin")),
        (
            {"email": "wang@tt.cn", "groups": ["vendors"], "company": "TT"},
            Principal("wang@tt.cn", "contractor", "铁通"),
        ),
        ({"sub": "u-17", "groups": ["kpi-audit", "other"]}, Principal("u-17", "auditor")),
    ],
)
def test_claims_that_the_mapping_places(claims: dict, expected: Principal) -> None:
    assert principal_from_claims(claims, MAPPING) == expected


@pytest.mark.parametrize(
    "claims",
    [
        {"email": "li@x.cn"},  # no role claim
        {"email": "li@x.cn", "groups": ["everyone"]},  # a group the mapping does not know
        {"groups": ["kpi-admins"]},  # nobody named
        {"email": "wang@tt.cn", "groups": ["vendors"]},  # a contractor without a company
        {"email": "wang@tt.cn", "groups": ["vendors"], "company": "ZZ"},  # a company not listed
        {"email": "wang@tt.cn", "groups": ["vendors", "kpi-analysts"], "company": "TT"},  # ambiguous
        {"email": "wang@tt.cn", "groups": ["vendors"], "company": ["TT", "CX"]},  # two companies
    ],
)
def test_claims_that_the_mapping_refuses(claims: dict) -> None:
    assert principal_from_claims(claims, MAPPING) is None


def test_without_a_contractor_list_the_claim_is_the_name() -> None:
    mapping = {k: v for k, v in MAPPING.items() if k != "contractors"}
    got = principal_from_claims({"email": "a@b", "groups": ["vendors"], "company": "天龙讯"}, mapping)
    assert got == Principal("a@b", "contractor", "天龙讯")
    assert principal_from_claims({"email": "a@b", "groups": ["kpi-admins"]}, {}) is None  # no mapping: nobody
