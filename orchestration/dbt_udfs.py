"""dbt-duckdb plugin: registers the project's text UDFs on every dbt connection.

The ledger comparison and the confirmation-form checks normalise text with Unicode
NFKC, which DuckDB lacks; `ingestion.textnorm.register_udfs` adds it as the Python
UDF `nfkc(varchar)`. dbt-duckdb opens one connection and hands out cursors per
thread; the UDF and the temporary `dw_*` macros are registered on both, so every
model sees them. Only models materialised as tables may call `nfkc`: a view that
called it would fail in a process (the dashboard) where the UDF is not registered.

profiles.yml:  plugins: [{module: orchestration.dbt_udfs}]
"""

from __future__ import annotations

from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from ingestion.textnorm import register_udfs


class Plugin(BasePlugin):
    """Registers `nfkc` and the `dw_*` macros of `ingestion.textnorm`."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self.config = plugin_config

    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        register_udfs(conn)

    def configure_cursor(self, cursor: Any) -> None:
        # Temporary macros are per connection: register them again on each cursor.
        register_udfs(cursor)
