"""Rows parsed in a run, set aside until their lake partitions are written.

A run parses chunk after chunk, but writes a partition (a year and bucket of a table) only once,
after every chunk: the rows of a partition come from all of them. Held in memory, a cold run's
rows grew with the corpus (3.6 GB at 10^5 reports; a national corpus of 10^6 would not fit).
Here they are held in memory up to a budget, then spilled to disk as Arrow IPC files, one per
table, each partition's rows one record batch: the writer then memory-maps just the batches of
the partition it writes. Peak memory is bounded by the budget and a chunk, not the corpus.
"""

from __future__ import annotations

import os
import shutil
from collections import defaultdict
from pathlib import Path

import polars as pl
import pyarrow as pa

from pipelines.extract.lake import BUCKET_COLUMN, YEAR_COLUMN

# Rows held in memory before they are spilled (polars' estimate of the frames' size). Large
# enough that a run of a few thousand reports never touches the disk, small against a worker's.
SPILL_BYTES = 256 * 2**20
_PREFIX = ".staging-"

Partition = tuple[int | None, int]


class Staging:
    """New rows by table and partition; `add` as chunks arrive, `seal`, then `read` per
    partition (from several threads at once)."""

    def __init__(self, lake_dir: Path, budget: int | None = None) -> None:
        self.folder = lake_dir / f"{_PREFIX}{os.getpid()}"
        self.budget = SPILL_BYTES if budget is None else budget
        self.reports: list[pl.DataFrame] = []  # one row per file: small, kept in memory
        self.spills = 0
        self._buffer: dict[str, list[pl.DataFrame]] = defaultdict(list)
        self._buffered: float = 0  # bytes, as estimated_size counts them
        self._spilled: dict[tuple[str, Partition], list[tuple[Path, int]]] = defaultdict(list)
        self._memory: dict[tuple[str, Partition], pl.DataFrame] = {}
        _remove_stale(lake_dir)

    def add(self, frames: dict[str, pl.DataFrame] | None) -> None:
        if frames is None:
            return
        self.reports.append(frames["reports"])
        for table, frame in frames.items():
            self._buffer[table].append(frame)
            self._buffered += frame.estimated_size()
        if self._buffered > self.budget:
            self._spill()

    def _spill(self) -> None:
        """Write the buffer out, chunk by chunk (never concatenated: that held it twice over),
        each chunk's rows of a partition one record batch."""
        self.folder.mkdir(parents=True, exist_ok=True)
        options = pa.ipc.IpcWriteOptions(compression="lz4")
        while self._buffer:
            table, frames = self._buffer.popitem()
            schema = pl.concat([frame.clear() for frame in frames], how="vertical_relaxed").schema
            path = self.folder / f"{table}-{self.spills}.arrow"
            batch_no = 0
            with pa.OSFile(str(path), "wb") as sink:
                writer = None
                while frames:
                    for partition, part in _split(frames.pop(0).cast(schema)).items():
                        arrow = part.to_arrow()
                        writer = writer or pa.ipc.new_file(sink, arrow.schema, options=options)
                        for batch in arrow.to_batches():
                            writer.write_batch(batch)
                            self._spilled[(table, partition)].append((path, batch_no))
                            batch_no += 1
                if writer is not None:
                    writer.close()
        self.spills += 1
        self._buffered = 0

    def seal(self) -> None:
        """No more rows: what is still buffered is split by partition in memory."""
        while self._buffer:
            table, frames = self._buffer.popitem()
            for partition, frame in _split(pl.concat(frames, how="vertical_relaxed")).items():
                self._memory[(table, partition)] = frame
        self._buffered = 0

    def partitions(self) -> set[Partition]:
        return {partition for _, partition in (*self._spilled, *self._memory)}

    def read(self, table: str, year: int | None, bucket: int) -> pl.DataFrame | None:
        """The staged rows of one partition of one table."""
        frames: list[pl.DataFrame] = []
        readers: dict[Path, pa.ipc.RecordBatchFileReader] = {}
        for path, batch_no in self._spilled.get((table, (year, bucket)), []):
            if path not in readers:
                readers[path] = pa.ipc.open_file(pa.memory_map(str(path)))
            frame = pl.from_arrow(readers[path].get_batch(batch_no))
            assert isinstance(frame, pl.DataFrame)  # a record batch reads as a frame (pyarrow is untyped)
            frames.append(frame)
        if (table, (year, bucket)) in self._memory:
            frames.append(self._memory[(table, (year, bucket))])
        if not frames:
            return None
        return pl.concat(frames, how="vertical_relaxed") if len(frames) > 1 else frames[0]

    def all_reports(self) -> pl.DataFrame | None:
        return pl.concat(self.reports, how="vertical_relaxed") if self.reports else None

    def close(self) -> None:
        self._buffer.clear()
        self._memory.clear()
        self._spilled.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


def _split(frame: pl.DataFrame) -> dict[Partition, pl.DataFrame]:
    parts = frame.partition_by([YEAR_COLUMN, BUCKET_COLUMN], as_dict=True, maintain_order=True)
    return {(year, int(bucket)): part for (year, bucket), part in parts.items()}


def _remove_stale(lake_dir: Path) -> None:
    """Spill folders left by runs that died (their process is gone)."""
    if not lake_dir.exists():
        return
    for folder in lake_dir.glob(f"{_PREFIX}*"):
        pid = folder.name.removeprefix(_PREFIX)
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
