"""Benchmark the whole pipeline on a synthetic corpus: cold, then incremental.

    python bench/pipeline_bench.py --reports 10000            # 10k reports
    python bench/pipeline_bench.py --reports 100000 --keep /work/benchdata/run100k

Generates the corpus with `disclosure generate` (not timed), then times, for a cold run and for
incremental runs after adding one report and after changing 1% of the reports:
extraction (scan, parse, write), the copied-text step (section similarity), `dbt build` into a
fresh file, and publishing (export of the
marts, atomic rename). Prints, per stage: wall seconds, reports per second, peak resident memory
of the whole process tree (this process plus its extraction workers, sampled every 20 ms from
/proc, so the figure is what the machine had to hold at once), and the size of what the stage
wrote; and the dbt nodes that took longest. Beside the cold extraction it prints a reference
timed in the same run: reading the same raw files and splitting their lines (bench/reference.py),
with the ratio. Every figure is measured, none assumed.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from reference import plain_read_seconds, ratio_line

from pipelines.extract.corpus import extract
from pipelines.generate.corpus import generate_corpus
from pipelines.publish import publish
from pipelines.textreuse.lake import update_similarity
from pipelines.warehouse import build_args, project_hash, run_dbt, start_build


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _tree_rss_bytes(root: int) -> int:
    """Resident bytes of `root` and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * page
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


class PeakMemory:
    """Samples the process tree's RSS in a thread; `stage()` reports each stage's peak."""

    def __init__(self, every: float = 0.02) -> None:
        self.every, self.peak, self.overall = every, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            now = _tree_rss_bytes(os.getpid())
            self.peak, self.overall = max(self.peak, now), max(self.overall, now)

    @contextmanager
    def stage(self) -> Iterator[Callable[[], int]]:
        self.peak = _tree_rss_bytes(os.getpid())
        yield lambda: self.peak

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


Row = tuple[str, float, int, float | None, float | None]  # name, seconds, reports, peak MB, output MB


def _run(
    label: str, raw: Path, work: Path, reports: int, incremental_dbt: bool, memory: PeakMemory
) -> tuple[list[Row], list[tuple[str, float]]]:
    lake, build, published = work / "lake", work / "build.duckdb", work / "warehouse.duckdb"
    rows: list[Row] = []
    with memory.stage() as peak:
        started = time.perf_counter()
        summary = extract(raw, lake, progress=False)
        extract_seconds = time.perf_counter() - started
    parsed = max(summary.parsed, 1)
    name = f"{label}: extract (parsed {summary.parsed})"
    rows.append((name, extract_seconds, parsed, peak() / 1e6, (_size(lake) - _size(lake / "marts")) / 1e6))
    for stage, seconds in summary.seconds.items():
        rows.append((f"{label}:   {stage}", seconds, parsed, None, None))
    with memory.stage() as peak:
        started = time.perf_counter()
        similar = update_similarity(lake)
        similarity_seconds = time.perf_counter() - started
    name = f"{label}: similarity (signed {similar.signed})"
    rows.append((name, similarity_seconds, max(similar.signed, 1), peak() / 1e6, None))
    with memory.stage() as peak:
        started = time.perf_counter()
        incremental = start_build(build, published, full_refresh=not incremental_dbt)
        args = build_args(incremental)
        outcome = run_dbt(args, lake_dir=lake, database=build, strict=False, quiet=True)
        if not outcome.success:
            raise SystemExit(f"dbt build failed: {outcome.failures[:3]}")
        dbt_seconds = time.perf_counter() - started
    rows.append((f"{label}: dbt build", dbt_seconds, reports, peak() / 1e6, _size(build) / 1e6))
    with memory.stage() as peak:
        started = time.perf_counter()
        publish(build, published, lake / "marts", project_hash())
        publish_seconds = time.perf_counter() - started
    rows.append((f"{label}: publish", publish_seconds, reports, peak() / 1e6, _size(lake / "marts") / 1e6))
    total = extract_seconds + similarity_seconds + dbt_seconds + publish_seconds
    rows.append((f"{label}: total, raw files to published marts", total, reports, None, None))
    return rows, outcome.timings[:5]


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

    memory = PeakMemory()
    files, read_seconds = plain_read_seconds(raw)  # the reference, timed just before the cold run
    rows, slowest = _run("cold", raw, work, args.reports, incremental_dbt=False, memory=memory)
    cold_parse = next(seconds for name, seconds, *_ in rows if name == "cold:   parse")
    cold_extract = next(seconds for name, seconds, *_ in rows if name.startswith("cold: extract"))
    dbt_nodes = {"cold": slowest}

    generate_corpus(1, args.seed + 1, work / "one", work / "one-truth")
    for path in (work / "one").iterdir():
        shutil.move(path, raw / f"added-{path.name}")
    more, dbt_nodes["add 1 report"] = _run(
        "add 1 report", raw, work, args.reports + 1, incremental_dbt=not args.full_dbt, memory=memory
    )
    rows += more

    changed = max(args.reports // 100, 1)
    generate_corpus(changed, args.seed + 2, work / "some", work / "some-truth")
    replaced = sorted(p for p in raw.iterdir() if not p.name.startswith("added-"))[:changed]
    for old, new in zip(replaced, sorted((work / "some").iterdir()), strict=True):
        old.unlink()
        shutil.move(new, raw / f"changed-{new.name}")
    label = f"change 1% ({changed})"
    more, dbt_nodes[label] = _run(label, raw, work, args.reports + 1, incremental_dbt=not args.full_dbt, memory=memory)
    rows += more
    memory.close()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )
    print(f"{'stage':<52} {'seconds':>8} {'reports/s':>10} {'peak RSS MB':>12} {'output MB':>10}")
    for name, seconds, count, peak_mb, output_mb in rows:
        peak_text = f"{peak_mb:12.0f}" if peak_mb is not None else " " * 12
        output_text = f"{output_mb:10.0f}" if output_mb is not None else ""
        print(f"{name:<52} {seconds:8.2f} {count / seconds if seconds else 0:10.0f} {peak_text} {output_text}")
    print(f"peak RSS of the whole run (process tree): {memory.overall / 1e6:.0f} MB")
    print(f"reference: a plain read of the {files} raw files (read, decode, split lines) took {read_seconds:.2f} s")
    print(ratio_line("cold parse", cold_parse, files, read_seconds))
    print(ratio_line("cold extract", cold_extract, files, read_seconds))
    for label, nodes in dbt_nodes.items():
        print(f"slowest dbt nodes, {label}: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in nodes))
    lake, marts, warehouse = _size(work / "lake"), _size(work / "lake" / "marts"), _size(work / "warehouse.duckdb")
    print(
        f"sizes: raw {_size(raw) / 1e6:.0f} MB, lake {lake / 1e6:.0f} MB "
        f"(marts {marts / 1e6:.0f} MB), warehouse {warehouse / 1e6:.0f} MB"
    )
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
