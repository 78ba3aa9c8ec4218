"""Who a command acts for (cli.md): --user, else $DAIWEI_USER, else the operating-system user as a local admin.

A named account must exist and be enabled: a command never acts for a missing or
disabled account. Without a name, the person at the terminal already holds the files
(warehouse and application database), so they act as an admin under their own OS name,
which is what the audit trail records.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager

from appstate import AppDB, Denied, connect, get_account
from core.principal import Principal
from core.settings import Settings


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without a passwd entry): still someone local
        return "local"


def acting(settings: Settings) -> tuple[AppDB, Principal]:
    """The application database and the principal this command acts for; Denied for a missing/disabled account."""
    app = connect(settings.app_db)
    if settings.user is None:
        return app, Principal.local_admin(os_user())
    account = get_account(app, settings.user)
    if account is None or account.disabled:
        app.dispose()
        why = "不存在" if account is None else "已停用"
        state = "does not exist" if account is None else "is disabled"
        raise Denied(f"账号{why} / account {state}: {settings.user}")
    return app, account.principal


@contextmanager
def acting_as(settings: Settings) -> Iterator[tuple[AppDB, Principal]]:
    """`acting`, with the application database disposed of when the command is done."""
    app, who = acting(settings)
    try:
        yield app, who
    finally:
        app.dispose()


def require_everything(settings: Settings, target: str, refusal: str) -> None:
    """Only a role that sees every contractor may go on (access.md): a contractor account is refused with
    `refusal` (Denied: one line, exit 2), the refusal on the record; anyone else's export is recorded."""
    from appstate import record

    app, principal = acting(settings)
    try:
        if not principal.sees_everything:
            record(app, actor=principal, action="export", target=target, outcome="denied")
            raise Denied(refusal)
        record(app, actor=principal, action="export", target=target)
    finally:
        app.dispose()
