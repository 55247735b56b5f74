"""The parse, on every core: the plan's tasks in chunks, each chunk read and parsed as one batch
by a pool of processes when there are many, its lake rows handed back as it finishes.

A worker reads a file's bytes, checks they are still the bytes the plan hashed, converts them
(read/document.py) and parses the chunk (read/batch.py); a file the plan rejected goes through
the same parse as a document with no text, so every file of the run becomes lake rows one way.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import NamedTuple

import polars as pl
from tqdm import tqdm

from pipelines.extract.findings import Finding
from pipelines.extract.lake import SourceFile, lake_frames
from pipelines.extract.plan import Task
from pipelines.extract.read.batch import parse_documents
from pipelines.extract.read.document import Document, open_document, unreadable
from pipelines.extract.read.formats.cache import ConversionCache
from pipelines.extract.scan import modified_at

CHUNK = 1000  # files parsed as one batch
POOL_THRESHOLD = 2 * CHUNK  # below this many files to parse, a process pool costs more than it saves


class ChunkResult(NamedTuple):
    frames: dict[str, pl.DataFrame]  # the lake rows of the chunk's files
    parsed: int  # files with a text to parse


def read_chunk(tasks: list[Task], cache_dir: Path | None = None) -> ChunkResult:
    """Read and parse a chunk of tasks as one batch (PDFs read in an earlier run come from the
    conversion cache in `cache_dir`)."""
    cache = ConversionCache(cache_dir)
    opened = [_open(task, cache) for task in tasks]
    documents = [document for document, _ in opened]
    batch = parse_documents(documents)
    return ChunkResult(lake_frames(batch, [source for _, source in opened]), sum(d.text is not None for d in documents))


def _open(task: Task, cache: ConversionCache) -> tuple[Document, SourceFile]:
    """The task's document and where it came from: its bytes converted, or its rejection."""
    raw = task.raw
    source = SourceFile(task.report_id, raw.rel, task.sha256, raw.size or 0, modified_at(raw), raw.mtime_ns)
    if task.rejection is not None:
        return unreadable(raw.rel, task.rejection), source
    try:
        data = Path(raw.path).read_bytes()
        why = None if hashlib.sha256(data).hexdigest() == task.sha256 else "it changed while it was being read"
    except OSError as exc:
        data, why = b"", exc.strerror or type(exc).__name__
    if why is None:
        return open_document(data, raw.rel, task.sha256, cache), replace(source, size_bytes=len(data))
    # gone or rewritten since it was hashed: recorded as unreadable; its new time makes the next run read it
    report_id = "unreadable-" + hashlib.sha256(raw.rel.encode()).hexdigest()[:16]
    finding = Finding("unreadable_file", f"cannot read {raw.rel}: {why}")
    return unreadable(raw.rel, finding), replace(source, report_id=report_id, sha256="")


def run_chunks(
    tasks: list[Task],
    workers: int,
    progress: bool | None,
    consume: Callable[[ChunkResult], None],
    cache_dir: Path | None = None,
) -> None:
    """Read and parse the tasks in chunks (a pool of processes when there are many), handing
    each chunk's result to `consume` as it comes, so rows never pile up in memory."""
    chunks = [tasks[start : start + CHUNK] for start in range(0, len(tasks), CHUNK)]
    disable = None if progress is None else not progress
    bar = tqdm(total=len(tasks), desc="parse", unit="file", disable=disable)
    read = partial(read_chunk, cache_dir=cache_dir)
    if workers <= 1 or len(tasks) < POOL_THRESHOLD:
        results = map(read, chunks)
        for chunk, result in zip(chunks, results, strict=True):
            consume(result)
            bar.update(len(chunk))
    else:
        # spawn, not fork: the caller may be a threaded process (Dagster, a notebook)
        context = multiprocessing.get_context("spawn")
        with _one_polars_thread_per_worker(), ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for chunk, result in zip(chunks, pool.map(read, chunks), strict=True):
                consume(result)
                bar.update(len(chunk))
    bar.close()


@contextmanager
def _one_polars_thread_per_worker() -> Iterator[None]:
    """Workers already use every core between them; a polars thread pool in each as well only
    adds contention (10k reports: parse 10.2 s -> 9.0 s with one thread each). Polars reads the
    setting when it starts, so it goes into the environment the workers are spawned with."""
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
