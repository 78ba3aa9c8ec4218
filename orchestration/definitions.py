"""The one Definitions object: assets, checks, job, schedule, sensor and resources."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from core.settings import Settings
from orchestration.assets.dbt import daiwei_dbt_models
from orchestration.assets.ingestion import RAW_ASSETS, load_log, offered_files, rejects
from orchestration.assets.pack import kpi_pack, kpi_pack_job
from orchestration.assets.publish import published_warehouse_asset
from orchestration.checks import raw_data_quality
from orchestration.jobs import daiwei_run_job
from orchestration.resources import LimitsResource, WarehouseResource, dbt_resource
from orchestration.schedules import monthly_kpi_pack, nightly_inbox_run
from orchestration.sensors import inbox_sensor

published_warehouse = published_warehouse_asset([load_log.key, rejects.key, *daiwei_dbt_models.keys])

defs = Definitions(
    assets=[offered_files, *RAW_ASSETS, load_log, rejects, daiwei_dbt_models, published_warehouse, kpi_pack],
    asset_checks=[raw_data_quality],
    jobs=[daiwei_run_job, kpi_pack_job],
    schedules=[nightly_inbox_run, monthly_kpi_pack],
    sensors=[inbox_sensor],
    # The Dagster UI and daemon build their settings here, once; the CLI hands its own in as run config.
    resources={
        "warehouse": WarehouseResource(),
        "dbt": dbt_resource(),
        "limits": LimitsResource.of(Settings.load().limits),
    },
    executor=in_process_executor,
)
