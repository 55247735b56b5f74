"""Benchmark `disclosure extract` on the seed corpus copied many times.

Each copy gets a distinct last line so that its bytes differ (identical bytes would be
rejected as duplicates and never parsed). Prints wall time and reports/s per stage, peak RSS
and the lake's size. Usage:  python bench/extract_bench.py [--copies 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

from pipelines.extract.corpus import parse_file, raw_files
from pipelines.extract.lake import build_tables, write_lake

SEEDS = Path(__file__).resolve().parents[1] / "data" / "raw"


def make_corpus(raw: Path, copies: int) -> int:
    seeds = sorted(SEEDS.glob("*.txt"))
    for i in range(copies):
        folder = raw / f"batch-{i // 100:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        for seed in seeds:
            data = seed.read_bytes() + f"\n本副本编号：{i}\n".encode()
            (folder / f"{seed.stem}-{i:05d}.txt").write_bytes(data)
    return copies * len(seeds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="build the corpus and lake here and keep them")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="disclosure-bench-"))
    raw, lake = work / "raw", work / "lake"
    shutil.rmtree(raw, ignore_errors=True)
    n = make_corpus(raw, args.copies)

    t0 = time.perf_counter()
    files = raw_files(raw)
    t1 = time.perf_counter()
    seen: dict[str, tuple[str, int]] = {}
    parsed = [parse_file(path, raw, seen) for path in files]
    t2 = time.perf_counter()
    tables = build_tables(parsed)
    t3 = time.perf_counter()
    written = write_lake(tables, lake)
    t4 = time.perf_counter()

    ok = sum(1 for _, report in parsed if report.status == "ok")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(f"corpus: {n} reports ({args.copies} copies of {n // max(args.copies, 1)} seeds), {ok} parsed ok")
    for stage, seconds in (
        ("list files", t1 - t0),
        ("read + parse", t2 - t1),
        ("build tables", t3 - t2),
        ("write parquet", t4 - t3),
        ("total", t4 - t0),
    ):
        print(f"{stage:>14}: {seconds:7.2f} s  {n / seconds:9.0f} reports/s")
    print(f"peak RSS: {rss_mb:.0f} MB")
    for name, path in written.items():
        print(f"{name:>16}: {tables[name].height:>9} rows  {path.stat().st_size / 1e6:7.2f} MB")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
