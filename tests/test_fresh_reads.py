"""After a publish every open dashboard session reads the new warehouse, and no handle on a replaced file survives.

A run publishes by `os.replace`-ing the warehouse file. The fault campaign found the
served app still counting the first warehouse's files after three publishes (DuckDB
hands back the already-open database for a path while a connection to it is alive),
and the replaced file held open as `(deleted)`. These tests publish twice under a
served app (a real `streamlit run`, read in headless Chromium) and under AppTest.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from app.screenshots import CHROMIUM, CHROMIUM_ARGS, open_page, page_url, serve_process
from tests.apptest_auth import sign_in

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def publish(source: Path, published: Path, keep_files: int | None) -> int:
    """Publish a copy of `source` the way a run does (build copy, then os.replace); returns the file count."""
    build = published.parent / ".build" / "x" / published.name
    build.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, build)
    con = duckdb.connect(str(build))
    try:
        if keep_files is not None:
            con.execute("DELETE FROM audit.load_log WHERE load_seq > ?", [keep_files])
        con.execute("CHECKPOINT")
        count = int(con.execute("SELECT count(*) FROM audit.load_log").fetchall()[0][0])
    finally:
        con.close()
    os.replace(build, published)
    return count


def deleted_handles(pid: int | str, name: str) -> list[str]:
    """The server's open file handles on a replaced (deleted) warehouse file."""
    fd_dir = Path(f"/proc/{pid}/fd")
    out = []
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if name in target and target.endswith("(deleted)"):
            out.append(target)
    return out


@pytest.fixture()
def published(demo_run: dict, tmp_path: Path, app_db) -> Iterator[tuple[Path, Path]]:  # type: ignore[no-untyped-def]
    """A published copy of the demo warehouse (and the session's accounts in $DAIWEI_APP_DB)."""
    assert demo_run["run"].returncode in (0, 1), demo_run["run"].stderr
    target = tmp_path / "pub" / "warehouse.duckdb"
    target.parent.mkdir()
    yield demo_run["wh"], target


def _files_offered(page) -> int:  # type: ignore[no-untyped-def]
    text = page.locator("[data-testid='stMetricValue']").first.inner_text()
    return int(text.replace(",", "").strip())


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
def test_served_app_reads_each_publish(published: tuple[Path, Path], app_db) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    source, target = published
    counts = [publish(source, target, None)]
    password = app_db.password
    with serve_process(target, app_db=app_db.url) as (url, proc), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            open_page(page, page_url(url, "loads"), "admin", password, has_chart=False)
            seen = [_files_offered(page)]
            for keep in (counts[0] - 3, counts[0] - 7):
                counts.append(publish(source, target, keep))
                open_page(page, page_url(url, "loads"), "admin", password, has_chart=False)  # a reload signs out
                seen.append(_files_offered(page))
                assert deleted_handles(proc.pid, target.name) == [], "a replaced warehouse is still held open"
        finally:
            browser.close()
    assert seen == counts
    assert len(set(counts)) == 3


def test_apptest_session_reads_each_publish(published: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    source, target = published
    monkeypatch.setenv("DAIWEI_WAREHOUSE", str(target))
    counts = [publish(source, target, None)]
    at = AppTest.from_file(str(ROOT / "app" / "streamlit_app.py"), default_timeout=120)
    at.run()
    sign_in(at, "admin")
    at.switch_page("views/loads.py").run()
    seen = [int(str(at.metric[0].value).replace(",", ""))]
    for keep in (counts[0] - 2, counts[0] - 5):
        counts.append(publish(source, target, keep))
        at.run()  # the session's next interaction
        seen.append(int(str(at.metric[0].value).replace(",", "")))
        assert deleted_handles("self", target.name) == []
    assert seen == counts
