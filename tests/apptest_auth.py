"""Signing in, for every module that runs the dashboard: an application database with accounts, the form filled in.

The dashboard serves nothing but the sign-in form to an anonymous visitor, so each AppTest
(and the browser tests) signs in first, through the form, as a person would. The accounts
are made with `appstate.add_user` by an admin actor, exactly as `daiwei users add` makes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from streamlit.testing.v1 import AppTest

import appstate
from app.auth import PASSWORD_KEY, SUBMIT_KEY, USER_KEY
from core.principal import Principal

SETUP = Principal("setup", "admin")
PASSWORD = "Daiwei-test-2026!"


@dataclass(frozen=True)
class Accounts:
    """The accounts of one application database: username → password, and each contractor's username."""

    url: str
    path: Path
    admin: str = "admin"
    analyst: str = "analyst"
    auditor: str = "auditor"
    contractors: dict[str, str] = field(default_factory=dict)  # contractor name → username
    password: str = PASSWORD


def sqlite_url(path: Path) -> str:
    return "sqlite:///" + str(path.resolve())


def make_app_db(path: Path, contractors: list[str]) -> Accounts:
    """An SQLite application database with an admin, an analyst, an auditor and one account per contractor."""
    url = sqlite_url(path)
    app = appstate.connect(url)
    try:
        accounts = Accounts(url, path, contractors={c: f"contractor{i + 1}" for i, c in enumerate(sorted(contractors))})
        for username, role in ((accounts.admin, "admin"), (accounts.analyst, "analyst"), (accounts.auditor, "auditor")):
            appstate.add_user(app, username, role, PASSWORD, actor=SETUP)
        for name, username in accounts.contractors.items():
            appstate.add_user(app, username, "contractor", PASSWORD, name, actor=SETUP)
    finally:
        app.dispose()
    return accounts


def copy_app_db(source: Path, target: Path) -> str:
    """A consistent copy of an SQLite application database (SQLite's backup API, so what is still in
    the source's write-ahead log is copied too, which a file copy would miss), and its URL."""
    import sqlite3

    target.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return sqlite_url(target)


def fill_sign_in(at: AppTest, username: str, password: str) -> AppTest:
    """Type into the form and press 登录 (the caller looks at what came back)."""
    at.text_input(key=USER_KEY).input(username)
    at.text_input(key=PASSWORD_KEY).input(password)
    at.button(key=SUBMIT_KEY).click().run()
    assert not at.exception, [(e.value, e.stack_trace) for e in at.exception]
    return at


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    """Sign in through the form and check that the form is gone (the app is behind it)."""
    if not at.text_input:  # the first run has not happened yet
        at.run()
    fill_sign_in(at, username, password)
    assert not [w for w in at.text_input if w.key == PASSWORD_KEY], [e.value for e in at.error]
    return at
