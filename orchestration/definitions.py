"""The one Definitions object: assets, checks, job, schedule, sensor and resources."""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from core.settings import Settings
from orchestration.assets.app_state import app_state
from orchestration.assets.dbt import daiwei_dbt_models
from orchestration.assets.ingestion import RAW_ASSETS, load_log, offered_files, rejects
from orchestration.assets.national import national_job, national_kpi
from orchestration.assets.pack import kpi_pack, kpi_pack_job
from orchestration.assets.publish import published_warehouse_asset
from orchestration.assets.quality import data_quality
from orchestration.jobs import daiwei_run_job
from orchestration.resources import AppDbResource, LimitsResource, MailResource, WarehouseResource, dbt_resource
from orchestration.schedules import build_nightly_inbox_run, monthly_kpi_pack
from orchestration.sensors import build_inbox_sensor

published_warehouse = published_warehouse_asset([load_log.key, rejects.key, *daiwei_dbt_models.keys, data_quality.key])


def build_definitions(settings: Settings) -> Definitions:
    """Everything Dagster runs, for one deployment's settings (inbox, warehouse, limits)."""
    return Definitions(
        assets=[
            offered_files,
            *RAW_ASSETS,
            load_log,
            rejects,
            app_state,
            daiwei_dbt_models,
            data_quality,
            published_warehouse,
            kpi_pack,
            national_kpi,
        ],
        jobs=[daiwei_run_job, kpi_pack_job, national_job],
        schedules=[build_nightly_inbox_run(settings.inbox), monthly_kpi_pack],
        sensors=[build_inbox_sensor(settings.inbox)],
        resources={
            "warehouse": WarehouseResource(path=str(settings.warehouse)),
            "dbt": dbt_resource(),
            "limits": LimitsResource.of(settings.limits),
            "app_db": AppDbResource(url=settings.app_db),
            "mail": MailResource(),  # unset fields: the environment's mail settings (core.settings.Mail)
        },
        executor=in_process_executor,
    )


# The Dagster UI and daemon (`dagster dev -m orchestration.definitions`) build their settings here,
# once, from the environment; the CLI hands its own settings to a run as resource config.
defs = build_definitions(Settings.load())
