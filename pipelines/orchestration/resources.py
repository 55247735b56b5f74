"""Resources: where the pipeline reads and writes (defaults from pipelines.paths)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines import paths


class PipelinePaths(dg.ConfigurableResource):
    """The folders and files of one deployment; tests point them at temporary folders."""

    raw_dir: str = str(paths.RAW_DIR)
    lake_dir: str = str(paths.LAKE_DIR)
    warehouse_path: str = str(paths.WAREHOUSE_PATH)
    build_dir: str = str(paths.BUILD_DIR)
    site_dir: str = ""  # empty: data/site for the default warehouse, else a `site` folder beside the warehouse

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir)

    @property
    def lake(self) -> Path:
        return Path(self.lake_dir)

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_path)

    @property
    def site(self) -> Path:
        if self.site_dir:
            return Path(self.site_dir)
        if self.warehouse == paths.WAREHOUSE_PATH:
            return paths.SITE_DIR
        return self.warehouse.parent / "site"

    @property
    def marts(self) -> Path:
        return Path(self.lake_dir) / "marts"

    def build_file(self, run_id: str) -> Path:
        """The fresh DuckDB file a run builds before publishing it."""
        return Path(self.build_dir) / f"warehouse-{run_id}.duckdb"
