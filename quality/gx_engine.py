"""The only module that touches Great Expectations, and only when a run validates.

Why it looks like this:

* **Lazy and quiet.** `import great_expectations` costs 5-10 s and GE shows
  tqdm progress bars on stderr; both would hit every process that imports the
  Dagster definitions. So GE is imported on the first `validate()` call, with its
  warnings and logging turned down and progress bars switched off in the context.
* **Ephemeral context.** `gx.get_context(mode="ephemeral")` keeps suites,
  datasources and results in memory: nothing is written to the repository or
  the warehouse folder, nothing goes to the network. One context, one pandas
  datasource and one whole-dataframe batch definition serve the whole process.
* **Row positions, not GE's index columns.** Frames keep pandas' default
  RangeIndex and are validated with `COMPLETE` results without values, so each
  row-wise result carries the positions of all its unexpected rows. GE's own
  `unexpected_index_column_names` walks every unexpected row with `DataFrame.at`
  (minutes on a frame where most rows fail); positions cost nothing, and
  `results.py` turns them into per-(contractor, month) counts and samples.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.imports import hidden
from quality.spec import Check

RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "exclude_unexpected_values": True,  # values are read back from the frame by position
    "return_unexpected_index_query": False,
}

_STATE: dict[str, Any] = {}
_STATE_LOCK = threading.Lock()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def warm_up() -> threading.Thread:
    """Import GE and build its context in a background thread, so a run that validates later does not
    wait for it (≈ 3 s): the dbt step starts it, and spends its own time waiting for dbt's process.
    A failure here is not reported: `validate()` builds the state again and raises it then. Not a
    daemon: a process that ends before validating (a failed build) waits for the import to finish
    rather than killing a thread in the middle of an import."""

    def build() -> None:
        with contextlib.suppress(Exception):
            _state()

    thread = threading.Thread(target=build, name="gx-warm-up", daemon=False)
    thread.start()
    return thread


def _state() -> dict[str, Any]:
    """Import GE and build the in-memory context once per process (a second caller waits for the first)."""
    with _STATE_LOCK:
        return _build_state()


def _build_state() -> dict[str, Any]:
    if _STATE:
        return _STATE
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # pyspark hidden (decision 114): GE tries pyspark, Spark Connect and with it grpc at import
    # (`great_expectations.compatibility.pyspark`) for Spark datasources the suites never use:
    # ≈ 0.5 s of the import's 3-4 s, and `pyspark.sql.connect` calls `sys.exit(0)` when `__main__`
    # has neither `__spec__` nor `__file__`. Without it GE's own fallback applies (`NotImported`
    # placeholders). The run's process imports pyspark nowhere else (Spark runs inside dbt).
    with _quiet(), hidden("pyspark"):
        import great_expectations as gx
        import great_expectations.expectations as gxe
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        batch_definition = (
            context.data_sources.add_pandas("daiwei_dq")
            .add_dataframe_asset("frame")
            .add_batch_definition_whole_dataframe("whole")
        )
    _STATE.update(gx=gx, gxe=gxe, context=context, batch_definition=batch_definition)
    return _STATE


def _class_name(expectation_type: str) -> str:
    return "".join(part.capitalize() for part in expectation_type.split("_"))


def to_gx(check: Check, index: int) -> Any:
    """The GE Expectation for a Check; `meta.dq_index` maps results back (GE reorders them)."""
    cls = getattr(_state()["gxe"], _class_name(check.type))
    return cls(**dict(check.kwargs), meta={"dq_index": index})


@dataclass(frozen=True)
class GxOutcome:
    """GE's verdict on one check over one frame."""

    check: Check
    success: bool
    result: dict[str, Any]
    error: str | None = None


def for_gx(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its datetime columns in nanoseconds, the one unit GE compares vectorised:
    on any other unit `expect_column_values_to_be_between` calls Python once per value (0.4 s
    for the dispatch times of a province month's 80 k tickets). The values are the same instants
    (every date the suites see lies within 1678-2261, nanoseconds' range; a column that does not
    stays as it is); the results read the values back from the frame as fetched."""
    changed = {}
    for name in frame.columns:
        dtype = frame[name].dtype
        if pd.api.types.is_datetime64_dtype(dtype) and not pd.api.types.is_datetime64_ns_dtype(dtype):
            with contextlib.suppress(pd.errors.OutOfBoundsDatetime, OverflowError):
                changed[name] = frame[name].astype("datetime64[ns]")
    return frame.assign(**changed) if changed else frame


def validate(frame: pd.DataFrame, checks: Sequence[Check], suite_name: str) -> list[GxOutcome]:
    """Validate `checks` on `frame` (default RangeIndex) in one GE suite run; outcomes in check order."""
    state = _state()
    gx = state["gx"]
    frame = for_gx(frame.reset_index(drop=True))
    with _quiet():
        suite = gx.ExpectationSuite(name=suite_name, expectations=[to_gx(c, i) for i, c in enumerate(checks)])
        batch = state["batch_definition"].get_batch(batch_parameters={"dataframe": frame})
        validation = batch.validate(suite, result_format=RESULT_FORMAT)
    by_index: dict[int, Any] = {}
    for r in validation.results:
        by_index[int((r.expectation_config.meta or {})["dq_index"])] = r
    outcomes = []
    for i, check in enumerate(checks):
        r = by_index[i]
        info = r.exception_info or {}
        error = None
        if info.get("raised_exception"):
            error = (info.get("exception_message") or "error").strip().splitlines()[-1][:300]
        outcomes.append(GxOutcome(check, bool(r.success), dict(r.result or {}), error))
    return outcomes
