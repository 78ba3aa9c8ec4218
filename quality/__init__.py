"""Data quality of the raw layer with Great Expectations: suites, runner, storage.

Modules, in the order a run uses them:

* `spec`        Check / Batch / Suite: suites written as plain data (no GE import)
* `catalog`     the list of suites and which Dagster check reports each
* `raw_suites`  one suite per raw dataset (types, ranges, references, deliveries)
* `device_suite` device metrics at scale: per device-month aggregates + a bounded sample
* `ledger_suite` 台帐 vs EOMS per contractor and month
* `reference`   run context: reference lists, month spine, contractor-months, "now"
* `gx_engine`   the only GE import (lazy, quiet, ephemeral context)
* `results`     GE outcomes -> result rows, split per (contractor, month), samples
* `storage`     audit.dq_results and the audit.dq_scores view
* `runner`      run_suites(con, run_id): the entry point for Dagster, tests and the CLI

Importing this package never imports Great Expectations or pandas.
"""
