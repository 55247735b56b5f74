"""The parse, on every core: the plan's tasks in chunks, each chunk read and parsed as one batch
by a worker process (workers.py: a memory cap and a clock per file), its lake rows handed back
as it finishes and kept as a checkpoint (checkpoints.py) until the run is written.

A worker reads a file's bytes, checks they are still the bytes the plan hashed, converts them
(read/document.py) and parses the chunk (read/batch.py); a file the plan rejected goes through
the same parse as a document with no text, so every file of the run becomes lake rows one way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

import polars as pl
from tqdm import tqdm

from pipelines.extract.checkpoints import Checkpoints, chunk_key
from pipelines.extract.findings import Finding
from pipelines.extract.lake import SourceFile, lake_frames
from pipelines.extract.plan import Task
from pipelines.extract.read.batch import parse_documents
from pipelines.extract.read.document import Document, open_document, unreadable
from pipelines.extract.read.formats.cache import ConversionCache
from pipelines.extract.scan import modified_at
from pipelines.extract.workers import Budget, Mark, Reader, supervise

CHUNK = 1000  # files parsed as one batch


class ChunkResult(NamedTuple):
    frames: dict[str, pl.DataFrame]  # the lake rows of the chunk's files
    parsed: int  # files with a text to parse


@dataclass
class RunStats:
    parsed: int = 0  # files with a text parsed in this run
    resumed: int = 0  # files whose rows came from a checkpoint of an interrupted run
    stopped: list[str] = field(default_factory=list)  # files whose worker died on them (rejected)


def read_chunk(tasks: list[Task], cache_dir: Path | None = None, mark: Mark | None = None) -> ChunkResult:
    """Read and parse a chunk of tasks as one batch (PDFs read in an earlier run come from the
    conversion cache in `cache_dir`); `mark(i)` says file i is being opened, `mark(-1)` that the
    batch parse has begun."""
    cache = ConversionCache(cache_dir)
    opened = []
    for position, task in enumerate(tasks):
        if mark is not None:
            mark(position)
        opened.append(_open(task, cache))
    if mark is not None:
        mark(-1)
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
    checkpoints: Checkpoints | None = None,
    budget: Budget | None = None,
    reader: Reader = read_chunk,
) -> RunStats:
    """Read and parse the tasks in chunks on worker processes, handing each chunk's result to
    `consume` as it comes, so rows never pile up in memory. Chunks found in `checkpoints` are
    read back instead of parsed; the others are kept there as they finish."""
    chunks = [tasks[start : start + CHUNK] for start in range(0, len(tasks), CHUNK)]
    keys = [chunk_key(chunk) for chunk in chunks] if checkpoints is not None else []
    stats = RunStats()
    disable = None if progress is None else not progress
    bar = tqdm(total=len(tasks), desc="parse", unit="file", disable=disable)
    to_parse = []
    for index, chunk in enumerate(chunks):
        kept = checkpoints.load(keys[index]) if checkpoints is not None else None
        if kept is None:
            to_parse.append(index)
            continue
        consume(ChunkResult(*kept))
        stats.resumed += len(chunk)
        bar.update(len(chunk))

    def done(position: int, parts: list[ChunkResult]) -> None:
        index = to_parse[position]
        result = parts[0] if len(parts) == 1 else _joined(parts)
        if checkpoints is not None:
            checkpoints.save(keys[index], result.frames, result.parsed)
        consume(result)
        stats.parsed += result.parsed
        bar.update(len(chunks[index]))

    deaths = supervise(
        [chunks[index] for index in to_parse], reader, max(1, min(workers, len(to_parse))), done, cache_dir, budget
    )
    stats.stopped = deaths.files
    bar.close()
    return stats


def _joined(parts: list[ChunkResult]) -> ChunkResult:
    """The halves of a chunk that had to be split, as one result."""
    tables = parts[0].frames.keys()
    frames = {table: pl.concat([part.frames[table] for part in parts], how="vertical_relaxed") for table in tables}
    return ChunkResult(frames, sum(part.parsed for part in parts))
