"""Asset checks over the raw assets (Great Expectations suites of `quality/`)."""

from orchestration.checks.quality import RAW_QUALITY_SPECS, raw_data_quality

__all__ = ["RAW_QUALITY_SPECS", "raw_data_quality"]
