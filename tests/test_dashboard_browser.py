"""The dashboard in a real browser: `streamlit run` on a demo warehouse, opened by headless Chromium.

AppTest does not draw anything; this checks that every page really renders
in a browser (title, plotly SVG, no exception box) and keeps a screenshot in
test-artifacts/dashboard.png for the review. The browser signs in through the
form first, on every address it opens (a reload is a new, signed-out session).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.screenshots import CHROMIUM, CHROMIUM_ARGS, PAGES, open_page, page_url, serve

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
ERRORS = ".stException, [data-testid='stException'], [data-testid='stAlertContentError']"


@pytest.fixture(scope="module")
def base_url(demo_run: dict, app_accounts) -> Iterator[str]:  # type: ignore[no-untyped-def]
    wh = demo_run["wh"]
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    with serve(wh, app_db=app_accounts.url) as url:
        yield url


@pytest.fixture(scope="module")
def password(app_accounts) -> str:  # type: ignore[no-untyped-def]
    return str(app_accounts.password)


@pytest.fixture(scope="module")
def browser_page(base_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1200})
        yield page
        browser.close()


def test_anonymous_visitor_gets_only_the_sign_in_form(base_url: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    page.goto(page_url(base_url, "timeliness"), wait_until="networkidle")
    page.wait_for_selector("input[type='password']", timeout=45_000)
    assert "登录" in page.inner_text("h1")
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    assert page.locator(".js-plotly-plot, [data-testid='stDataFrame'], [data-testid='stMetric']").count() == 0


def test_overview_in_a_browser(base_url: str, browser_page, password: str) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    open_page(page, page_url(base_url, "overview"), "admin", password, has_chart=True)
    assert "代维KPI看板" in page.title()
    assert "全省代维考核总览" in page.inner_text("h1")
    assert page.locator(".js-plotly-plot .main-svg").count() >= 1
    assert page.locator(ERRORS).count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"))
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000


@pytest.mark.parametrize(("path", "has_chart"), [(p, c) for p, c, _ in PAGES[1:]])
def test_every_page_draws_without_error(base_url: str, browser_page, password: str, path: str, has_chart: bool) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    open_page(page, page_url(base_url, path), "admin", password, has_chart)
    title = page.locator("h1").first.inner_text().strip()
    assert title and "登录" not in title  # the page itself, behind the form
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).first.inner_text()


PICKER_VALUES_JS = "() => [...document.querySelectorAll(\"[data-testid='stSidebar'] input\")].map(e => e.value)"


def test_pickers_follow_the_language_switch(base_url: str, browser_page, password: str) -> None:  # type: ignore[no-untyped-def]
    """The pickers' "all" choice is redrawn in English after the switch (it kept 全部代维公司 before)."""
    page = browser_page
    open_page(page, page_url(base_url, "overview"), "admin", password, has_chart=True)
    assert {"全部代维公司", "全部地市"} <= set(
        page.evaluate(PICKER_VALUES_JS)
    )  # a selectbox shows its value in an input
    page.get_by_text("English", exact=True).click()
    page.wait_for_function(f"() => ({PICKER_VALUES_JS})().includes('All contractors')", timeout=30_000)
    shown = set(page.evaluate(PICKER_VALUES_JS))
    assert {"All contractors", "All prefectures"} <= shown and not {"全部代维公司", "全部地市"} & shown
    page.get_by_text("中文", exact=True).click()  # leave the shared page in Chinese for the other tests
    page.wait_for_function(f"() => ({PICKER_VALUES_JS})().includes('全部代维公司')", timeout=30_000)
