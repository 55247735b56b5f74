"""Resources: where the pipeline reads and writes (defaults from pipelines.paths), and its lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import dagster as dg

from pipelines import paths
from pipelines.folder_lock import data_folder, hold


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
    def data_folder(self) -> Path:
        """The folder whose lock writers take: the lake's parent (pipelines.folder_lock)."""
        return data_folder(self.lake_dir)

    @property
    def marts(self) -> Path:
        return Path(self.lake_dir) / "marts"

    def build_file(self, run_id: str) -> Path:
        """The fresh DuckDB file a run builds before publishing it."""
        return Path(self.build_dir) / f"warehouse-{run_id}.duckdb"


class DataFolderLock(dg.ConfigurableResource):
    """The data folder's lock, held by the run's process from its first step to its last.

    The job runs in-process (one process per run), so the resource is set up once per run. Its
    setup first tags the run with that process (dead_runs), so a run killed even while waiting
    for the lock is noticed, then waits for the lock, logging whom it waits for.
    """

    data_folder: str  # PipelinePaths.data_folder (a plain value: a nested resource warns on every run)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[Self]:
        from pipelines.orchestration.dead_runs import tag_run_process

        run = context.run
        if run is not None and context.instance is not None:
            tag_run_process(context.instance, run)
        what = f"Dagster run {run.run_id[:8]} of {run.job_name}" if run is not None else "a Dagster run"
        announce = context.log.info if context.log is not None else None
        with hold(self.data_folder, what=what, announce=announce):
            yield self
