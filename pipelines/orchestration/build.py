"""Run the whole graph in-process (`disclosure build`) and say what it did."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from pipelines import paths
from pipelines.orchestration.resources import PipelinePaths

JOB_NAME = "build_everything"


def ensure_dagster_home() -> None:
    """Point DAGSTER_HOME at the git-ignored .dagster_home/ holding the root dagster.yaml."""
    home = paths.DAGSTER_HOME
    home.mkdir(parents=True, exist_ok=True)
    source, target = paths.PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml"
    if source.exists() and (not target.exists() or target.read_bytes() != source.read_bytes()):
        shutil.copyfile(source, target)
    os.environ["DAGSTER_HOME"] = str(home)


@dataclass
class BuildResult:
    success: bool
    run_id: str
    failed_steps: list[str] = field(default_factory=list)
    warehouse: dict[str, Any] = field(default_factory=dict)  # headline figures when published
    log_tail: list[str] = field(default_factory=list)  # the end of dbt's log (when not verbose)
    site: dict[str, Any] = field(default_factory=dict)  # the report site's figures when built


def run_build(
    pipeline_paths: PipelinePaths | None = None,
    *,
    strict: bool = False,
    instance: dg.DagsterInstance | None = None,
    verbose: bool = False,
    full_refresh: bool = False,
) -> BuildResult:
    """Materialize every asset of the graph in this process; publish only if the build passes.

    Runs killed before (their process gone) are marked failed first, so they free their slot.
    The run holds the data folder's lock through its DataFolderLock resource.
    """
    from pipelines.orchestration.assets import PUBLISHED_KEY, warehouse_metadata
    from pipelines.orchestration.dead_runs import mark_dead_runs, process_tags
    from pipelines.orchestration.definitions import build_definitions

    pipeline_paths = pipeline_paths or PipelinePaths()
    if instance is None:
        ensure_dagster_home()
        instance = dg.DagsterInstance.get()
    mark_dead_runs(instance)
    job = build_definitions(pipeline_paths).resolve_job_def(JOB_NAME)
    # dagster-dbt echoes dbt's log to stdout: keep it for a failure report unless verbose.
    captured = io.StringIO()
    with contextlib.nullcontext() if verbose else contextlib.redirect_stdout(captured):
        result = job.execute_in_process(
            instance=instance,
            tags=process_tags(),  # from its creation: a run killed before its first step is noticed too
            run_config={
                "ops": {
                    "warehouse_models": {"config": {"strict_reconciliation": strict, "full_refresh": full_refresh}}
                },
                "loggers": {"console": {"config": {"log_level": "INFO" if verbose else "WARNING"}}},
            },
            raise_on_error=False,
        )
    failed = [event.step_key or "?" for event in result.all_events if event.is_step_failure]
    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    if result.success and PUBLISHED_KEY not in materialized:
        # Dagster skips, without failing the run, a step whose upstream yielded nothing.
        failed.append("warehouse__published (skipped: a step before it yielded nothing)")
    report = BuildResult(success=result.success and not failed, run_id=result.run_id, failed_steps=failed)
    report.log_tail = captured.getvalue().splitlines()[-30:]
    if result.success and pipeline_paths.warehouse.exists():
        report.warehouse = warehouse_metadata(pipeline_paths.warehouse)
    for event in result.get_asset_materialization_events() if result.success else []:
        materialization = event.materialization
        if materialization.asset_key.path == ["site", "report"]:
            report.site = {key: getattr(value, "value", value) for key, value in materialization.metadata.items()}
    return report
