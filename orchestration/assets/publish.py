"""The last step of every run: the built copy replaces the published warehouse atomically."""

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, asset

from orchestration.resources import WarehouseResource


def published_warehouse_asset(upstream: list[AssetKey]) -> AssetsDefinition:
    @asset(name="published_warehouse", deps=upstream, group_name="publish", kinds={"duckdb"})
    def _published(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        """The warehouse file the dashboard, the exports and the pack read (read-only)."""
        path = warehouse.get().publish(context.run.run_id)
        return MaterializeResult(metadata={"path": str(path), "bytes": path.stat().st_size})

    return _published
