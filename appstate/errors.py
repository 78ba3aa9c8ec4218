"""The two ways an application-database action is refused, each a one-line bilingual message.

`Denied` is about who is asking (wrong role, another contractor's ticket), `Invalid` about
what is asked (a month in the wrong state, a closed appeal window, an empty reason). Both
subclass the built-in exceptions callers already expect, so the CLI and the app can turn
either into one line for the user without knowing every case.
"""

from __future__ import annotations


class Denied(PermissionError):
    """The actor may not do this (role or contractor scope)."""


class Invalid(ValueError):
    """The request is not possible now or is malformed (state, window, input)."""
