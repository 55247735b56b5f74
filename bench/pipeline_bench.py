"""Benchmark the whole pipeline on a synthetic corpus: cold, then incremental.

    python bench/pipeline_bench.py --reports 10000            # 10k reports
    python bench/pipeline_bench.py --reports 100000 --keep /work/benchdata/run100k

Generates the corpus with `disclosure generate` (not timed), then times, for a cold run and for
incremental runs after adding one report and after changing 1% of the reports:
extraction (scan, parse, write), `dbt build` into a fresh file, and publishing (export of the
marts, atomic rename). Prints wall seconds, reports per second, the peak resident memory of this
process and of its worker processes, and output sizes. Every figure is measured, none assumed.
"""

from __future__ import annotations

import argparse
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path

from pipelines.extract.corpus import extract
from pipelines.generate.corpus import generate_corpus
from pipelines.publish import publish
from pipelines.warehouse import project_hash, run_dbt, start_build


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def _run(label: str, raw: Path, work: Path, reports: int, incremental_dbt: bool) -> list[tuple[str, float, int]]:
    lake, build, published = work / "lake", work / "build.duckdb", work / "warehouse.duckdb"
    rows: list[tuple[str, float, int]] = []
    started = time.perf_counter()
    summary = extract(raw, lake, progress=False)
    extract_seconds = time.perf_counter() - started
    rows.append((f"{label}: extract (parsed {summary.parsed})", extract_seconds, max(summary.parsed, 1)))
    for stage, seconds in summary.seconds.items():
        rows.append((f"{label}:   {stage}", seconds, max(summary.parsed, 1)))
    started = time.perf_counter()
    incremental = start_build(build, published, full_refresh=not incremental_dbt)
    args = ["build"] if incremental else ["build", "--full-refresh"]
    outcome = run_dbt(args, lake_dir=lake, database=build, strict=False, quiet=True)
    if not outcome.success:
        raise SystemExit(f"dbt build failed: {outcome.failures[:3]}")
    rows.append((f"{label}: dbt build", time.perf_counter() - started, reports))
    started = time.perf_counter()
    publish(build, published, lake / "marts", project_hash())
    rows.append((f"{label}: publish", time.perf_counter() - started, reports))
    total = extract_seconds + sum(s for name, s, _ in rows[-2:])
    rows.append((f"{label}: total, raw files to published marts", total, reports))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", type=Path, help="work here and keep the corpus, lake and warehouse")
    parser.add_argument("--raw", type=Path, help="an existing generated corpus to copy instead of generating one")
    parser.add_argument("--full-dbt", action="store_true", help="rebuild every dbt model on incremental runs")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="disclosure-bench-"))
    raw = work / "raw"
    shutil.rmtree(work / "lake", ignore_errors=True)
    for name in ("build.duckdb", "warehouse.duckdb"):
        (work / name).unlink(missing_ok=True)
    started = time.perf_counter()
    if args.raw:
        shutil.rmtree(raw, ignore_errors=True)
        shutil.copytree(args.raw, raw)
    elif not raw.exists() or sum(1 for _ in raw.iterdir()) != args.reports:
        shutil.rmtree(raw, ignore_errors=True)
        generate_corpus(args.reports, args.seed, raw, work / "truth")
    print(
        f"corpus: {args.reports} reports in {raw} ({_size(raw) / 1e6:.0f} MB, prepared in "
        f"{time.perf_counter() - started:.0f} s, not timed below)"
    )

    rows = _run("cold", raw, work, args.reports, incremental_dbt=False)

    generate_corpus(1, args.seed + 1, work / "one", work / "one-truth")
    for path in (work / "one").iterdir():
        shutil.move(path, raw / f"added-{path.name}")
    rows += _run("add 1 report", raw, work, args.reports + 1, incremental_dbt=not args.full_dbt)

    changed = max(args.reports // 100, 1)
    generate_corpus(changed, args.seed + 2, work / "some", work / "some-truth")
    replaced = sorted(p for p in raw.iterdir() if not p.name.startswith("added-"))[:changed]
    for old, new in zip(replaced, sorted((work / "some").iterdir()), strict=True):
        old.unlink()
        shutil.move(new, raw / f"changed-{new.name}")
    rows += _run(f"change 1% ({changed})", raw, work, args.reports + 1, incremental_dbt=not args.full_dbt)

    own, children = _rss_mb()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(f"{'stage':<52} {'seconds':>8} {'reports/s':>10}")
    for name, seconds, count in rows:
        print(f"{name:<52} {seconds:8.2f} {count / seconds if seconds else 0:10.0f}")
    print(f"peak RSS: this process {own:.0f} MB, largest worker {children:.0f} MB")
    lake, marts, warehouse = _size(work / "lake"), _size(work / "lake" / "marts"), _size(work / "warehouse.duckdb")
    print(
        f"sizes: raw {_size(raw) / 1e6:.0f} MB, lake {lake / 1e6:.0f} MB "
        f"(marts {marts / 1e6:.0f} MB), warehouse {warehouse / 1e6:.0f} MB"
    )
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
