"""The engine comparison (pipelines/warehouse_compare.py) itself, without Spark: what counts as the
same value across engines, and that a difference is reported with its table, key and values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.warehouse_compare import Table, compare, compare_builds, normalise, read_build


def test_numbers_of_any_type_compare_by_value_to_six_decimals() -> None:
    assert normalise(5) == normalise(Decimal("5.0000")) == normalise(5.0)
    assert normalise(0.1 + 0.2) == normalise(Decimal("0.3"))
    assert normalise(0.4286) != normalise(0.43)
    assert normalise(True) != normalise(1)


def test_null_is_not_empty_and_timestamps_compare_in_utc() -> None:
    assert normalise(None) is None
    assert normalise("") == ""
    aware = dt.datetime(2023, 1, 19, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert normalise(aware) == normalise(dt.datetime(2023, 1, 19, 10, 0))
    assert normalise(["b", "a"]) != normalise(["a", "b"])


def test_a_difference_names_table_key_column_and_both_values() -> None:
    left = {"dim_report": Table.of(["report_id", "n"], [("r1", 1), ("r2", None)])}
    right = {"dim_report": Table.of(["n", "report_id"], [(1, "r1"), (0, "r2")])}
    differences = compare_builds(left, right, ("duckdb", "spark"))
    assert differences == ["dim_report [report_id='r2'] n: duckdb null != spark '0.000000'"]


def test_missing_tables_and_rows_fail() -> None:
    left = {"a": Table.of(["x"], [(1,), (1,)]), "b": Table.of(["x"], [])}
    right = {"a": Table.of(["x"], [(1,)])}
    differences = compare_builds(left, right, ("duckdb", "spark"))
    assert "b: table missing in spark" in differences
    assert any(line.startswith("a: row only in duckdb") for line in differences)


def test_a_duckdb_file_and_a_parquet_export_of_the_same_rows_are_identical(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    con = duckdb.connect(str(database))
    con.execute(
        "create table main.dim_report as select * from (values ('r1', 3::bigint, 0.25::double, null::varchar, "
        "['a', 'b'], timestamptz '2023-01-19 10:00:00+00')) t(report_id, n, share, note, aliases, seen_at)"
    )
    export = tmp_path / "export"
    (export / "dim_report").mkdir(parents=True)
    con.execute(
        f"copy (select report_id, n::decimal(18, 4) as n, share, note, aliases, seen_at::timestamp as seen_at from "
        f"main.dim_report) to '{export / 'dim_report' / 'part-0.parquet'}' (format parquet)"
    )
    con.close()
    assert read_build(database)["dim_report"].rows == read_build(export)["dim_report"].rows
    assert compare(database, export, ("duckdb", "spark")) == 0
