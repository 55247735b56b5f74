"""Parse workers with a memory cap and a clock per file, so that no file can take a run down.

Every chunk is read in a worker process, never in the caller: isolation holds for a run of one
file too. A worker caps its own data segment (RLIMIT_DATA: the heap and anonymous mappings a
decompression bomb fills; not RLIMIT_AS, which also counts the ~0.9 GB of address space the
libraries reserve and never touch) and tells the supervisor which file it is on. The supervisor
kills a worker that stays on one file past its time budget.

When a worker dies (killed for time, stopped by its memory cap, crashed in a C library, or the
parser raised), the file it was on is rejected with a finding and its chunk is read again by a
fresh worker with that file rejected: every other file's rows survive, as they would had the
file been rejected from the start. A death during the chunk's batch parse, after every file was
opened, cannot be pinned on one file: the chunk is split in halves and each half read again,
down to the file that kills its worker alone.

Workers are forked from a fork server that has the parser imported (about 30 ms a worker
instead of 0.9 s for a fresh interpreter). The fork server is itself a fresh process, so the
fork is safe even when the caller runs threads (Dagster, a notebook).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import resource
import time
import traceback
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from pipelines.extract.findings import Finding
from pipelines.extract.plan import Task

# A worker's memory: a chunk of 1,000 reports peaks at about 400 MB resident (measured on the
# 5,032-file benchmark corpus); a PDF of 300 pages converts in under 200 MB. 1.5 GiB leaves room
# for both while two workers and the caller stay under a few GB together.
WORKER_MEMORY_BYTES = 3 * 2**29
# A file's conversion: real reports take 0.01-2 s (a 60-page PDF); a minute is far beyond any.
FILE_SECONDS = 60.0
# The batch parse of a chunk, after its files are opened: about 10 ms a report on one core.
BATCH_SECONDS = 120.0
BATCH_SECONDS_PER_FILE = 0.5
# A worker that dies before it reads anything (it could not start): tried this often, then the run fails.
START_ATTEMPTS = 3
_PRELOAD = [
    "pipelines.extract.run",
    "pipelines.extract.read.formats.docx",
    "pipelines.extract.read.formats.html",
    "pipelines.extract.read.formats.pdf",
]
_BATCH = -1  # the position a worker reports once every file of its job is opened
_OUT_OF_MEMORY = 86  # a worker's exit code after a MemoryError

R = TypeVar("R")
Mark = Callable[[int], None]
Reader = Callable[[list[Task], Path | None, Mark], Any]


@dataclass(frozen=True)
class Budget:
    """What one worker may spend: memory at any time, time on one file, time on a batch."""

    memory_bytes: int = WORKER_MEMORY_BYTES
    file_seconds: float = FILE_SECONDS
    batch_seconds: float = BATCH_SECONDS
    batch_seconds_per_file: float = BATCH_SECONDS_PER_FILE

    def batch(self, files: int) -> float:
        return self.batch_seconds + self.batch_seconds_per_file * files


@dataclass
class _Job:
    chunk: int  # the chunk it is (part of)
    tasks: list[Task]
    part: tuple[int, ...] = ()  # where it sits among the chunk's halves, for their order
    starts: int = 0  # workers that died before reporting any position


@dataclass
class _Slot:
    process: Any  # a multiprocessing Process (its type differs by start method)
    conn: Connection
    job: _Job | None = None
    at: int | None = None  # the position the worker last reported
    deadline: float = 0.0
    killed_for_time: bool = False
    failure: str | None = None  # the parser's error, as the worker sent it


@dataclass
class Deaths:
    """Files rejected because their worker died on them, for the run's summary."""

    files: list[str] = field(default_factory=list)


def supervise(
    chunks: list[list[Task]],
    reader: Reader,
    workers: int,
    on_done: Callable[[int, list[Any]], None],
    cache_dir: Path | None = None,
    budget: Budget | None = None,
) -> Deaths:
    """Read every chunk in a worker; `on_done(chunk, parts)` gets a chunk's results (one part,
    or its halves in order when it had to be split) as soon as all of them are in."""
    budget = budget or Budget()
    queue = deque(_Job(index, tasks) for index, tasks in enumerate(chunks) if tasks)
    open_parts = {job.chunk: 1 for job in queue}
    parts: dict[int, list[tuple[tuple[int, ...], Any]]] = defaultdict(list)
    deaths = Deaths()
    slots: list[_Slot] = []
    context = _context()
    try:
        while queue or any(slot.job for slot in slots):
            for slot in slots:
                if slot.job is None and queue:
                    _assign(slot, queue.popleft(), budget)
            while queue and len(slots) < workers:
                slots.append(_start(context, reader, cache_dir, budget))
                _assign(slots[-1], queue.popleft(), budget)
            busy = [slot for slot in slots if slot.job is not None]
            timeout = max(0.0, min(slot.deadline for slot in busy) - time.monotonic()) if busy else 0.0
            multiprocessing.connection.wait(
                [slot.conn for slot in busy] + [slot.process.sentinel for slot in busy], timeout=min(timeout, 1.0)
            )
            for slot in busy:
                finished = _receive(slot, budget)
                if finished is None and not slot.process.is_alive():
                    finished = _receive(slot, budget)  # what it sent just before it died
                    if finished is None:
                        _bury(slot, queue, open_parts, deaths, budget)
                        continue
                elif finished is None and time.monotonic() > slot.deadline:
                    slot.killed_for_time = True
                    slot.process.kill()
                    _bury(slot, queue, open_parts, deaths, budget)
                    continue
                if finished is not None:
                    job, result = finished
                    parts[job.chunk].append((job.part, result))
                    if len(parts[job.chunk]) == open_parts[job.chunk]:
                        on_done(job.chunk, [result for _, result in sorted(parts.pop(job.chunk), key=lambda p: p[0])])
            for slot in [slot for slot in slots if slot.job is None and not slot.process.is_alive()]:
                slot.conn.close()
                slots.remove(slot)
    finally:
        for slot in slots:
            _stop(slot)
    return deaths


def _assign(slot: _Slot, job: _Job, budget: Budget) -> None:
    slot.job, slot.at, slot.failure, slot.killed_for_time = job, None, None, False
    slot.deadline = time.monotonic() + budget.file_seconds
    slot.conn.send(job.tasks)


def _receive(slot: _Slot, budget: Budget) -> tuple[_Job, Any] | None:
    """Read what the worker said: a position (its clock restarts), its result, or its failure."""
    assert slot.job is not None
    while slot.conn.poll():
        try:
            kind, value = slot.conn.recv()
        except (EOFError, OSError):
            return None  # it died: its sentinel says so
        if kind == "at":
            slot.at = value
            seconds = budget.batch(len(slot.job.tasks)) if value == _BATCH else budget.file_seconds
            slot.deadline = time.monotonic() + seconds
        elif kind == "failed":
            slot.failure = value
        elif kind == "done":
            job, slot.job = slot.job, None
            return job, value
    return None


def _bury(slot: _Slot, queue: deque[_Job], open_parts: dict[int, int], deaths: Deaths, budget: Budget) -> None:
    """A worker died on its job: reject the file it was on and read the job again, or split it."""
    job, slot.job = slot.job, None
    assert job is not None
    slot.process.join()
    code, why = _why(slot, budget)
    if slot.at is None and slot.failure is None and not slot.killed_for_time:
        job.starts += 1
        if job.starts >= START_ATTEMPTS:
            raise RuntimeError(f"parse workers die before reading anything ({why}); tried {job.starts} times")
        queue.appendleft(job)
        return
    on_file = slot.at is not None and slot.at != _BATCH
    if on_file or len(job.tasks) == 1:
        position = slot.at if on_file and slot.at is not None else 0
        task = job.tasks[position]
        rejected = replace(task, rejection=Finding(code, f"{task.raw.rel}: {why}; not parsed"))
        deaths.files.append(task.raw.rel)
        queue.appendleft(replace(job, tasks=[*job.tasks[:position], rejected, *job.tasks[position + 1 :]]))
        return
    half = len(job.tasks) // 2
    open_parts[job.chunk] += 1
    queue.appendleft(_Job(job.chunk, job.tasks[half:], (*job.part, 1)))
    queue.appendleft(_Job(job.chunk, job.tasks[:half], (*job.part, 0)))


def _why(slot: _Slot, budget: Budget) -> tuple[str, str]:
    """The finding for the file a worker died on: its code and what happened."""
    code = slot.process.exitcode
    if slot.killed_for_time:
        limit = budget.batch_seconds if slot.at == _BATCH else budget.file_seconds
        return "file_too_complex", f"reading it took longer than the {limit:.0f} s a file may take (FILE_SECONDS)"
    if code == _OUT_OF_MEMORY:
        mib = budget.memory_bytes / 2**20
        return "file_too_complex", f"reading it needed more than the {mib:,.0f} MiB a worker may use"
    if slot.failure is not None:
        return "reader_failed", f"the parser failed on it: {slot.failure}"
    if code == -9:
        return "file_too_complex", "its worker was killed (signal 9: out of memory, or by hand) while reading it"
    return "reader_failed", f"the reader crashed on it (worker exit code {code})"


def _context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def _start(context: Any, reader: Reader, cache_dir: Path | None, budget: Budget) -> _Slot:
    parent, child = context.Pipe()
    with _one_polars_thread_per_worker():
        process = context.Process(target=_work, args=(child, reader, cache_dir, budget.memory_bytes), daemon=True)
        process.start()
    child.close()
    return _Slot(process, parent)


def _stop(slot: _Slot) -> None:
    if slot.job is None and slot.process.is_alive():
        try:
            slot.conn.send(None)
            slot.process.join(timeout=5)
        except OSError:
            pass
    if slot.process.is_alive():
        slot.process.kill()
        slot.process.join()
    slot.conn.close()


def _work(conn: Connection, reader: Reader, cache_dir: Path | None, memory_bytes: int) -> None:
    """A worker: cap its memory, then read jobs until told to stop (or its caller is gone)."""
    resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    while True:
        try:
            tasks = conn.recv()
        except (EOFError, OSError):
            return
        if tasks is None:
            return
        try:
            result = reader(tasks, cache_dir, lambda position: _tell(conn, ("at", position)))
        except MemoryError:
            os._exit(_OUT_OF_MEMORY)
        except Exception as exc:  # a parser bug: the file is rejected, the run goes on
            _tell(conn, ("failed", f"{type(exc).__name__}: {exc} ({_where(exc)})"))
            os._exit(1)
        _tell(conn, ("done", result))


def _tell(conn: Connection, message: tuple[str, Any]) -> None:
    """Send to the supervisor; when it is gone (killed), the worker has nobody to work for."""
    try:
        conn.send(message)
    except OSError:
        os._exit(0)


def _where(exc: Exception) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"


@contextmanager
def _one_polars_thread_per_worker() -> Iterator[None]:
    """Workers already use every core between them; a polars thread pool in each as well only
    adds contention (10k reports: parse 10.2 s -> 9.0 s with one thread each). Polars reads the
    setting when it is imported, and workers fork from a server that imports it when it starts,
    so the setting goes into the environment the server starts with."""
    import polars as pl

    pl.thread_pool_size()  # starts this process's pool first, so it keeps every core
    before = os.environ.get("POLARS_MAX_THREADS")
    os.environ["POLARS_MAX_THREADS"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["POLARS_MAX_THREADS"]
        else:
            os.environ["POLARS_MAX_THREADS"] = before
