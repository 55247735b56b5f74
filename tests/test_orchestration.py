"""The Dagster graph: its shape, a full in-process build, the sensor, and publishing safely."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from samples import RAW, SEED_NAMES

from pipelines.orchestration.build import run_build
from pipelines.orchestration.definitions import build_definitions, defs
from pipelines.orchestration.project import prepared_dbt_project
from pipelines.orchestration.resources import PipelinePaths
from pipelines.orchestration.sensors import raw_folder_sensor
from pipelines.publish import DUCKDB_V1_STORAGE, connect_read_only, storage_version

pytestmark = pytest.mark.slow  # seconds to minutes a test: run by `make test-full`, not `make test`

LAKE = [
    dg.AssetKey(["lake", t])
    for t in ("reports", "report_cells", "report_findings", "report_sections", "report_narrative_facts")
]


def _paths(root: Path, raw: Path) -> PipelinePaths:
    return PipelinePaths(
        raw_dir=str(raw),
        lake_dir=str(root / "lake"),
        warehouse_path=str(root / "warehouse.duckdb"),
        build_dir=str(root / ".build"),
    )


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchone()[0]


def test_definitions_graph() -> None:
    definitions = build_definitions()
    graph = definitions.resolve_asset_graph()
    raw = dg.AssetKey(["raw", "reports"])
    for key in LAKE:
        assert graph.get(key).parent_keys == {raw}
    # the lake assets feed the dbt sources: one lineage from raw files to marts
    assert graph.get(dg.AssetKey(["warehouse", "stg_lake__reports"])).parent_keys == {LAKE[0]}
    assert graph.get(dg.AssetKey(["warehouse", "stg_lake__report_cells"])).parent_keys == {LAKE[1]}
    assert graph.get(dg.AssetKey(["warehouse", "stg_lake__report_narrative_facts"])).parent_keys == {LAKE[4]}
    # the similarity step reads the sections (and the reports' agencies and years) and feeds its source
    similarity = dg.AssetKey(["lake", "section_similarity"])
    assert graph.get(similarity).parent_keys == {LAKE[0], LAKE[3]}
    assert graph.get(dg.AssetKey(["warehouse", "stg_lake__section_similarity"])).parent_keys == {similarity}
    # the sources name those assets themselves (meta.dagster.asset_key in _lake__sources.yml)
    manifest = json.loads(prepared_dbt_project().manifest_path.read_text(encoding="utf-8"))
    declared = {source["name"]: source["meta"]["dagster"]["asset_key"] for source in manifest["sources"].values()}
    assert declared == {key.path[1]: key.path for key in [*LAKE, similarity]}
    copied = graph.get(dg.AssetKey(["warehouse", "copied_sections"]))
    assert dg.AssetKey(["warehouse", "stg_lake__section_similarity"]) in copied.parent_keys
    published = graph.get(dg.AssetKey(["warehouse", "published"]))
    assert dg.AssetKey(["warehouse", "agency_year_summary"]) in published.parent_keys
    assert dg.AssetKey(["warehouse", "reconciliation_results"]) in published.parent_keys

    checks = graph.asset_check_keys
    dbt_check = dg.AssetCheckKey(dg.AssetKey(["warehouse", "dim_agency"]), "unique_dim_agency_agency_key")
    assert dbt_check in checks
    assert dg.AssetCheckKey(dg.AssetKey(["warehouse", "reconciliation_results"]), "reconciliation_r1_holds") in checks
    assert dg.AssetCheckKey(dg.AssetKey(["warehouse", "dim_report"]), "assert_no_report_lost") in checks
    assert dg.AssetCheckKey(LAKE[0], "every_raw_file_in_reports") in checks
    assert dg.AssetCheckKey(dg.AssetKey(["warehouse", "published"]), "reports_failing_reconciliation") in checks
    assert len(checks) > 100

    job = definitions.resolve_job_def("build_everything")
    assert job.tags["disclosure/duckdb"] == "write"
    schedule = definitions.resolve_schedule_def("daily_build")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "Asia/Shanghai")
    assert schedule.job_name == "build_everything"
    sensor = definitions.resolve_sensor_def("raw_folder_sensor")
    assert sensor.job_name == "build_everything"


def test_lazy_entry_point_is_what_dagster_dev_loads() -> None:
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["tool"]["dagster"]
    assert (config["module_name"], config["attribute"]) == ("pipelines.orchestration.definitions", "defs")
    loaded = defs()
    assert isinstance(loaded, dg.Definitions)
    assert loaded.resolve_job_def("build_everything")


def test_sensor_starts_a_run_only_when_the_folder_changes(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    resources = {"pipeline_paths": _paths(tmp_path, raw)}

    first = dg.build_sensor_context(resources=resources)
    assert isinstance(raw_folder_sensor(first), dg.RunRequest)  # a folder never seen
    cursor = first.cursor

    unchanged = dg.build_sensor_context(cursor=cursor, resources=resources)
    assert isinstance(raw_folder_sensor(unchanged), dg.SkipReason)
    assert unchanged.cursor == cursor

    shutil.copy(RAW / SEED_NAMES[0], raw / "new report.txt")
    added = dg.build_sensor_context(cursor=cursor, resources=resources)
    request = raw_folder_sensor(added)
    assert isinstance(request, dg.RunRequest)
    assert added.cursor != cursor

    again = dg.build_sensor_context(cursor=added.cursor, resources=resources)
    assert isinstance(raw_folder_sensor(again), dg.SkipReason)

    missing = dg.build_sensor_context(resources={"pipeline_paths": _paths(tmp_path, tmp_path / "absent")})
    skip = raw_folder_sensor(missing)
    assert isinstance(skip, dg.SkipReason) and "raw folder not found" in skip.skip_message


@pytest.fixture(scope="module")
def built_with_instance(tmp_path_factory: pytest.TempPathFactory) -> tuple[PipelinePaths, dg.DagsterInstance]:
    root = tmp_path_factory.mktemp("pipeline")
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    paths = _paths(root, raw)
    instance = dg.DagsterInstance.ephemeral()
    environment = dict(os.environ)
    report = run_build(paths, instance=instance)
    assert report.success, (report.failed_steps, report.log_tail)
    assert dict(os.environ) == environment  # dbt got its paths on its command line, not from the environment
    return paths, instance


@pytest.fixture(scope="module")
def built(built_with_instance: tuple[PipelinePaths, dg.DagsterInstance]) -> PipelinePaths:
    return built_with_instance[0]


def test_the_report_site_is_built_and_its_path_and_figures_shown_in_dagster(
    built_with_instance: tuple[PipelinePaths, dg.DagsterInstance],
) -> None:
    paths, instance = built_with_instance
    index = paths.site / "index.html"
    assert index.is_file()
    event = instance.get_latest_materialization_event(dg.AssetKey(["site", "report"]))
    assert event is not None and event.asset_materialization is not None
    metadata = event.asset_materialization.metadata
    markdown = metadata["site"].value
    assert str(index) in markdown and "5" in markdown
    assert metadata["reports"].value == 5


def test_whole_graph_publishes_the_warehouse(built: PipelinePaths) -> None:
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        agencies = con.execute(
            "select agency_name, region_code, level from dim_agency where report_count > 0 order by agency_name"
        ).fetchall()
        assert agencies == [
            ("杭州市临安区经济和信息化局", "330112", "county"),
            ("杭州市余杭区商务局", "330110", "county"),
            ("杭州市余杭区科学技术局", "330110", "county"),
            ("杭州市余杭区经济和信息化局", "330110", "county"),
            ("杭州市投资促进局", "330100", "prefecture"),
        ]
        assert con.execute("select min(report_year), max(report_year), count(*) from dim_year").fetchone() == (
            2021,
            2024,
            4,
        )
        outcomes = dict(
            con.execute(
                """select outcome_key || '.' || applicant_type_key, request_count from fct_request_outcomes
                   join dim_agency using (agency_key)
                   where agency_name = '杭州市余杭区商务局' and report_year = 2022"""
            ).fetchall()
        )
        assert outcomes["granted.natural_person"] == 3
        assert outcomes["unavailable_not_held.total"] == 4
        assert _one(con, "select count(*) from reconciliation_results where passed = false") == 0
        views = con.execute("select distinct schema_name from duckdb_views() where not internal").fetchall()
        schemas = {r[0] for r in views}
        assert not schemas & {"staging", "intermediate"}  # no views over live lake files
    assert storage_version(built.warehouse) == DUCKDB_V1_STORAGE
    assert (built.marts / "agency_year_summary.parquet").exists()
    assert not list(Path(built.build_dir).glob("warehouse-*.duckdb*"))  # the build was renamed, not copied


def test_reader_keeps_its_snapshot_through_a_rebuild(built: PipelinePaths) -> None:
    reader = duckdb.connect(str(built.warehouse), read_only=True)
    try:
        assert _one(reader, "select count(*) from dim_report") == 5
        text = (RAW / SEED_NAMES[1]).read_text(encoding="utf-8")
        (built.raw / "another.txt").write_text(text.replace("杭州市临安区", "杭州市富阳区", 1), encoding="utf-8")

        report = run_build(built, instance=dg.DagsterInstance.ephemeral())
        assert report.success, (report.failed_steps, report.log_tail)

        assert _one(reader, "select count(*) from dim_report") == 5  # the open connection still answers
        with connect_read_only(built.warehouse) as fresh:
            assert _one(fresh, "select count(*) from dim_report") == 6  # a new one sees the rebuild
        assert report.warehouse["reports_ok"] == 6
        other_process = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import duckdb; print(duckdb.connect({str(built.warehouse)!r}, read_only=True)"
                ".execute('select count(*) from dim_report').fetchone()[0])",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert other_process.stdout.strip() == "6"  # as a BI tool, in its own process, sees it
    finally:
        reader.close()


def test_failed_build_leaves_the_published_warehouse_untouched(built: PipelinePaths) -> None:
    before = hashlib.sha256(built.warehouse.read_bytes()).hexdigest()
    broken = next((built.lake / "report_cells").glob("report_year=2022/*/part-0.parquet"))
    broken.write_bytes(b"not parquet")  # dbt fails on it
    job = build_definitions(built).resolve_job_def("build_everything")
    not_lake = dg.AssetSelection.all() - dg.AssetSelection.assets(*LAKE)
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=list(not_lake.resolve(build_definitions(built).resolve_asset_graph())),
        raise_on_error=False,
    )
    assert not result.success
    failed = {e.step_key for e in result.all_events if e.is_step_failure}
    assert failed == {"warehouse_models"}
    assert hashlib.sha256(built.warehouse.read_bytes()).hexdigest() == before
    with duckdb.connect(str(built.warehouse), read_only=True) as con:
        assert _one(con, "select count(*) from agency_year_summary") == 6
    assert not list(Path(built.build_dir).glob("warehouse-*.duckdb*"))  # the failed build was cleaned up
