"""The job that builds everything, from raw files to the published warehouse."""

from __future__ import annotations

import dagster as dg

# Runs tagged so are limited to one at a time (dagster.yaml: tag_concurrency_limits).
DUCKDB_TAG = {"disclosure/duckdb": "write"}

build_everything = dg.define_asset_job(
    name="build_everything",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,  # one process: no re-import per step
    tags=DUCKDB_TAG,
    description="Extract data/raw into the lake, build the warehouse with dbt, publish it.",
)
