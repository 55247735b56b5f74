"""Incremental runs give exactly what a full rebuild gives: the lake and the warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from samples import RAW, SEED_NAMES

from pipelines.extract.corpus import extract
from pipelines.generate.corpus import generate_corpus
from pipelines.publish import publish
from pipelines.warehouse import build_args, project_hash, run_dbt, start_build

pytestmark = pytest.mark.slow  # seconds to minutes a test: run by `make test-full`, not `make test`

FIXTURE = Path(__file__).parent / "fixtures" / "2019_template_linan_2020.txt"


def _build(lake: Path, build: Path, published: Path, full_refresh: bool) -> bool:
    incremental = start_build(build, published, full_refresh)
    args = build_args(incremental)
    outcome = run_dbt(args, lake_dir=lake, database=build, strict=False, quiet=True)
    assert outcome.success, outcome.failures
    publish(build, published, lake / "marts", project_hash())
    return incremental


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main' "
                "and table_type = 'BASE TABLE' and table_name <> 'warehouse_build' order by 1"
            ).fetchall()
        ]
        return {t: con.execute(f'select * from main."{t}" order by all').fetchall() for t in tables}


def test_incremental_build_equals_full_refresh(tmp_path: Path) -> None:
    raw, lake = tmp_path / "raw", tmp_path / "lake"
    shutil.copytree(RAW, raw)
    shutil.copy(FIXTURE, raw / "linan_2020.txt")
    generate_corpus(30, 7, raw / "generated", tmp_path / "truth")
    linan = (RAW / SEED_NAMES[1]).read_text(encoding="utf-8")
    (raw / "linan_2022.txt").write_text(linan.replace("2021年政府信息公开", "2022年政府信息公开", 1), encoding="utf-8")
    extract(raw, lake, progress=False)
    published = tmp_path / "warehouse.duckdb"
    assert not _build(lake, tmp_path / "build.duckdb", published, full_refresh=False)  # nothing to continue

    # a month of changes: revised editions (the originals stop being current; linan's 2021 one
    # also changes what its 2022 report is compared with), a file removed, one replaced, one added
    lines = linan.split("\n")
    assert lines[341] == "\t0" and lines[403].strip() == "2022年1月20日"
    lines[341], lines[403] = "\t1", "2022年2月28日"  # carried_forward.natural_person, a later date
    (raw / "linan_2021_revised.txt").write_text("\n".join(lines), encoding="utf-8")
    revised = (RAW / SEED_NAMES[2]).read_text(encoding="utf-8").replace("发布时间:2023-01-19", "发布时间:2023-02-03")
    (raw / "002_revised.txt").write_text(revised, encoding="utf-8")
    generated = sorted((raw / "generated").iterdir())
    generated[0].unlink()
    generate_corpus(2, 8, tmp_path / "more", tmp_path / "more-truth")
    more = sorted((tmp_path / "more").iterdir())
    shutil.move(more[0], generated[1])
    shutil.move(more[1], raw / "generated" / more[1].name)
    summary = extract(raw, lake, progress=False)
    assert (summary.parsed, summary.removed) == (4, 1)

    assert _build(lake, tmp_path / "build.duckdb", published, full_refresh=False)  # continues incrementally
    incremental = _snapshot(published)

    full = tmp_path / "full.duckdb"
    assert not _build(lake, tmp_path / "build-full.duckdb", full, full_refresh=True)
    assert _snapshot(full) == incremental
    assert len(incremental["fct_request_outcomes"]) > 30 * 140
    editions = dict(
        duckdb.connect(str(published), read_only=True)
        .execute("select source_path, is_current_edition from dim_report where agency_key = 'ag_330110_commerce'")
        .fetchall()
    )
    assert editions[SEED_NAMES[2]] is False  # replaced by its revised edition, in the facts too
    with duckdb.connect(str(published), read_only=True) as con:
        flags = con.execute(
            """select distinct f.is_current_edition from fct_request_outcomes f join dim_report d using (report_id)
               where d.source_path = ?""",
            [SEED_NAMES[2]],
        ).fetchall()
    assert flags == [(False,)]
    with duckdb.connect(str(published), read_only=True) as con:
        r5 = con.execute(
            """select r.scope_key, r.expected, r.actual, d.source_path from reconciliation_results r
               join dim_report d on d.report_id = r.compared_report_id
               where r.source_path = 'linan_2022.txt' and r.rule_id = 'R5' and r.scope_key = 'natural_person'"""
        ).fetchall()
    assert r5 == [("natural_person", 1, 0, "linan_2021_revised.txt")]  # compared with the revised 2021


def test_another_engine_version_starts_afresh(monkeypatch) -> None:
    """An incremental build skips seeds and unit tests (build_args): that is only sound when the
    published warehouse was built by the same SQL on the same dbt and DuckDB, so their versions
    are part of the project hash that start_build compares."""
    import pipelines.warehouse as warehouse

    assert build_args(True)[:1] == ["build"] and "unit_test" in build_args(True)
    assert build_args(False) == ["build", "--full-refresh"]
    before = project_hash()
    real = warehouse.importlib.metadata.version
    monkeypatch.setattr(
        warehouse.importlib.metadata, "version", lambda name: "0.0.1" if name == "duckdb" else real(name)
    )
    assert project_hash() != before


def test_a_new_parser_starts_afresh(monkeypatch) -> None:
    """A new parser re-reads every report from the same bytes (same report ids), which the
    incremental facts would not rebuild: the warehouse it feeds is built from scratch."""
    import pipelines.extract.lake as lake

    before = project_hash()
    monkeypatch.setattr(lake, "PARSER_VERSION", lake.PARSER_VERSION + "-next")
    assert project_hash() != before
