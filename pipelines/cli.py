"""The `disclosure` command: parse reports to JSON Lines, or extract a raw folder into the lake."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from pipelines import paths


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _parse(args: argparse.Namespace) -> int:
    from pipelines.extract.report import parse_bytes

    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            print(f"disclosure parse: cannot read {name}: {exc.strerror or exc}", file=sys.stderr)
            failed += 1
            continue
        report = parse_bytes(data, name)
        print(json.dumps(report.as_json(), ensure_ascii=False, default=_json_default), flush=True)
    return 1 if failed else 0


def _extract(args: argparse.Namespace) -> int:
    from pipelines.extract.corpus import RawFolderError, extract

    started = time.perf_counter()
    try:
        summary = extract(Path(args.raw), Path(args.lake))
    except RawFolderError as exc:
        print(f"disclosure extract: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    for status, count in summary.by_status.items():
        print(f"{status:>9}: {count} report{'s' if count != 1 else ''}")
    print(
        f"{summary.files} files, {summary.cells} cells, {summary.findings} findings "
        f"in {seconds:.2f} s -> {Path(args.lake)}"
    )
    return 0


def _warehouse(args: argparse.Namespace) -> int:
    from pipelines.warehouse import run_dbt

    started = time.perf_counter()
    outcome = run_dbt(
        ["build"],
        lake_dir=Path(args.lake),
        warehouse_path=Path(args.warehouse),
        strict=args.strict,
        quiet=True,
    )
    seconds = time.perf_counter() - started
    for line in outcome.warnings:
        print(f"warning: {line}")
    for line in outcome.failures:
        print(f"FAILED: {line}", file=sys.stderr)
    verdict = "built" if outcome.success else "build FAILED"
    print(f"warehouse {verdict} in {seconds:.1f} s -> {Path(args.warehouse)}")
    return 0 if outcome.success else 1


def _dbt(args: argparse.Namespace) -> int:
    from pipelines.warehouse import run_dbt

    outcome = run_dbt(args.dbt_args or ["--help"])
    return 0 if outcome.success else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="disclosure", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    parse = commands.add_parser("parse", help="parse report files and print one JSON object per file")
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.set_defaults(run=_parse)

    extract = commands.add_parser("extract", help="extract every file of a raw folder into the Parquet lake")
    extract.add_argument("--raw", default=str(paths.RAW_DIR), help="raw reports folder (default: %(default)s)")
    extract.add_argument("--lake", default=str(paths.LAKE_DIR), help="lake folder (default: %(default)s)")
    extract.set_defaults(run=_extract)

    warehouse = commands.add_parser("warehouse", help="build the DuckDB warehouse from the lake (dbt build)")
    warehouse.add_argument("--lake", default=str(paths.LAKE_DIR), help="lake folder (default: %(default)s)")
    warehouse.add_argument(
        "--warehouse", default=str(paths.WAREHOUSE_PATH), help="DuckDB file to build (default: %(default)s)"
    )
    warehouse.add_argument(
        "--strict", action="store_true", help="fail the build when a report breaks rules R1-R4 (default: warn)"
    )
    warehouse.set_defaults(run=_warehouse)

    dbt = commands.add_parser(
        "dbt", help="run any dbt command on the project with the paths set, e.g. `disclosure dbt docs generate`"
    )
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, metavar="DBT_ARGS")
    dbt.set_defaults(run=_dbt)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
