"""Benchmark the extraction stage alone: a raw folder → the lake, cold, on every core.

    python bench/extract_bench.py --reports 10000                      # classic layouts
    python bench/extract_bench.py --reports 2000 --real-publishing     # with the real-publishing ones
    python bench/extract_bench.py --raw /path/to/raw --rounds 3        # an existing folder

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


def _second_readings(lake: Path) -> int:
    """Reports whose findings carry the second reading's own codes (a proxy: a report read in
    full by it without any such finding is not counted)."""
    codes = ("row_placed_by_order", "cells_split_by_rules", "values_reordered", "cell_ambiguous", "values_unplaced")
    findings = pl.read_parquet(lake / "report_findings", hive_partitioning=True)
    return findings.filter(pl.col("code").is_in(codes))["report_id"].n_unique()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--real-publishing", action="store_true", help="sample the real-publishing layouts too")
    parser.add_argument("--raw", type=Path, help="an existing raw folder instead of a generated one")
    parser.add_argument("--rounds", type=int, default=1)
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
    print(f"reports read by the second reading (with its findings): {_second_readings(lake):,}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
