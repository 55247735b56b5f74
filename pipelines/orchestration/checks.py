"""Python asset checks: what dbt cannot say about the pipeline itself."""

import dagster as dg
import polars as pl

from pipelines.extract.lake import read_table
from pipelines.extract.scan import raw_files
from pipelines.orchestration.assets import LAKE_KEYS, PUBLISHED_KEY
from pipelines.orchestration.resources import PipelinePaths
from pipelines.publish import connect_read_only, one_row


@dg.asset_check(asset=LAKE_KEYS["reports"], description="Every file under the raw folder has a row in `reports`.")
def every_raw_file_in_reports(pipeline_paths: PipelinePaths) -> dg.AssetCheckResult:
    on_disk = {p.relative_to(pipeline_paths.raw).as_posix() for p in raw_files(pipeline_paths.raw)}
    in_lake = set(read_table(pipeline_paths.lake, "reports")["source_path"])
    missing = sorted(on_disk - in_lake)
    return dg.AssetCheckResult(
        passed=not missing,
        metadata={"raw_files": len(on_disk), "reports": len(in_lake), "missing": missing[:20]},
    )


@dg.asset_check(
    asset=LAKE_KEYS["report_findings"],
    description="How many reports have findings; warns when any has an error (a value could not be read).",
)
def reports_with_findings(pipeline_paths: PipelinePaths) -> dg.AssetCheckResult:
    findings = read_table(pipeline_paths.lake, "report_findings").select("report_id", "severity")
    by_severity = findings.group_by("severity").agg(pl.col("report_id").n_unique().alias("reports"))
    counts = dict(by_severity.iter_rows())
    with_errors = counts.get("error", 0)
    return dg.AssetCheckResult(
        passed=with_errors == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "reports_with_findings": findings["report_id"].n_unique(),
            "reports_with_errors": with_errors,
            "reports_with_warnings": counts.get("warning", 0),
        },
    )


@dg.asset_check(
    asset=PUBLISHED_KEY,
    description="How many published reports break the template's arithmetic (R1–R5); warns when any does.",
)
def reports_failing_reconciliation(pipeline_paths: PipelinePaths) -> dg.AssetCheckResult:
    with connect_read_only(pipeline_paths.warehouse) as con:
        rows = con.execute(
            """select rule_id, count(distinct report_id) from reconciliation_results
               where passed = false and rule_severity = 'hard' group by 1 order by 1"""
        ).fetchall()
        (failing,) = one_row(
            con,
            """select count(distinct report_id) from reconciliation_results
               where passed = false and rule_severity = 'hard'""",
        )
    return dg.AssetCheckResult(
        passed=failing == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"reports_failing": failing, "by_rule": dg.MetadataValue.json(dict(rows))},
    )


ALL_CHECKS = [every_raw_file_in_reports, reports_with_findings, reports_failing_reconciliation]
