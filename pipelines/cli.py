"""The `disclosure` command: parse reports, extract the lake, build and publish the warehouse."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from pipelines import paths

BUSY = 75  # EX_TEMPFAIL: another run holds the data folder; try again later
NO_WAIT_HELP = "exit (code 75) instead of waiting when another run holds the data folder"


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _parse(args: argparse.Namespace) -> int:
    from pipelines.extract.read.report import parse_bytes

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


def _holding_data_folder(command: str, lake: Path, run: Callable[[], int], *, wait: bool) -> int:
    """Run a command that writes a data folder while holding the folder's lock (folder_lock)."""
    from pipelines.folder_lock import FolderBusy, data_folder, hold

    try:
        with hold(data_folder(lake), wait=wait, what=f"disclosure {command}"):
            return run()
    except FolderBusy as exc:
        print(f"disclosure {command}: {exc}; not started (--no-wait)", file=sys.stderr)
        return BUSY


def _extract(args: argparse.Namespace) -> int:
    return _holding_data_folder("extract", Path(args.lake), lambda: _extract_holding(args), wait=not args.no_wait)


def _extract_holding(args: argparse.Namespace) -> int:
    from pipelines.extract.corpus import LakeWriteError, extract
    from pipelines.extract.scan import RawFolderError

    started = time.perf_counter()
    try:
        summary = extract(Path(args.raw), Path(args.lake), full=args.full)
    except RawFolderError as exc:
        print(f"disclosure extract: {exc}", file=sys.stderr)
        return 2
    except LakeWriteError as exc:
        print(f"disclosure extract: {exc}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    for note in summary.repairs:
        print(f"repaired: {note}", file=sys.stderr)
    for rel in summary.stopped:
        print(f"stopped: {rel}: its worker died on it (over a limit, or a crash); rejected", file=sys.stderr)
    if summary.resumed:
        print(f"resumed: {summary.resumed} files read back from an interrupted run's checkpoints")
    for status, count in summary.by_status.items():
        print(f"{status:>9}: {count} report{'s' if count != 1 else ''}")
    from pipelines.textreuse.lake import update_similarity

    similar = update_similarity(Path(args.lake))
    kinds = ", ".join(f"{n} {kind}" for kind, n in similar.by_comparison.items()) or "none"
    print(f"similar sections: {similar.pairs} pairs ({kinds}); {similar.signed} of {similar.sections} sections signed")
    print(
        f"{summary.files} files ({summary.parsed} parsed, {summary.reused} unchanged, {summary.removed} removed), "
        f"{summary.cells} cells, {summary.findings} findings in {seconds:.2f} s -> {Path(args.lake)}"
    )
    return 0


def _build(args: argparse.Namespace) -> int:
    return _holding_data_folder("build", paths.LAKE_DIR, lambda: _build_holding(args), wait=not args.no_wait)


def _build_holding(args: argparse.Namespace) -> int:
    from pipelines.orchestration.build import run_build

    started = time.perf_counter()
    report = run_build(strict=args.strict, verbose=args.verbose, full_refresh=args.full_refresh)
    seconds = time.perf_counter() - started
    if not report.success:
        for line in report.log_tail:
            print(line, file=sys.stderr)
        only_site = bool(report.failed_steps) and all("site" in step for step in report.failed_steps)
        left = (
            "the warehouse was published; the previous report site was left as it was"
            if only_site
            else "the published warehouse was left as it was"
        )
        print(
            f"disclosure build: FAILED at {', '.join(report.failed_steps) or 'an unknown step'} "
            f"(run {report.run_id}); {left}",
            file=sys.stderr,
        )
        return 1
    w = report.warehouse
    statuses = ", ".join(
        f"{k.removeprefix('reports_')} {v}"
        for k, v in w.items()
        if k.startswith("reports_") and k != "reports_failing_reconciliation"
    )
    findings = ", ".join(f"{k.removeprefix('findings_')} {v}" for k, v in w.items() if k.startswith("findings_"))
    print(f"reports: {statuses or 'none'}")
    print(f"findings: {findings or 'none'}")
    print(
        f"reconciliation: {w.get('reconciliation_passed', 0)} checks passed, "
        f"{w.get('reconciliation_failed', 0)} failed ({w.get('reports_failing_reconciliation', 0)} reports), "
        f"{w.get('reconciliation_not_assessable', 0)} not assessable"
    )
    print(f"warehouse published in {seconds:.1f} s -> {paths.WAREHOUSE_PATH}")
    print(f"marts as Parquet -> {paths.LAKE_DIR / 'marts'}")
    if report.site:
        print(f"report site built in {report.site.get('build_seconds', 0):.1f} s -> {report.site.get('path')}")
    print(
        'try: .venv/bin/python -c "import duckdb; '
        f"print(duckdb.connect('{paths.WAREHOUSE_PATH}', read_only=True).sql("
        "'select agency_name, report_year, requests_handled, share_granted_in_full_or_part "
        "from agency_year_summary order by 1, 2'))\""
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    return _holding_data_folder("report", Path(args.lake), lambda: _report_holding(args), wait=not args.no_wait)


def _report_holding(args: argparse.Namespace) -> int:
    from pipelines.site.build import SiteError, build_site

    lake = None if args.no_lake else Path(args.lake)
    try:
        summary = build_site(Path(args.warehouse), Path(args.out), lake=lake)
    except SiteError as exc:
        print(f"disclosure report: {exc}", file=sys.stderr)
        return 2
    print(
        f"{summary.reports} reports, {summary.agencies} agencies, {summary.checks_failed} failing checks: "
        f"{summary.files} files, {summary.size_bytes / 1e6:.1f} MB in {summary.seconds:.1f} s"
    )
    print(f"report site -> {summary.path / 'index.html'}")
    return 0


def _ui(args: argparse.Namespace) -> int:
    from pipelines.orchestration.build import ensure_dagster_home

    ensure_dagster_home()  # `dagster dev` parses the dbt project as it loads (DbtProject.prepare_if_dev)
    dagster = Path(sys.executable).with_name("dagster")
    os.chdir(paths.PROJECT_ROOT)
    os.execv(str(dagster), [str(dagster), "dev", "--host", args.host, "--port", str(args.port)])
    return 0  # not reached


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
    extract.add_argument("--full", action="store_true", help="parse every file again, not only changed ones")
    extract.add_argument("--no-wait", action="store_true", help=NO_WAIT_HELP)
    extract.set_defaults(run=_extract)

    generate = commands.add_parser(
        "generate", help="write a synthetic corpus with known ground truth (a JSON file beside each report)"
    )
    from pipelines.generate.cli import add_arguments as generate_arguments
    from pipelines.generate.cli import run as run_generate

    generate_arguments(generate)
    generate.set_defaults(run=run_generate)

    build = commands.add_parser(
        "build", help="run the whole pipeline in-process: extract, dbt build, publish the warehouse, build the site"
    )
    build.add_argument(
        "--strict", action="store_true", help="fail the build when a report breaks rules R1-R4 (default: warn)"
    )
    build.add_argument("--verbose", action="store_true", help="show Dagster's and dbt's step logs")
    build.add_argument(
        "--full-refresh", action="store_true", help="rebuild the warehouse from scratch (default: incremental)"
    )
    build.add_argument("--no-wait", action="store_true", help=NO_WAIT_HELP)
    build.set_defaults(run=_build)

    report = commands.add_parser(
        "report", help="build the static report site (HTML, opens from file://) from the published warehouse"
    )
    report.add_argument("--out", default=str(paths.SITE_DIR), help="site folder (default: %(default)s)")
    report.add_argument(
        "--warehouse", default=str(paths.WAREHOUSE_PATH), help="published warehouse (default: %(default)s)"
    )
    report.add_argument(
        "--lake", default=str(paths.LAKE_DIR), help="lake, for each cell's printed text (default: %(default)s)"
    )
    report.add_argument("--no-lake", action="store_true", help="use only the warehouse (cells' values, no text)")
    report.add_argument("--no-wait", action="store_true", help=NO_WAIT_HELP)
    report.set_defaults(run=_report)

    ui = commands.add_parser("ui", help="start the Dagster UI (dagster dev) on this project")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(run=_ui)

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
