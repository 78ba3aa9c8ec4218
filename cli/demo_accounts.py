"""`daiwei demo-accounts`: the demo's people (access.md): one admin, an analyst, an auditor, one account per contractor.

`make demo` runs it after the build. Each account gets a fresh random password,
printed once on the terminal (never written to a file); the demo months are opened
so that the contractor accounts see their own figures. Run again, it gives the same
accounts new passwords. Every change is on the audit trail, made by the local admin.
"""

from __future__ import annotations

import argparse
import secrets
import unicodedata
from collections.abc import Callable

import appstate
from cli.acting import os_user
from core.principal import ROLE_NAMES_ZH, Principal
from core.settings import Settings

DEPARTMENT = (("admin", "admin"), ("analyst", "analyst"), ("auditor", "auditor"))


def _pad(text: str, width: int) -> str:
    """Pad to a terminal width: a Chinese character takes two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - shown)


def _password() -> str:
    return secrets.token_urlsafe(9)


def create(settings: Settings, contractors: list[str], months: list[str]) -> list[tuple[str, str, str, str]]:
    """(username, role, contractor, password) of every demo account, created or given a new password."""
    app = appstate.connect(settings.app_db)
    actor = Principal.local_admin(os_user())
    try:
        wanted = [(u, r, "") for u, r in DEPARTMENT] + [(c, "contractor", c) for c in contractors]
        out = []
        for username, role, contractor in wanted:
            password = _password()
            if appstate.get_account(app, username) is None:
                appstate.add_user(app, username, role, password, contractor or None, actor=actor)
            else:
                appstate.set_password(app, username, password, actor=actor)
            out.append((username, role, contractor, password))
        states = appstate.month_states(app)
        for month in months:
            if month not in states or states[month].state == "draft":
                appstate.open_month(app, month, actor=actor)
        return out
    finally:
        app.dispose()


def cmd_demo_accounts(args: argparse.Namespace, settings_of: Callable[[argparse.Namespace], Settings]) -> int:
    from reporting import queries
    from reporting.reader import DirectDB

    settings = settings_of(args)
    if not settings.warehouse.exists():
        print(f"{settings.warehouse}: 仓库不存在，请先运行 daiwei run / warehouse not found, run `daiwei run` first")
        return 2
    db = DirectDB.open(settings.warehouse)
    try:
        contractors, months = queries.contractors(db), queries.months(db)
    finally:
        db.close()
    rows = create(settings, contractors, months)
    print("演示账号（密码只显示这一次）/ demo accounts (passwords are shown this once):")
    for username, role, contractor, password in rows:
        who = f"{ROLE_NAMES_ZH[role]}" + (f" · {contractor}" if contractor else "")
        print(f"  {_pad(username, 10)}{_pad(password, 14)}{who}")
    print(f"已开放月份 / months open to the contractors: {', '.join(sorted(months))}")
    return 0


def register(command: Callable[[str, str], argparse.ArgumentParser], settings_of: Callable) -> dict:
    command(
        "demo-accounts", "创建演示账号 / create the demo accounts, print their passwords once, open the demo months"
    )
    return {"demo-accounts": lambda args: cmd_demo_accounts(args, settings_of)}
