"""The same dbt project on two engines: build it on Spark (local mode) and compare its marts with
DuckDB's, row for row.

A project that only compiles for another engine has not shown that it runs there, nor that it
computes the same numbers. `make check-spark` builds the lake with dbt on DuckDB and on Spark,
exports Spark's marts and dimensions to Parquet, and compares every table of the two builds
after a canonical sort and type normalisation: numbers to a fixed precision, timestamps to UTC
text, lists element by element, nulls kept apart from empty text. Any difference fails, printed
with the table, the row's key and both values.

Its commands run from two virtual environments (PySpark stays out of the main install):

    python -m pipelines.warehouse_compare duckdb-build --lake L --database D      (main venv)
    python -m pipelines.warehouse_compare spark-build --lake L --export E [--full-refresh]
                                                                          (Spark venv: dbt-spark)
    python -m pipelines.warehouse_compare compare D E                             (main venv)
    python -m pipelines.warehouse_compare change-report RAW    (a revised edition, for the incremental check)

This module imports only the standard library at load time, so both environments can run it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# The schema marts and dimensions land in: the target's schema (see macros/generate_schema_name.sql).
DUCKDB_SCHEMA = "main"
SPARK_SCHEMA = "disclosure"

# Each table's grain, to name the row a difference is in. A table not listed (a new mart) is
# still compared, by whole rows.
KEYS: dict[str, tuple[str, ...]] = {
    "dim_agency": ("agency_key",),
    "dim_applicant_type": ("applicant_type_key",),
    "dim_disclosure_item": ("item_key",),
    "dim_region": ("region_code",),
    "dim_report": ("report_id",),
    "dim_request_outcome": ("outcome_key",),
    "dim_review_proceeding": ("proceeding_key",),
    "dim_review_result": ("result_key",),
    "dim_year": ("report_year",),
    "fct_active_disclosure": ("report_id", "item_key"),
    "fct_reconciliation_checks": ("report_id", "rule_id", "scope_key"),
    "fct_request_flow": ("report_id", "applicant_type_key"),
    "fct_request_outcomes": ("report_id", "outcome_key", "applicant_type_key"),
    "fct_review_litigation": ("report_id", "proceeding_key", "result_key"),
    "agency_year_summary": ("report_id",),
    "reconciliation_results": ("report_id", "rule_id", "scope_key"),
    "region_year_summary": ("region_code", "report_year"),
    "report_findings": ("report_id", "stage", "finding_no"),
    "copied_sections": ("report_id", "section_no", "compared_report_id", "comparison"),
}

# Numbers are compared to this many decimals: the marts' amounts have 4 (DECIMAL(18, 4)) and
# their rates are rounded to 4, so 6 keeps every digit either engine means and drops only a
# double's last-bit noise.
DECIMALS = 6
_QUANTUM = Decimal(1).scaleb(-DECIMALS)
MAX_PRINTED = 20  # differences printed per table


# --- Normalisation ----------------------------------------------------------------------------


def normalise(value: object) -> object:
    """One value as comparable text (or None), the same whichever engine and type produced it.

    Numbers of any type (integer, decimal, double) become fixed-point text: BIGINT 5 and
    DECIMAL 5.0000 are the same number, 0.12345678 and 0.1234567800001 are not told apart.
    Timestamps become UTC text (a naive one is taken as UTC, as both builds run in UTC), lists
    keep their order, and a null stays a null, never ''.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return format(Decimal(value).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN), "f")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return repr(value)
        return format(Decimal(repr(value)).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN), "f")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return tuple(normalise(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), normalise(v)) for k, v in value.items()))
    return str(value)


def _sort_key(row: tuple[object, ...]) -> tuple[tuple[bool, str], ...]:
    """Nulls first, then by text: a total order over normalised rows of mixed values."""
    return tuple((item is not None, repr(item)) for item in row)


@dataclass
class Table:
    """One build's table: its columns and its normalised rows (in canonical order)."""

    columns: list[str]
    rows: list[tuple[object, ...]]

    @classmethod
    def of(cls, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
        # Columns in name order: Spark puts the partition column (report_id) of a partitioned
        # table last, which says nothing about its values.
        order = sorted(range(len(columns)), key=lambda i: columns[i])
        normalised = [tuple(normalise(row[i]) for i in order) for row in rows]
        return cls([columns[i] for i in order], sorted(normalised, key=_sort_key))


# --- Reading the two builds -------------------------------------------------------------------


def read_build(location: Path) -> dict[str, Table]:
    """Every table and view of a build's mart schema: a DuckDB file (its `main` schema), or a
    folder of Parquet exports (one folder per table, as `spark-build` writes them)."""
    import duckdb

    if location.is_dir():
        con = duckdb.connect()
        names = sorted(p.name for p in location.iterdir() if p.is_dir())
        queries = {name: f"select * from read_parquet('{location / name}/*.parquet')" for name in names}
    else:
        con = duckdb.connect(str(location), read_only=True)
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by table_name",
                [DUCKDB_SCHEMA],
            ).fetchall()
        ]
        queries = {name: f'select * from {DUCKDB_SCHEMA}."{name}"' for name in names}
    con.execute("set TimeZone = 'UTC'")
    tables = {}
    try:
        for name, query in queries.items():
            cursor = con.execute(query)
            columns = [column[0] for column in cursor.description]
            tables[name] = Table.of(columns, cursor.fetchall())
    finally:
        con.close()
    return tables


# --- Comparing --------------------------------------------------------------------------------


def _show(value: object) -> str:
    return "null" if value is None else repr(value)


def compare_table(name: str, left: Table, right: Table, labels: tuple[str, str]) -> list[str]:
    """The differences between two builds of one table, one line each (empty when identical)."""
    a, b = labels
    if left.columns != right.columns:
        only_left = sorted(set(left.columns) - set(right.columns))
        only_right = sorted(set(right.columns) - set(left.columns))
        return [f"{name}: columns differ: only in {a} {only_left}, only in {b} {only_right}"]
    if left.rows == right.rows:
        return []
    key_columns = KEYS.get(name, ())
    key_index = [left.columns.index(c) for c in key_columns if c in left.columns]
    differences: list[str] = []
    if key_index and len(key_index) == len(key_columns):
        by_key_left = {tuple(row[i] for i in key_index): row for row in left.rows}
        by_key_right = {tuple(row[i] for i in key_index): row for row in right.rows}
        if len(by_key_left) == len(left.rows) and len(by_key_right) == len(right.rows):
            for key in sorted(by_key_left.keys() | by_key_right.keys(), key=_sort_key):
                shown_key = ", ".join(f"{c}={_show(v)}" for c, v in zip(key_columns, key, strict=True))
                row_left, row_right = by_key_left.get(key), by_key_right.get(key)
                if row_left is None or row_right is None:
                    missing = a if row_left is None else b
                    differences.append(f"{name} [{shown_key}]: row missing in {missing}")
                    continue
                for column, value_left, value_right in zip(left.columns, row_left, row_right, strict=True):
                    if value_left != value_right:
                        differences.append(
                            f"{name} [{shown_key}] {column}: {a} {_show(value_left)} != {b} {_show(value_right)}"
                        )
            return differences
    # No key (or it repeats): rows only one side has, as whole rows.
    counts_left, counts_right = Counter(left.rows), Counter(right.rows)
    for row in sorted((counts_left - counts_right).elements(), key=_sort_key):
        differences.append(f"{name}: row only in {a}: {dict(zip(left.columns, row, strict=True))}")
    for row in sorted((counts_right - counts_left).elements(), key=_sort_key):
        differences.append(f"{name}: row only in {b}: {dict(zip(right.columns, row, strict=True))}")
    return differences


def compare_builds(left: dict[str, Table], right: dict[str, Table], labels: tuple[str, str]) -> list[str]:
    """Every difference between two builds: tables one of them lacks, then each table's rows."""
    a, b = labels
    differences = [f"{name}: table missing in {b}" for name in sorted(left.keys() - right.keys())]
    differences += [f"{name}: table missing in {a}" for name in sorted(right.keys() - left.keys())]
    for name in sorted(left.keys() & right.keys()):
        differences += compare_table(name, left[name], right[name], labels)
    return differences


def compare(left_path: Path, right_path: Path, labels: tuple[str, str]) -> int:
    """Compare two builds and print the verdict; the exit status (0 when identical)."""
    left, right = read_build(left_path), read_build(right_path)
    differences = compare_builds(left, right, labels)
    if not left:
        differences.insert(0, f"no tables in {left_path}")
    by_table = Counter(line.split(" ", 1)[0].rstrip(":") for line in differences)
    for name in sorted(left.keys() | right.keys()):
        rows = len(left[name].rows) if name in left else len(right[name].rows)
        status = f"{by_table[name]} differences" if by_table[name] else "identical"
        print(f"  {name:<28} {rows:>8} rows  {status}")
    printed = Counter[str]()
    for line in differences:
        table = line.split(" ", 1)[0].rstrip(":")
        printed[table] += 1
        if printed[table] <= MAX_PRINTED:
            print(f"DIFF {line}")
        elif printed[table] == MAX_PRINTED + 1:
            print(f"DIFF {table}: … and {by_table[table] - MAX_PRINTED} more")
    total_rows = sum(len(t.rows) for t in left.values())
    if differences:
        print(f"compare: {len(differences)} differences between {a_b(labels)} in {len(by_table)} tables")
        return 1
    print(f"compare: {len(left)} tables, {total_rows} rows, every value identical in {a_b(labels)}")
    return 0


def a_b(labels: tuple[str, str]) -> str:
    return f"{labels[0]} and {labels[1]}"


# --- Building ---------------------------------------------------------------------------------


def duckdb_build(lake: Path, database: Path) -> int:
    """Build the warehouse on DuckDB from scratch (as `disclosure build` does), and time it."""
    from pipelines.warehouse import run_dbt

    database.unlink(missing_ok=True)
    started = time.perf_counter()
    outcome = run_dbt(["build", "--full-refresh"], lake_dir=lake, database=database, quiet=True)
    seconds = time.perf_counter() - started
    for line in outcome.failures:
        print(f"duckdb-build: {line}", file=sys.stderr)
    print(f"duckdb-build: {'passed' if outcome.success else 'FAILED'} in {seconds:.1f} s -> {database}")
    return 0 if outcome.success else 1


def spark_build(lake: Path, export: Path, build_dir: Path, full_refresh: bool, select: str | None = None) -> int:
    """`dbt build --target spark` in-process (method session: Spark in local mode), then every
    table and view of the mart schema written to `export` as Parquet by the same Spark session.

    The metastore (Derby) and the tables' files live under `build_dir`, Spark's working folder.
    """
    from dbt.cli.main import dbtRunner

    from pipelines.warehouse import dbt_command

    build_dir.mkdir(parents=True, exist_ok=True)
    os.chdir(build_dir)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    args = ["build", "--target", "spark"]
    args += ["--target-path", str(build_dir / "target"), "--log-path", str(build_dir / "logs")]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", select]
    # the duckdb output's path is not used by this target
    args = ["--quiet", *dbt_command(args, lake_dir=lake, database=build_dir / "unused.duckdb")]
    started = time.perf_counter()
    result = dbtRunner().invoke(args)
    seconds = time.perf_counter() - started
    results = getattr(result.result, "results", None) or []
    counts = Counter(str(r.status) for r in results)
    for r in results:
        if str(r.status) in ("error", "fail", "runtime error"):
            print(f"spark-build: {r.status} {r.node.name}: {(r.message or '').strip()[:2000]}", file=sys.stderr)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    kind = "full refresh" if full_refresh else "incremental"
    print(f"spark-build: dbt build ({kind}) {'passed' if result.success else 'FAILED'} in {seconds:.1f} s ({summary})")
    if not result.success:
        return 1

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    if export.exists():
        shutil.rmtree(export)
    export.mkdir(parents=True)
    started = time.perf_counter()
    tables = [t.name for t in spark.catalog.listTables(SPARK_SCHEMA) if not t.isTemporary]
    for name in sorted(tables):
        spark.table(f"{SPARK_SCHEMA}.{name}").write.parquet(str(export / name))
    print(f"spark-build: {len(tables)} tables of {SPARK_SCHEMA} exported in {time.perf_counter() - started:.1f} s")
    return 0


def change_one_report(raw: Path) -> Path:
    """Change one report of a raw folder in place, as a revised edition with a typo would: its
    last number printed alone on a line (a table cell) gains 10^13. Its bytes, hence its id,
    change, so the incremental check has a report to rebuild and one to drop; and the cell is
    out of range, so the warehouse's own finding (its message built by `format_text`) is
    compared too."""
    path = sorted(p for p in raw.iterdir() if p.suffix == ".txt")[0]
    lines = path.read_text(encoding="utf-8").split("\n")
    index = max(i for i, line in enumerate(lines) if line.strip().isdigit())
    number = lines[index].strip()
    changed = str(int(number) + 10**13)
    lines[index] = lines[index].replace(number, changed)
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"change-report: {path.name} line {index + 1}: {number} -> {changed}")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.warehouse_compare", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    duck = commands.add_parser("duckdb-build", help="build the warehouse on DuckDB (main venv)")
    duck.add_argument("--lake", type=Path, required=True)
    duck.add_argument("--database", type=Path, required=True)
    spark = commands.add_parser("spark-build", help="build on Spark and export the marts (Spark venv)")
    spark.add_argument("--lake", type=Path, required=True)
    spark.add_argument("--export", type=Path, required=True)
    spark.add_argument("--build-dir", type=Path, default=PROJECT_ROOT / "data" / ".build" / "spark")
    spark.add_argument("--full-refresh", action="store_true")
    spark.add_argument("--select", help="build only these nodes (dbt syntax); every table is still exported")
    change = commands.add_parser("change-report", help="make one number of one report out of range")
    change.add_argument("raw", type=Path)
    cmp = commands.add_parser("compare", help="compare two builds (a DuckDB file or an export folder)")
    cmp.add_argument("left", type=Path)
    cmp.add_argument("right", type=Path)
    cmp.add_argument("--labels", nargs=2, default=("duckdb", "spark"))
    args = parser.parse_args(argv)
    if args.command == "duckdb-build":
        return duckdb_build(args.lake.resolve(), args.database.resolve())
    if args.command == "spark-build":
        return spark_build(
            args.lake.resolve(), args.export.resolve(), args.build_dir.resolve(), args.full_refresh, args.select
        )
    if args.command == "change-report":
        change_one_report(args.raw)
        return 0
    return compare(args.left.resolve(), args.right.resolve(), tuple(args.labels))


if __name__ == "__main__":
    sys.exit(main())
