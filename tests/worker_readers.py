"""Readers for the worker tests: the real chunk reader, with a misbehaviour on files named for it.

They run in the parse workers (forked from the fork server, which imports them by name), so they
live in a module of their own rather than in a test file.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from pipelines.extract.plan import Task
from pipelines.extract.run import ChunkResult, read_chunk
from pipelines.extract.workers import Mark


def _misbehaving(tasks: list[Task], cache_dir: Path | None, mark: Mark, word: str, act) -> ChunkResult:
    def watched(position: int) -> None:
        mark(position)
        if position >= 0 and word in tasks[position].raw.rel and tasks[position].rejection is None:
            act()

    return read_chunk(tasks, cache_dir, watched)


def _eat_memory() -> None:
    hoard = []
    while True:
        hoard.append(bytearray(32 * 2**20))


def _poisoned_batch(tasks: list[Task], cache_dir: Path | None, mark: Mark) -> ChunkResult:
    """Dies in the batch parse, after every file opened, while a `poison` file is in the batch."""

    def watched(position: int) -> None:
        mark(position)
        if position == -1 and any("poison" in t.raw.rel and t.rejection is None for t in tasks):
            os.kill(os.getpid(), signal.SIGSEGV)

    return read_chunk(tasks, cache_dir, watched)


def killing(tasks: list[Task], cache_dir: Path | None, mark: Mark) -> ChunkResult:
    return _misbehaving(tasks, cache_dir, mark, "kill-me", lambda: os.kill(os.getpid(), signal.SIGKILL))


def hanging(tasks: list[Task], cache_dir: Path | None, mark: Mark) -> ChunkResult:
    return _misbehaving(tasks, cache_dir, mark, "hang-me", lambda: time.sleep(3600))


def hungry(tasks: list[Task], cache_dir: Path | None, mark: Mark) -> ChunkResult:
    return _misbehaving(tasks, cache_dir, mark, "eat-me", _eat_memory)


def raising(tasks: list[Task], cache_dir: Path | None, mark: Mark) -> ChunkResult:
    def bug() -> None:
        raise ValueError("a bug on this file")

    return _misbehaving(tasks, cache_dir, mark, "bug-me", bug)


def poisoned(tasks: list[Task], cache_dir: Path | None, mark: Mark) -> ChunkResult:
    return _poisoned_batch(tasks, cache_dir, mark)


def slow(tasks: list[Task], cache_dir: Path | None, mark: Mark) -> ChunkResult:
    """The real reader, a second slower a chunk: a run long enough to be killed in the middle."""
    time.sleep(1.0)
    return read_chunk(tasks, cache_dir, mark)
