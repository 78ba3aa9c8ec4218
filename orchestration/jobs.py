"""The one job every entry point runs: load the inbox, build everything, publish."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

daiwei_run_job = define_asset_job(
    name="daiwei_run",
    # The pack is made on request for one month (kpi_pack_job), not in every load; the national
    # roll-up (national_job) reads a lake of several provinces, not this inbox.
    selection=AssetSelection.all() - AssetSelection.assets("kpi_pack", "national_kpi"),
    description="加载收件箱文件、构建全部模型与检查、原子发布仓库 / load, build, check, publish",
)
