"""Screenshots of every page: `python -m app.screenshots --warehouse W [--out docs/screenshots]`.

Starts `streamlit run app/streamlit_app.py` on a free port against the given
warehouse, opens each page in headless Chromium (Debian's /usr/bin/chromium,
never a downloaded one) and waits until the page has really drawn: the
title, and a plotly chart where the page has one (a plain `chromium
--screenshot` only catches Streamlit's loading skeleton). The browser test
uses the same helpers.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
MAX_BYTES = 480_000
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGES = [  # (url path, has a plotly chart, file name)
    ("overview", True, "overview"),
    ("timeliness", True, "timeliness"),
    ("comparison", True, "comparison"),
    ("areas", True, "areas"),
    ("faults", True, "faults"),
    ("ledgers", True, "ledgers"),
    ("loads", False, "loads"),
    ("appeals", False, "appeals"),
    ("months", False, "months"),
    ("audit", False, "audit"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(warehouse: Path, port: int | None = None, timeout: float = 60.0, app_db: str | None = None) -> Iterator[str]:
    """A Streamlit server on the warehouse (and application database) for the block; yields its base URL."""
    with serve_process(warehouse, port, timeout, app_db) as (url, _proc):
        yield url


@contextlib.contextmanager
def serve_process(
    warehouse: Path, port: int | None = None, timeout: float = 60.0, app_db: str | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """As `serve`, and the server process too (tests look at the files it holds open)."""
    port = port or free_port()
    env = dict(os.environ, DAIWEI_WAREHOUSE=str(warehouse))
    if app_db:
        env["DAIWEI_APP_DB"] = app_db
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app" / "streamlit_app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"streamlit did not start on port {port}: {err[-500:]}")
            time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_drawn(page, has_chart: bool, timeout_ms: int = 45_000) -> None:  # type: ignore[no-untyped-def]
    """Until the title is there, the spinners are gone and (if any) a plotly chart has drawn its SVG."""
    page.wait_for_selector("h1", timeout=timeout_ms)
    if has_chart:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=timeout_ms)
    with contextlib.suppress(Exception):
        page.wait_for_selector("[data-testid='stSpinner']", state="detached", timeout=timeout_ms)
    page.wait_for_timeout(800)  # let the last charts lay out


def sign_in(page, username: str, password: str, timeout_ms: int = 45_000) -> None:  # type: ignore[no-untyped-def]
    """Fill the sign-in form (if it is there) and wait until the page behind it has its title.

    A browser reload starts a new Streamlit session, which is signed out: call this after every
    `goto` / `reload`. The form keeps the address, so the page asked for opens after the sign-in."""
    # either the form (signed out) or the navigation (still signed in): the title alone comes first
    page.wait_for_selector("input[type='password'], [data-testid='stSidebarNav']", timeout=timeout_ms)
    password_box = page.locator("input[type='password']")
    if password_box.count() == 0:
        return
    page.locator("input[type='text']").first.fill(username)
    password_box.first.fill(password)
    page.locator("[data-testid='stFormSubmitButton'] button").first.click()
    page.wait_for_selector("input[type='password']", state="detached", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stSidebarNav']", timeout=timeout_ms)
    page.wait_for_selector("h1", timeout=timeout_ms)


def open_page(page, url: str, username: str, password: str, has_chart: bool) -> None:  # type: ignore[no-untyped-def]
    """Go to a page's address, sign in there, and wait until it has drawn."""
    page.goto(url, wait_until="networkidle")
    sign_in(page, username, password)
    wait_drawn(page, has_chart)


_CONTENT_HEIGHT_JS = (
    "() => { const m = document.querySelector('[data-testid=\"stMainBlockContainer\"]');"
    " return m ? m.scrollHeight + 60 : document.body.scrollHeight; }"
)


def page_url(base: str, path: str) -> str:
    """The first page is the default one: Streamlit serves it at the root, not under its url path."""
    return f"{base}/" if path == PAGES[0][0] else f"{base}/{path}"


def shoot(
    warehouse: Path,
    out_dir: Path,
    only: list[str] | None = None,
    width: int = 1440,
    max_height: int = 4200,
    *,
    app_db: str | None = None,
    username: str = "admin",
    password: str = "",
) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with serve(warehouse, app_db=app_db) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 1000})
            for path, has_chart, name in PAGES:
                if only and path not in only:
                    continue
                page.set_viewport_size({"width": width, "height": 1000})
                open_page(page, page_url(url, path), username, password, has_chart)
                # Streamlit scrolls inside its main block: grow the window to the content instead
                height = page.evaluate(_CONTENT_HEIGHT_JS)
                target = out_dir / f"{name}.png"
                cap = max_height
                while True:  # keep each PNG under the repository's 500 KB budget
                    page.set_viewport_size({"width": width, "height": min(max(int(height) + 40, 800), cap)})
                    page.wait_for_timeout(1200)
                    page.screenshot(path=str(target), type="png")
                    if target.stat().st_size <= MAX_BYTES or cap <= 1600:
                        break
                    cap -= 600
                written.append(target)
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--warehouse", required=True)
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--page", action="append", help="only this url path (repeatable)")
    ap.add_argument("--app-db", default=None, help="the application database (default: $DAIWEI_APP_DB)")
    ap.add_argument("--user", default="admin", help="the account to sign in with (password on standard input)")
    args = ap.parse_args(argv)
    password = os.environ.get("DAIWEI_SCREENSHOT_PASSWORD") or sys.stdin.readline().rstrip("\n")
    shots = shoot(
        Path(args.warehouse).resolve(),
        Path(args.out),
        args.page,
        app_db=args.app_db,
        username=args.user,
        password=password,
    )
    for p in shots:
        print(f"{p} ({p.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
