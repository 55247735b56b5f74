"""Assets: the raw folder → the lake tables → section similarity → the dbt models → the published warehouse.

The extraction is one step over the whole batch (never one op per file); dbt runs through
dagster-dbt so every model is an asset and every dbt test an asset check; the dbt sources name
the lake assets (`meta.dagster.asset_key` in _lake__sources.yml), so the graph is one lineage
from raw files to marts. Every asset that writes asks for `folder_lock`, so a run holds the data
folder's lock from its first step to its last (resources.DataFolderLock).
"""

import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl

from pipelines.extract.corpus import LakeWriteError, extract
from pipelines.extract.lake import SCHEMAS
from pipelines.extract.scan import RawFolderError
from pipelines.orchestration.resources import DataFolderLock, PipelinePaths
from pipelines.publish import connect_read_only, one_row, publish
from pipelines.textreuse.lake import TABLE as SIMILARITY_TABLE
from pipelines.textreuse.lake import update_similarity
from pipelines.warehouse import build_args, dbt_command, project_hash, start_build

RAW_KEY = dg.AssetKey(["raw", "reports"])
LAKE_KEYS = {name: dg.AssetKey(["lake", name]) for name in SCHEMAS}  # what the extraction writes
SIMILARITY_KEY = dg.AssetKey(["lake", SIMILARITY_TABLE])
PUBLISHED_KEY = dg.AssetKey(["warehouse", "published"])
SITE_KEY = dg.AssetKey(["site", "report"])
SEED_GROUP = "reference"  # the dbt seeds' asset group: lookups, not built from the lake
_STALE_BUILD_SECONDS = 6 * 3600

_LAKE_DESCRIPTIONS = {
    "reports": "One row per raw file: agency, year, dates, encoding, status.",
    "report_cells": "One row per table cell (long format), with its source line; null when blank.",
    "report_findings": "One row per problem the parser saw, with a stable code.",
    "report_sections": "One row per report section, for full-text search.",
    "report_narrative_facts": "One row per number the narrative states about a table's measure, with its line.",
}


def _preview(frame: pl.DataFrame, rows: int = 5) -> dg.MetadataValue:
    with pl.Config(tbl_formatting="MARKDOWN", tbl_hide_column_data_types=True, tbl_rows=rows, fmt_str_lengths=40):
        return dg.MetadataValue.md(str(frame.head(rows)))


# The report files themselves: not made by the pipeline; the raw-folder sensor watches them.
raw_reports = dg.AssetSpec(
    RAW_KEY,
    group_name="raw",
    description="The annual report files under the raw folder (data/raw/ by default), as published.",
)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(key, group_name="lake", deps=[RAW_KEY], description=_LAKE_DESCRIPTIONS[name])
        for name, key in LAKE_KEYS.items()
    ],
    name="lake_tables",
)
def lake_tables(
    context: dg.AssetExecutionContext, pipeline_paths: PipelinePaths, folder_lock: DataFolderLock
) -> Iterator[dg.MaterializeResult]:
    """Extract every raw file, in one batch, into the lake's Parquet tables."""
    started = time.perf_counter()
    try:
        summary = extract(pipeline_paths.raw, pipeline_paths.lake, progress=False)
    except RawFolderError as exc:
        raise dg.Failure(description=str(exc)) from exc
    except LakeWriteError as exc:
        raise dg.Failure(description=str(exc)) from exc
    seconds = time.perf_counter() - started
    context.log.info(
        f"{summary.files} files: {summary.parsed} parsed, {summary.reused} unchanged, {summary.removed} removed, "
        f"{summary.resumed} resumed from checkpoints in {seconds:.2f} s: {summary.by_status}"
    )
    for note in summary.repairs:
        context.log.warning(f"repaired: {note}")
    for rel in summary.stopped:
        context.log.warning(f"stopped: {rel}: its worker died on it (over a limit, or a crash); rejected")
    for name, key in LAKE_KEYS.items():
        folder = pipeline_paths.lake / name
        metadata: dict[str, Any] = {
            "dagster/row_count": summary.rows[name],
            "path": dg.MetadataValue.path(str(folder)),
            "partitions_written": sum(1 for path in summary.written if path.parents[2] == folder),
            "preview": _preview(pl.scan_parquet(folder, hive_partitioning=True).head(5).collect()),
        }
        if name == "reports":
            metadata |= {f"reports_{status}": count for status, count in summary.by_status.items()}
            metadata |= {"parsed": summary.parsed, "unchanged": summary.reused, "removed": summary.removed}
            metadata |= {"resumed": summary.resumed, "stopped": len(summary.stopped), "repairs": len(summary.repairs)}
            metadata["seconds"] = round(seconds, 2)
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)


@dg.asset(
    key=SIMILARITY_KEY,
    group_name="lake",
    deps=[LAKE_KEYS["report_sections"], LAKE_KEYS["reports"]],
    description=(
        "Narrative sections compared with the same agency's the year before, and (MinHash LSH) with other "
        "agencies' the same year: is this year's text last year's, or another agency's, with the numbers changed?"
    ),
)
def section_similarity(
    context: dg.AssetExecutionContext, pipeline_paths: PipelinePaths, folder_lock: DataFolderLock
) -> dg.MaterializeResult:
    """Signatures of new sections (the others are cached in the lake), then the comparisons of the
    new sections with the others (the other pairs are kept; everything from scratch the first time)."""
    summary = update_similarity(pipeline_paths.lake)
    seconds = {step: round(value, 2) for step, value in summary.seconds.items()}
    context.log.info(
        f"{summary.pairs} pairs {summary.by_comparison}; {summary.signed} sections signed, "
        f"{summary.compared} compared; {seconds}"
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": summary.pairs,
            "path": dg.MetadataValue.path(str(pipeline_paths.lake / SIMILARITY_TABLE)),
            "sections": summary.sections,
            "sections_signed": summary.signed,
            "sections_compared": summary.compared,
            "incremental": summary.incremental,
            **{f"pairs_{kind}": count for kind, count in summary.by_comparison.items()},
            "seconds": dg.MetadataValue.json(seconds),
        }
    )


class WarehouseBuildConfig(dg.Config):
    strict_reconciliation: bool = False
    """Fail the build when a report breaks the template's rules R1–R4 (default: warn)."""
    full_refresh: bool = False
    """Rebuild every model from scratch instead of continuing from the published warehouse."""


def _remove_stale_builds(build_dir: Path, keep: Path) -> None:
    """Builds left by runs that died before publishing (older than a few hours)."""
    for old in build_dir.glob("warehouse-*.duckdb*"):
        if old != keep and time.time() - old.stat().st_mtime > _STALE_BUILD_SECONDS:
            old.unlink(missing_ok=True)


def make_warehouse_assets(project: Any) -> tuple[dg.AssetsDefinition, dg.AssetsDefinition]:
    """The dbt models (built into a fresh file) and the step that publishes that file.

    Made in a function because `@dbt_assets` reads the manifest when it is applied.
    """
    from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

    class Translator(DagsterDbtTranslator):
        def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
            if dbt_resource_props["resource_type"] == "source":
                return super().get_asset_key(dbt_resource_props)  # its meta.dagster.asset_key
            return dg.AssetKey(["warehouse", dbt_resource_props["name"]])

        def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
            if dbt_resource_props["resource_type"] == "seed":
                return SEED_GROUP
            fqn = dbt_resource_props.get("fqn", [])
            return fqn[1] if len(fqn) > 2 else "warehouse"

    translator = Translator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    @dbt_assets(
        manifest=project.manifest_path, project=project, dagster_dbt_translator=translator, name="warehouse_models"
    )
    def warehouse_models(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        pipeline_paths: PipelinePaths,
        folder_lock: DataFolderLock,
        config: WarehouseBuildConfig,
    ) -> Iterator[Any]:
        """dbt build into a fresh DuckDB file (published only if everything passes)."""
        build = pipeline_paths.build_file(context.run.run_id)
        build.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_builds(build.parent, keep=build)
        incremental = start_build(build, pipeline_paths.warehouse, config.full_refresh)
        context.log.info("dbt build continues from the published warehouse" if incremental else "full dbt build")
        args = dbt_command(
            build_args(incremental), lake_dir=pipeline_paths.lake, database=build, strict=config.strict_reconciliation
        )
        try:
            # One target folder per deployment, reused: dagster-dbt would leave one per run.
            target = Path(pipeline_paths.build_dir) / "dbt-target"
            yield from dbt.cli(args, context=context, target_path=target).stream()
        except BaseException:
            for leftover in (build, build.with_name(build.name + ".wal")):
                leftover.unlink(missing_ok=True)
            raise

    # The seeds are left out of builds that continue a published warehouse (warehouse.build_args),
    # so publishing waits for the models only: a dependency that yields nothing skips its step.
    models = [key for key in warehouse_models.keys if warehouse_models.group_names_by_key[key] != SEED_GROUP]

    @dg.asset(
        key=PUBLISHED_KEY,
        deps=models,
        group_name="publish",
        description="The warehouse BI tools read: this run's build, renamed over data/warehouse.duckdb.",
    )
    def published_warehouse(
        context: dg.AssetExecutionContext, pipeline_paths: PipelinePaths, folder_lock: DataFolderLock
    ) -> dg.MaterializeResult:
        build = pipeline_paths.build_file(context.run.run_id)
        if not build.exists():
            raise dg.Failure(description=f"no warehouse was built in this run ({build} is missing)")
        result = publish(build, pipeline_paths.warehouse, pipeline_paths.marts, project_hash())
        return dg.MaterializeResult(
            metadata=warehouse_metadata(result.path)
            | {
                "path": dg.MetadataValue.path(str(result.path)),
                "size_bytes": result.size_bytes,
                "tables": dg.MetadataValue.json(result.tables),
                "marts_parquet": dg.MetadataValue.path(str(result.marts_dir)),
            }
        )

    return warehouse_models, published_warehouse


@dg.asset(
    key=SITE_KEY,
    deps=[PUBLISHED_KEY],
    group_name="publish",
    description="The static report site (data/site/index.html) built from the published warehouse.",
)
def report_site(
    context: dg.AssetExecutionContext, pipeline_paths: PipelinePaths, folder_lock: DataFolderLock
) -> dg.MaterializeResult:
    """Overview, quality and requests pages, and a viewer for every report and agency: `disclosure report`."""
    from pipelines.site.build import SiteError, build_site

    try:
        summary = build_site(pipeline_paths.warehouse, pipeline_paths.site, lake=pipeline_paths.lake)
    except SiteError as exc:
        raise dg.Failure(description=str(exc)) from exc
    index = summary.path / "index.html"
    context.log.info(f"report site built in {summary.seconds:.1f} s -> {index}")
    return dg.MaterializeResult(
        metadata={
            "site": dg.MetadataValue.md(
                f"**Report site** `{index}`\n\n"
                f"| reports | agencies | failing checks | files | MB | build seconds |\n|---|---|---|---|---|---|\n"
                f"| {summary.reports} | {summary.agencies} | {summary.checks_failed} | {summary.files} | "
                f"{summary.size_bytes / 1e6:.1f} | {summary.seconds:.1f} |"
            ),
            "path": dg.MetadataValue.path(str(index)),
            "reports": summary.reports,
            "agencies": summary.agencies,
            "checks_failed": summary.checks_failed,
            "files": summary.files,
            "size_bytes": summary.size_bytes,
            "build_seconds": round(summary.seconds, 2),
        }
    )


def warehouse_metadata(path: os.PathLike[str]) -> dict[str, Any]:
    """Headline figures of a published warehouse: reports by status, findings, reconciliation."""
    with connect_read_only(path) as con:
        statuses = dict(con.execute("select status, count(*) from dim_report group by 1 order by 1").fetchall())
        passed, failed, unassessable, failing_reports = one_row(
            con,
            """select count(*) filter (where passed), count(*) filter (where not passed),
                      count(*) filter (where not is_assessable),
                      count(distinct report_id) filter (where not passed)
               from reconciliation_results""",
        )
        findings = dict(con.execute("select severity, count(*) from report_findings group by 1 order by 1").fetchall())
    return {
        **{f"reports_{status}": count for status, count in statuses.items()},
        **{f"findings_{severity}": count for severity, count in findings.items()},
        "reconciliation_passed": passed,
        "reconciliation_failed": failed,
        "reconciliation_not_assessable": unassessable,
        "reports_failing_reconciliation": failing_reports,
    }
