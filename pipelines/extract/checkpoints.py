"""Finished chunks, kept on disk until the run that parsed them has written the lake, so that a
run killed at any point (kill -9, the OOM killer, a power cut) resumes where it stopped: the next
run parses only the chunks that were not finished and reads the others back.

A chunk is known by a key over everything its rows depend on: the parser version and, for each
of its files, the path, size, time, content hash, report id and rejection. The plan is a pure
function of the folder and the manifest, and the manifest is written last, so a run after a
crash plans the same chunks and finds them by key; a chunk whose files changed since has another
key and is parsed again. Each chunk is one folder of Arrow IPC files, renamed into place when
complete: a checkpoint is whole or absent.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from pathlib import Path

import polars as pl

from pipelines.extract.lake import PARSER_VERSION
from pipelines.extract.plan import Task

FOLDER = "_checkpoints"  # in the lake

log = logging.getLogger(__name__)


def chunk_key(tasks: list[Task]) -> str:
    digest = hashlib.sha256(PARSER_VERSION.encode())
    for task in tasks:
        raw, rejection = task.raw, task.rejection
        why = (rejection.code, rejection.message) if rejection is not None else ("", "")
        fields = (raw.rel, raw.size, raw.mtime_ns, task.report_id, task.sha256, *why)
        digest.update(json.dumps(fields, ensure_ascii=False).encode())
    return digest.hexdigest()[:32]


class Checkpoints:
    """The finished chunks of the lake's unfinished run."""

    def __init__(self, lake_dir: Path) -> None:
        self.folder = lake_dir / FOLDER
        self.enabled = True

    def load(self, key: str) -> tuple[dict[str, pl.DataFrame], int] | None:
        """The rows and the count of parsed files of a chunk finished earlier, if it was."""
        folder = self.folder / key
        try:
            meta = json.loads((folder / "chunk.json").read_text())
            frames = {table: pl.read_ipc(folder / f"{table}.arrow") for table in meta["tables"]}
        except (OSError, ValueError, KeyError, pl.exceptions.PolarsError):
            return None
        return frames, int(meta["parsed"])

    def save(self, key: str, frames: dict[str, pl.DataFrame], parsed: int) -> None:
        """Keep a finished chunk. A checkpoint only saves time: when the disk refuses it, the run
        goes on without checkpoints (and says so)."""
        if not self.enabled:
            return
        folder = self.folder / key
        partial = self.folder / f".{key}.{os.getpid()}.partial"
        try:
            partial.mkdir(parents=True, exist_ok=True)
            for table, frame in frames.items():
                frame.write_ipc(partial / f"{table}.arrow", compression="lz4")
            (partial / "chunk.json").write_text(json.dumps({"tables": list(frames), "parsed": parsed}))
            shutil.rmtree(folder, ignore_errors=True)
            os.replace(partial, folder)
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            self.enabled = False
            log.warning("cannot keep checkpoints in %s (%s): this run will not be resumable", self.folder, exc)

    def clear(self) -> None:
        """The run is written: its checkpoints (and any a changed folder made useless) go."""
        shutil.rmtree(self.folder, ignore_errors=True)
