"""Dagster definitions of the whole pipeline, loaded lazily (`dagster dev` from the root).

Nothing heavy happens at import: dagster-dbt, the dbt manifest and the assets are built when
Dagster (or a test) calls `defs()` / `build_definitions()`. `defs()` parses the dbt project
under `dagster dev` only (dagster-dbt's `prepare_if_dev`); `build_definitions()` parses it
first, once per process (`disclosure build`, the tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from pipelines.orchestration.resources import DataFolderLock, PipelinePaths

if TYPE_CHECKING:
    from dagster_dbt import DbtProject


def build_definitions(pipeline_paths: PipelinePaths | None = None, project: DbtProject | None = None) -> dg.Definitions:
    from pipelines.orchestration.assets import (
        lake_tables,
        make_warehouse_assets,
        raw_reports,
        report_site,
        section_similarity,
    )
    from pipelines.orchestration.checks import ALL_CHECKS
    from pipelines.orchestration.jobs import build_everything
    from pipelines.orchestration.project import prepared_dbt_project
    from pipelines.orchestration.schedules import daily_build
    from pipelines.orchestration.sensors import raw_folder_sensor
    from pipelines.warehouse import dbt_resource

    project = project or prepared_dbt_project()
    pipeline_paths = pipeline_paths or PipelinePaths()
    warehouse_models, published_warehouse = make_warehouse_assets(project)
    return dg.Definitions(
        assets=[raw_reports, lake_tables, section_similarity, warehouse_models, published_warehouse, report_site],
        asset_checks=ALL_CHECKS,
        jobs=[build_everything],
        schedules=[daily_build],
        sensors=[raw_folder_sensor],
        resources={
            "pipeline_paths": pipeline_paths,
            # held by the runs' assets that write
            "folder_lock": DataFolderLock(data_folder=str(pipeline_paths.data_folder)),
            "dbt": dbt_resource(project),
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    from pipelines.orchestration.project import dbt_project

    project = dbt_project()
    project.prepare_if_dev()
    return build_definitions(project=project)
