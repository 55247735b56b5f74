"""Extract a raw folder into the lake, incrementally, on every core: scan, plan, run, write.

1. scan.py lists the folder; the files whose size or time changed since the manifest are hashed.
2. plan.py decides, before any parse, what to parse, what to record with a finding (unreadable,
   too large, a copy of another file), what to drop and what only moved in time.
3. run.py parses the plan's files in chunks on worker processes, each with a memory cap and a
   clock per file (workers.py); their rows are set aside (staging.py) as they come, and each
   finished chunk is kept as a checkpoint (checkpoints.py) until the lake is written, so a
   killed run resumes where it stopped.
4. Here, every partition that loses, gains or updates rows is rewritten (lake.py), then the
   manifest. An unchanged folder writes nothing.

Every file under the folder becomes a row of `reports`, whatever happens to it: a file that
cannot be read or parsed is recorded as `rejected` with a finding, and the others go on.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.extract.checkpoints import Checkpoints
from pipelines.extract.integrity import CHECKSUMS, Damage, find_damage, rows_in, write_checksums
from pipelines.extract.lake import (
    MANIFEST,
    MANIFEST_SCHEMA,
    PARSER_VERSION,
    SCHEMAS,
    YEAR_COLUMN,
    Pending,
    bucket_of,
    commit,
    discard,
    read_manifest,
    read_partition,
    write_manifest,
    write_partition,
)
from pipelines.extract.plan import plan_extract, stale_files
from pipelines.extract.run import ChunkResult, run_chunks
from pipelines.extract.scan import RawFile, hash_files, scan_raw
from pipelines.extract.staging import Staging

log = logging.getLogger(__name__)

CACHE = "_cache"  # in the lake: conversions of PDFs by content hash (read/formats/cache.py)


@dataclass
class ExtractResult:
    files: int
    parsed: int  # files parsed in this run
    reused: int  # files whose lake rows were kept as they were
    removed: int  # files gone from the raw folder since the last run
    by_status: dict[str, int]
    cells: int  # in the whole lake
    findings: int
    rows: dict[str, int]  # rows per lake table, in the whole lake
    written: list[Path] = field(default_factory=list)  # partition files written in this run
    seconds: dict[str, float] = field(default_factory=dict)
    resumed: int = 0  # files whose rows came from the checkpoints of an interrupted run
    stopped: list[str] = field(default_factory=list)  # files rejected because their worker died on them
    repairs: list[str] = field(default_factory=list)  # damage found in the lake and repaired


def extract(
    raw_dir: Path,
    lake_dir: Path,
    progress: bool | None = None,
    workers: int | None = None,
    full: bool = False,
) -> ExtractResult:
    """Bring the lake up to date with `raw_dir` (everything again with `full=True`)."""
    clock = time.perf_counter()
    scanned = scan_raw(raw_dir)
    manifest, repairs = _read_manifest(lake_dir)
    damage = Damage()
    if full or manifest.is_empty() or (manifest["parser_version"] != PARSER_VERSION).any():
        _clear_lake(lake_dir)
        manifest = pl.DataFrame(schema=MANIFEST_SCHEMA)
    else:
        damage = find_damage(lake_dir)
    redo = rows_in(manifest, damage.partitions)  # parsed again: their partition is damaged
    for path in damage.files:
        (lake_dir / path).unlink(missing_ok=True)
    manifest = manifest.filter(~pl.col("source_path").is_in(redo["source_path"].to_list()))
    plan = plan_extract(scanned, manifest, hash_files(stale_files(scanned, manifest)))
    drop = {partition: set(ids) for partition, ids in plan.drop.items()}
    for partition in damage.partitions:  # rewritten, every table of it, even with no report to parse
        drop.setdefault(partition, set())
    for row in redo.iter_rows(named=True):
        drop.setdefault((row[YEAR_COLUMN], bucket_of(row["report_id"])), set()).add(row["report_id"])
    repairs += damage.messages()
    for message in repairs:
        log.warning(message)
    seconds = {"scan": time.perf_counter() - clock}

    clock = time.perf_counter()
    staging = Staging(lake_dir)
    checkpoints = Checkpoints(lake_dir)

    def consume(result: ChunkResult) -> None:
        staging.add(result.frames)

    pending: list[Pending] = []
    try:
        stats = run_chunks(plan.tasks, workers or os.cpu_count() or 1, progress, consume, lake_dir / CACHE, checkpoints)
        seconds["parse"] = time.perf_counter() - clock
        clock = time.perf_counter()
        new_reports = staging.all_reports()
        by_rel = {raw.rel: raw for raw in scanned}
        new_manifest = _manifest(manifest, new_reports, by_rel, plan.removed, plan.touched)
        pending = _apply(lake_dir, staging, drop, plan.touched)
        if pending or not (lake_dir / MANIFEST).exists() or not new_manifest.equals(manifest.sort("source_path")):
            pending.append(write_checksums(lake_dir, pending))
            pending.append(write_manifest(new_manifest, lake_dir))
        commit(pending)
    except OSError as exc:
        discard(pending)
        raise LakeWriteError(
            f"cannot write the lake in {lake_dir} ({exc}): nothing was changed, the lake is as the last run left it"
        ) from exc
    finally:
        staging.close()
    checkpoints.clear()
    seconds["write"] = time.perf_counter() - clock
    reused = len(scanned) - len(plan.tasks)
    written = [item.path for item in pending if item.tmp is not None and item.path.parent != lake_dir]
    result = _result(new_manifest, stats.parsed, reused, len(plan.removed), written, seconds)
    result.resumed, result.stopped, result.repairs = stats.resumed, stats.stopped, repairs
    return result


class LakeWriteError(OSError):
    """The lake could not be written (a full disk, say); it was left as it was."""


def _read_manifest(lake_dir: Path) -> tuple[pl.DataFrame, list[str]]:
    """The manifest, or none (a cold run) with a note when its file is damaged."""
    try:
        return read_manifest(lake_dir), []
    except (OSError, pl.exceptions.PolarsError) as exc:
        why = f"lake manifest {lake_dir / MANIFEST} is unreadable ({type(exc).__name__}): the lake is rebuilt"
        return pl.DataFrame(schema=MANIFEST_SCHEMA), [why]


def _apply(
    lake_dir: Path,
    staging: Staging,
    drop: dict[tuple[int | None, int], set[str]],
    touched: dict[tuple[int | None, int], dict[str, dt.datetime | None]],
) -> list[Pending]:
    """Write every partition that loses, gains or updates rows beside its place (committed by
    the caller). Partitions are independent and polars releases the GIL while it reads, merges
    and writes, so they go on threads."""
    staging.seal()
    partitions = set(drop) | set(touched) | staging.partitions()
    if not (lake_dir / "reports").exists():
        partitions.add((None, 0))  # the no-year partition always exists, so readers always find files
    ordered = sorted(partitions, key=lambda p: (p[0] is None, p[0] or 0, p[1]))

    def rewrite(partition: tuple[int | None, int]) -> list[Pending]:
        year, bucket = partition
        adding = staging.read("reports", year, bucket)
        ids = drop.get(partition, set()) | (set(adding["report_id"].to_list()) if adding is not None else set())
        written = []
        for table in SCHEMAS:
            kept = read_partition(lake_dir, table, year, bucket)
            if ids:
                kept = kept.filter(~pl.col("report_id").is_in(list(ids)))
            if table == "reports" and touched.get(partition):
                times = pl.DataFrame(
                    {"report_id": list(touched[partition]), "touched": list(touched[partition].values())},
                    schema={"report_id": pl.String, "touched": pl.Datetime("us", "UTC")},
                )
                kept = (
                    kept.join(times, on="report_id", how="left", maintain_order="left")
                    .with_columns(pl.coalesce("touched", "file_modified_at").alias("file_modified_at"))
                    .drop("touched")
                )
            fresh = adding if table == "reports" else staging.read(table, year, bucket)
            try:
                written.append(write_partition(kept, fresh, lake_dir, table, year, bucket))
            except BaseException:
                discard(written)  # this partition's tables written so far
                raise
        return written

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        futures = [pool.submit(rewrite, partition) for partition in ordered]
    done = [future for future in futures if future.exception() is None]
    if len(done) < len(futures):  # nothing moves into place: what was written goes
        discard([item for future in done for item in future.result()])
        raise next(exc for future in futures if (exc := future.exception()) is not None)
    return [item for future in futures for item in future.result()]


def _manifest(
    manifest: pl.DataFrame,
    new_reports: pl.DataFrame | None,
    by_rel: dict[str, RawFile],
    removed: list[dict],
    touched: dict[tuple[int | None, int], dict[str, dt.datetime | None]],
) -> pl.DataFrame:
    """One row per raw file now: kept rows (with new times where touched) and new ones."""
    replaced = set(new_reports["source_path"].to_list()) if new_reports is not None else set()
    gone = {row["source_path"] for row in removed} | replaced
    kept = manifest.filter(~pl.col("source_path").is_in(list(gone)))
    if any(touched.values()):
        stats = pl.DataFrame(
            [(rel, raw.size, raw.mtime_ns) for rel, raw in by_rel.items()],
            schema={"source_path": pl.String, "size": pl.Int64, "mtime": pl.Int64},
            orient="row",
        )
        kept = (
            kept.join(stats, on="source_path", how="left", maintain_order="left")
            .with_columns(size_bytes=pl.col("size"), mtime_ns=pl.col("mtime"))
            .drop("size", "mtime")
        )
    parts = [kept.select(list(MANIFEST_SCHEMA))]
    if new_reports is not None:
        rows = new_reports
        rows = rows.with_columns(
            size_bytes=pl.col("source_path").replace_strict({r: by_rel[r].size for r in replaced}, default=None),
            mtime_ns=pl.col("source_path").replace_strict({r: by_rel[r].mtime_ns for r in replaced}, default=None),
        )
        parts.append(rows.select(list(MANIFEST_SCHEMA)))
    return pl.concat(parts, how="vertical_relaxed").cast(MANIFEST_SCHEMA).sort("source_path")


def _clear_lake(lake_dir: Path) -> None:
    """Forget a lake written by another parser version (or an older layout)."""
    for table in SCHEMAS:
        shutil.rmtree(lake_dir / table, ignore_errors=True)
        (lake_dir / f"{table}.parquet").unlink(missing_ok=True)
    (lake_dir / MANIFEST).unlink(missing_ok=True)
    (lake_dir / CHECKSUMS).unlink(missing_ok=True)


def _result(
    manifest: pl.DataFrame, parsed: int, reused: int, removed: int, written: list[Path], seconds: dict[str, float]
) -> ExtractResult:
    statuses = Counter(manifest["status"].to_list())
    totals = {name: int(manifest[name].sum() or 0) for name in ("n_cells", "n_findings", "n_sections", "n_facts")}
    return ExtractResult(
        files=manifest.height,
        parsed=parsed,
        reused=reused,
        removed=removed,
        by_status=dict(sorted(statuses.items())),
        cells=totals["n_cells"],
        findings=totals["n_findings"],
        rows={
            "reports": manifest.height,
            "report_cells": totals["n_cells"],
            "report_findings": totals["n_findings"],
            "report_sections": totals["n_sections"],
            "report_narrative_facts": totals["n_facts"],
        },
        written=written,
        seconds=seconds,
    )
