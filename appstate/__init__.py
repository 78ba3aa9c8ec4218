"""The application database (access.md): accounts, month states, appeals and rulings, the audit trail.

Written by people, so transactional and kept apart from the warehouse, which each run
rebuilds: SQLite by default, PostgreSQL for a multi-user deployment (SQLAlchemy). Imports
only `core` and third-party libraries; the CLI and the app call these functions, and a
build reads the rulings and month states from here as a dbt source.
"""

from appstate.accounts import (
    Account,
    LockoutPolicy,
    SignIn,
    add_user,
    disable_user,
    get_account,
    list_users,
    set_password,
    sign_in,
)
from appstate.appeals import RULES, Appeal, appeal_rows_for_build, file_appeal, list_appeals, rule_appeal
from appstate.audit import ACTIONS, AuditEntry, VerifyResult, entries, record, verify
from appstate.db import AppDB, connect
from appstate.errors import Denied, Invalid
from appstate.months import (
    FrozenMonth,
    MonthState,
    appeal_window_days,
    close_month,
    confirm_month,
    frozen_snapshots,
    month_states,
    open_month,
    reopen_month,
    visible_months,
)

__all__ = [
    "ACTIONS",
    "RULES",
    "Account",
    "AppDB",
    "Appeal",
    "AuditEntry",
    "Denied",
    "FrozenMonth",
    "Invalid",
    "LockoutPolicy",
    "MonthState",
    "SignIn",
    "VerifyResult",
    "add_user",
    "appeal_rows_for_build",
    "appeal_window_days",
    "close_month",
    "confirm_month",
    "connect",
    "disable_user",
    "entries",
    "file_appeal",
    "frozen_snapshots",
    "get_account",
    "list_appeals",
    "list_users",
    "month_states",
    "open_month",
    "record",
    "reopen_month",
    "rule_appeal",
    "set_password",
    "sign_in",
    "verify",
    "visible_months",
]
