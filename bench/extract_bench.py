"""Benchmark the extraction stage alone: a raw folder → the lake, cold, on every core.

    python bench/extract_bench.py --reports 10000                      # classic layouts
    python bench/extract_bench.py --reports 2000 --real-publishing     # with the real-publishing ones
    python bench/extract_bench.py --raw /path/to/raw --rounds 3        # an existing folder
    python bench/extract_bench.py --reports 3000 --real-publishing --paths   # each reading path apart

Generates a corpus with the synthetic generator (not timed; truth files kept apart), then runs
`extract` cold into a throwaway lake `--rounds` times and prints the median: wall seconds,
reports per second, reports by status, and how many reports needed the second reading (the
real-report reader, align/) because the fast reader left a table incomplete. With
`--real-publishing` the corpus samples the layouts that imitate real publishing (PDF text
dumps, CMS fragments, archiver text, converter Markdown, ruled PDFs), most of which take the
second reading. To compare two versions of the code, run this script with each on the same
`--raw` folder in one sitting (the machine is shared: compare ratios, not seconds).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import polars as pl
from reference import plain_read_seconds, ratio_line

from pipelines.extract.corpus import extract
from pipelines.generate.corpus import generate_corpus

_SECOND_READING_CODES = (
    "row_placed_by_order",
    "cells_split_by_rules",
    "values_reordered",
    "cell_ambiguous",
    "values_unplaced",
)


def _second_readings(lake: Path) -> set[str]:
    """Files whose findings carry the second reading's own codes (a proxy: a report read in
    full by it without any such finding is not counted)."""
    findings = pl.read_parquet(lake / "report_findings", hive_partitioning=True)
    ids = findings.filter(pl.col("code").is_in(_SECOND_READING_CODES))["report_id"].unique()
    reports = pl.read_parquet(lake / "reports", hive_partitioning=True)
    return set(reports.filter(pl.col("report_id").is_in(ids.implode()))["source_path"].to_list())


def _time_paths(raw: Path, hard: set[str], work: Path) -> None:
    """Extract the reports the fast reader reads alone apart from those that took the second
    reading, each cold, so that each path's rate is seen on its own."""
    for name, wanted in (("fast path", lambda rel: rel not in hard), ("second reading", lambda rel: rel in hard)):
        folder, lake = work / f"raw-{name}", work / f"lake-{name}"
        folder.mkdir()
        files = [p for p in raw.rglob("*") if p.is_file() and wanted(p.relative_to(raw).as_posix())]
        for path in files:
            target = folder / path.relative_to(raw)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
        if not files:
            print(f"{name}: no reports")
            continue
        started = time.perf_counter()
        summary = extract(folder, lake, progress=False, full=True)
        seconds = time.perf_counter() - started
        print(
            f"{name}: {len(files):,} reports in {seconds:.1f} s ({len(files) / seconds:,.0f} reports/s; "
            f"parse {summary.seconds['parse']:.1f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--real-publishing", action="store_true", help="sample the real-publishing layouts too")
    parser.add_argument("--raw", type=Path, help="an existing raw folder instead of a generated one")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--paths", action="store_true", help="then time the fast path and the second reading apart")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="disclosure-extract-bench-"))
    raw = args.raw
    if raw is None:
        raw = work / "raw"
        started = time.perf_counter()
        generate_corpus(args.reports, args.seed, raw, work / "truth", real_publishing=args.real_publishing)
        print(f"generated {args.reports} reports in {time.perf_counter() - started:.1f} s (not timed below)")
    seconds: list[float] = []
    read_seconds: list[float] = []
    for _ in range(args.rounds):
        files, read = plain_read_seconds(raw)
        read_seconds.append(read)
        lake = work / "lake"
        shutil.rmtree(lake, ignore_errors=True)
        started = time.perf_counter()
        summary = extract(raw, lake, progress=False, full=True)
        seconds.append(time.perf_counter() - started)
    wall = statistics.median(seconds)
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(f"corpus: {summary.files} files in {raw}")
    print(f"extract, cold: {wall:.1f} s median of {len(seconds)} ({summary.files / wall:,.0f} reports/s)")
    for stage, value in summary.seconds.items():
        print(f"  {stage}: {value:.1f} s (last round)")
    print(ratio_line("parse", summary.seconds["parse"], files, read_seconds[-1]))
    print(ratio_line("extract", wall, files, statistics.median(read_seconds)))
    print(f"reports by status: {summary.by_status}; cells {summary.cells:,}; findings {summary.findings:,}")
    hard = _second_readings(lake)
    print(f"reports read by the second reading (with its findings): {len(hard):,}")
    if args.paths:
        _time_paths(raw, hard, work)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
