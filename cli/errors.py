"""Exit codes and the usage error every command raises (cli.md: 0 success, 1 rejected or failed, 2 usage).

Their own module, not cli.main: `python -m cli.main` runs that file as `__main__`, so a command module
that imported `cli.main.UsageError` would raise a class the running `main()` does not catch.
"""

from __future__ import annotations

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A wrong argument or setting: one line on stderr, exit 2."""
