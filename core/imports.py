"""Importing a library with one of its optional dependencies made unimportable.

Two libraries daiwei uses import, at their own import, an optional dependency that costs seconds
and that this process never uses: dagster-dbt imports dbt-core (orchestration.dbt_lib, decision
112), Great Expectations imports pyspark and Spark Connect (quality.gx_engine, decision 114). Both
fall back on their own when that import fails. `hidden(name)` makes `import name` raise
ImportError for the duration of a `with` block, by the documented `sys.modules[name] = None`, and
puts things back afterwards, so that anyone importing the module later gets it normally.

If the module is already imported in this process, nothing is hidden (hiding it would not help, and
removing a real module from `sys.modules` would break its users).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def hidden(name: str) -> Iterator[bool]:
    """`import name` raises ImportError inside the block; yields whether it was hidden."""
    if name in sys.modules:
        yield False
        return
    sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` raise ImportError
    try:
        yield True
    finally:
        if name in sys.modules and sys.modules[name] is None:
            del sys.modules[name]
