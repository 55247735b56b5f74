"""Publishing exports a mart again only when what it is exported from changed, and never leaves a
stale file behind."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import publish as publish_module
from pipelines.publish import FINGERPRINTS, publish


def _build(path: Path, published: Path | None, *statements: str) -> None:
    """A build file: a copy of the published one (or a fresh one), then `statements`."""
    if published is not None:
        shutil.copyfile(published, path)
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)


def _written(marts: Path) -> dict[str, int]:
    return {p.stem: p.stat().st_mtime_ns for p in marts.glob("*.parquet")}


def _rows(path: Path) -> list[tuple]:
    return duckdb.sql(f"select * from '{path}' order by all").fetchall()


def test_only_changed_marts_are_exported_again(tmp_path: Path) -> None:
    build, published, marts = tmp_path / "build.duckdb", tmp_path / "warehouse.duckdb", tmp_path / "marts"
    _build(
        build,
        None,
        "create table dim_report as select 'r' || i as report_id, i as cell_count from range(3) t(i)",
        "create table dim_region as select '330000' as region_code",
        "create table fct_checks as select 'r' || i as report_id, i % 2 = 0 as passed from range(3) t(i)",
        "create view results as select c.report_id, c.passed, r.cell_count "
        "from fct_checks c join dim_report r using (report_id)",
        "create schema intermediate",
        "create view intermediate.over_the_lake as select 1 as x",
    )
    first = publish(build, published, marts)
    assert first.tables == {"dim_region": 1, "dim_report": 3, "fct_checks": 3, "results": 3, "warehouse_build": 1}
    assert sorted(_written(marts)) == ["dim_region", "dim_report", "results", "warehouse_build"]  # not the facts
    before = _written(marts)

    # nothing changed: only warehouse_build (its built_at) is written again
    _build(build, published)
    again = publish(build, published, marts)
    assert again.tables == first.tables
    now = _written(marts)
    assert [t for t in now if now[t] != before[t]] == ["warehouse_build"]

    # a fact a view reads changes: the view is exported again, the dimensions are not
    _build(build, published, "update fct_checks set passed = not passed where report_id = 'r1'")
    publish(build, published, marts)
    after = _written(marts)
    assert sorted(t for t in after if after[t] != now[t]) == ["results", "warehouse_build"]
    assert _rows(marts / "results.parquet") == [("r0", True, 0), ("r1", True, 1), ("r2", True, 2)]

    # a dimension changes in one row, another table goes, a column changes type: each is exported again
    _build(
        build,
        published,
        "update dim_report set cell_count = 7 where report_id = 'r2'",
        "drop table dim_region",
        "create table dim_year as select 2024 as report_year",
    )
    publish(build, published, marts)
    assert sorted(_written(marts)) == ["dim_report", "dim_year", "results", "warehouse_build"]
    assert _rows(marts / "dim_report.parquet") == [("r0", 0), ("r1", 1), ("r2", 7)]
    assert _rows(marts / "results.parquet")[2] == ("r2", True, 7)
    recorded = json.loads((marts / FINGERPRINTS).read_text())
    assert sorted(recorded) == ["dim_report", "dim_year", "results", "warehouse_build"]
    assert recorded["dim_report"]["rows"] == 3

    _build(build, published, "alter table dim_year alter report_year type bigint")
    previous = _written(marts)
    publish(build, published, marts)
    assert _written(marts)["dim_year"] != previous["dim_year"]


def test_a_file_not_as_written_is_exported_again(tmp_path: Path) -> None:
    """The record says what was written; a file replaced or lost since (an export interrupted
    before the record was saved, a user's edit) is written again even when its table is unchanged."""
    build, published, marts = tmp_path / "build.duckdb", tmp_path / "warehouse.duckdb", tmp_path / "marts"
    _build(build, None, "create table dim_report as select 'r' || i as report_id from range(3) t(i)")
    publish(build, published, marts)
    stale = duckdb.connect()
    stale.execute(f"copy (select 'old' as report_id) to '{marts / 'dim_report.parquet'}' (format parquet)")
    _build(build, published)
    publish(build, published, marts)
    assert _rows(marts / "dim_report.parquet") == [("r0",), ("r1",), ("r2",)]

    (marts / "dim_report.parquet").unlink()
    _build(build, published)
    publish(build, published, marts)
    assert _rows(marts / "dim_report.parquet") == [("r0",), ("r1",), ("r2",)]

    (marts / FINGERPRINTS).write_text("not json")
    _build(build, published)
    assert publish(build, published, marts).tables["dim_report"] == 3
    assert json.loads((marts / FINGERPRINTS).read_text())["dim_report"]["rows"] == 3


def test_a_full_disk_while_publishing_leaves_the_published_warehouse_and_marts_as_they_were(
    tmp_path: Path, monkeypatch
) -> None:
    build, published, marts = tmp_path / "build.duckdb", tmp_path / "warehouse.duckdb", tmp_path / "marts"
    _build(
        build,
        None,
        "create table dim_a as select i from range(3) t(i)",
        "create table dim_b as select i from range(4) t(i)",
        "create table dim_report as select 'r' as report_id",
    )
    publish(build, published, marts)

    def state() -> dict[str, str]:
        files = [published, *sorted(marts.iterdir())]
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

    before = state()
    _build(build, published, "insert into dim_a values (7)", "insert into dim_b values (8)")
    real, copies = publish_module.one_row, []

    def filling_up(con, sql, params=None):
        if sql.startswith("copy"):
            copies.append(sql)
            if len(copies) == 2:  # the first mart is written, the second finds the disk full
                raise duckdb.IOException("Could not write file: No space left on device")
        return real(con, sql, params)

    monkeypatch.setattr(publish_module, "one_row", filling_up)
    with pytest.raises(publish_module.PublishError, match=r"No space left on device.*published warehouse and marts"):
        publish(build, published, marts)
    assert state() == before
    assert not list(marts.glob(".*.tmp")) and build.exists()

    monkeypatch.setattr(publish_module, "one_row", real)
    result = publish(build, published, marts)
    assert result.tables["dim_a"] == 4 and result.tables["dim_b"] == 5
    assert _rows(marts / "dim_b.parquet")[-1] == (8,)
