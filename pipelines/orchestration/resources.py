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
    def marts(self) -> Path:
        return Path(self.lake_dir) / "marts"

    def build_file(self, run_id: str) -> Path:
        """The fresh DuckDB file a run builds before publishing it."""
        return Path(self.build_dir) / f"warehouse-{run_id}.duckdb"
