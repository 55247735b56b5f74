"""The same-run reference for extraction benchmarks: reading the raw files and splitting their
lines, the least any parser must do. On a shared machine an absolute figure means little; a
parse time next to this one, measured in the same run, does."""

from __future__ import annotations

import os
import time
from pathlib import Path


def plain_read_seconds(raw_dir: Path) -> tuple[int, float]:
    """(files, seconds) of a plain read with the files in the page cache, as the extraction
    that follows finds them: a first pass warms the cache (on a cold cache, reading 10^5 small
    files is disk-bound, ~100 s here, and would flatter any parser next to it)."""
    _read_all(raw_dir)
    return _read_all(raw_dir)


def _read_all(raw_dir: Path) -> tuple[int, float]:
    """(files, seconds) to read every file under `raw_dir` in one process, decode it as UTF-8
    (undecodable bytes replaced) and split it into lines. One process, as the target was set
    (a parser on two cores within 2x of one process reading)."""
    started = time.perf_counter()
    files = 0
    for folder, _, names in os.walk(raw_dir):
        for name in names:
            data = Path(folder, name).read_bytes()
            data.decode("utf-8", errors="replace").splitlines()
            files += 1
    return files, time.perf_counter() - started


def ratio_line(label: str, parse_seconds: float, files: int, read_seconds: float) -> str:
    """One line: the stage's rate, the plain read's, and how many times slower the stage is."""
    rate, read_rate = files / parse_seconds, files / read_seconds
    return (
        f"{label}: {rate:,.0f} reports/s against a plain read of the same files at {read_rate:,.0f}/s "
        f"(one process, same run): {parse_seconds / read_seconds:.1f}x the read (target: within 2x)"
    )
