"""What a run must do, decided before anything is parsed: a pure function of the manifest and
the folder.

Files whose size or time changed are hashed first (scan.py); with every content hash known,
files that share their bytes are settled (the first path in sorted order is the report, the
others copies, `-dup<n>`), so a copy is never parsed. The plan lists the files to write rows
for (to parse, or to record with a finding: unreadable, too large, a copy), the rows to drop
(files gone or replaced) and the rows whose file only moved in time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import polars as pl

from pipelines.extract.findings import Finding
from pipelines.extract.lake import YEAR_COLUMN, bucket_of
from pipelines.extract.scan import Hashed, RawFile, modified_at

# A report is a few hundred KB at most (a scanned PDF a few MB); a bigger file is not one.
MAX_FILE_BYTES = 30 * 10**6

Partition = tuple[int | None, int]  # (report year, bucket)


@dataclass(frozen=True)
class Task:
    """One file to write rows for: parsed, or recorded with its `rejection` finding."""

    raw: RawFile
    report_id: str
    sha256: str
    rejection: Finding | None = None


@dataclass(frozen=True)
class ExtractPlan:
    tasks: list[Task]  # by path
    removed: list[dict[str, Any]]  # the manifest rows of files gone from the folder
    drop: dict[Partition, set[str]]  # report ids to remove, per partition (gone or replaced)
    touched: dict[Partition, dict[str, dt.datetime | None]]  # same bytes, new time: the new time

    @property
    def replaced(self) -> set[str]:
        return {task.raw.rel for task in self.tasks}


def stale_files(scanned: list[RawFile], manifest: pl.DataFrame) -> list[RawFile]:
    """Files new or changed in size or time since the manifest: the only ones to hash. A join,
    not a Python pass over 10^5 rows."""
    changed = _on_disk(scanned).join(manifest.select(_STATS), on=_STATS, how="anti", nulls_equal=True)
    rels = set(changed["source_path"].to_list())
    return [raw for raw in scanned if raw.rel in rels]


_STATS = ["source_path", "size_bytes", "mtime_ns"]


def _on_disk(scanned: list[RawFile]) -> pl.DataFrame:
    return pl.DataFrame(  # without the paths: a name that is not UTF-8 keeps its raw bytes there
        [(raw.rel, raw.size, raw.mtime_ns) for raw in scanned],
        schema={"source_path": pl.String, "size_bytes": pl.Int64, "mtime_ns": pl.Int64},
        orient="row",
    )


def plan_extract(scanned: list[RawFile], manifest: pl.DataFrame, hashes: dict[str, Hashed]) -> ExtractPlan:
    """The run's plan, given the hashes of the stale files (see the module's docstring)."""
    on_disk = _on_disk(scanned)
    removed_rels = set(manifest.join(on_disk, on="source_path", how="anti")["source_path"].to_list())
    prior_copies = set(manifest.filter(pl.col("report_id").str.contains("-dup", literal=True))["source_path"])
    shas = _shares_of_bytes(on_disk, manifest, {rel: h.sha256 for rel, h in hashes.items()}, prior_copies)
    roles = _duplicate_roles(shas)
    known = _rows_of(manifest, set(hashes) | removed_rels | set(shas))
    by_rel = {raw.rel: raw for raw in scanned}

    tasks: dict[str, Task] = {}
    for rel in sorted(hashes):  # read anew: what changed in its bytes
        raw, (sha, error), old = by_rel[rel], hashes[rel], known.get(rel)
        if not sha:
            report_id = "unreadable-" + hashlib.sha256(rel.encode()).hexdigest()[:16]
            tasks[rel] = Task(raw, report_id, "", Finding("unreadable_file", f"cannot read {rel}: {error}"))
        elif old is None or old["sha256"] != sha:
            tasks[rel] = _task(raw, sha, roles)
    for rel in sorted(shas):  # the same bytes, but a role that changed with another file
        if rel in tasks:
            continue
        report_id, copy, _ = roles.get(rel, (shas[rel][:16], 0, rel))
        old = known.get(rel)
        if (copy and (old is None or old["report_id"] != report_id)) or (
            not copy and old is not None and "-dup" in old["report_id"]  # was a copy, is now the report
        ):
            tasks[rel] = _task(by_rel[rel], shas[rel], roles)

    removed = [known[rel] for rel in sorted(removed_rels)]
    drop: dict[Partition, set[str]] = defaultdict(set)
    for row in removed + [known[rel] for rel in tasks if rel in known]:
        drop[(row[YEAR_COLUMN], bucket_of(row["report_id"]))].add(row["report_id"])
    touched: dict[Partition, dict[str, dt.datetime | None]] = defaultdict(dict)
    for rel in sorted(set(hashes) - set(tasks)):
        old = known.get(rel)
        if old is not None:
            touched[(old[YEAR_COLUMN], bucket_of(old["report_id"]))][old["report_id"]] = modified_at(by_rel[rel])
    return ExtractPlan([tasks[rel] for rel in sorted(tasks)], removed, dict(drop), dict(touched))


def _task(raw: RawFile, sha: str, roles: dict[str, tuple[str, int, str]]) -> Task:
    """The task for a file with these bytes: a copy, a file too large to be a report, or a parse."""
    report_id, copy, first = roles.get(raw.rel, (sha[:16], 0, raw.rel))
    if copy:
        return Task(raw, report_id, sha, Finding("duplicate_file", f"same bytes as {first}"))
    if (raw.size or 0) > MAX_FILE_BYTES:
        message = f"{(raw.size or 0) / 1e6:.1f} MB, more than the {MAX_FILE_BYTES // 10**6} MB a report can be"
        return Task(raw, report_id, sha, Finding("file_too_large", message))
    return Task(raw, report_id, sha)


def _rows_of(manifest: pl.DataFrame, rels: set[str]) -> dict[str, dict[str, Any]]:
    """The manifest rows of these files, by path."""
    if not rels:
        return {}
    rows = manifest.filter(pl.col("source_path").is_in(list(rels))).iter_rows(named=True)
    return {row["source_path"]: row for row in rows}


def _shares_of_bytes(
    on_disk: pl.DataFrame, manifest: pl.DataFrame, read_shas: dict[str, str], prior_copies: set[str]
) -> dict[str, str]:
    """path -> sha256 of every file whose role may have changed: those sharing their bytes with
    another file now, and those that were copies before. Hashes are this run's where the file
    was read, the manifest's otherwise."""
    read = pl.DataFrame(
        {"source_path": list(read_shas), "read": list(read_shas.values())},
        schema={"source_path": pl.String, "read": pl.String},
    )
    current = (
        on_disk.select("source_path")
        .join(manifest.select("source_path", "sha256"), on="source_path", how="left")
        .join(read, on="source_path", how="left")
        .select("source_path", sha256=pl.coalesce("read", "sha256").fill_null(""))
    )
    shared = (pl.col("sha256") != "") & pl.col("sha256").is_duplicated()
    wanted = current.filter(shared | pl.col("source_path").is_in(list(prior_copies)))
    return dict(wanted.iter_rows())


def _duplicate_roles(shas: dict[str, str]) -> dict[str, tuple[str, int, str]]:
    """path -> (report_id, copy number, first path) for files sharing their bytes with another:
    the first path in sorted order is the report, the others copies (`-dup<n>`)."""
    by_sha: dict[str, list[str]] = defaultdict(list)
    for rel in sorted(shas):
        if shas[rel]:
            by_sha[shas[rel]].append(rel)
    roles = {}
    for sha, paths in by_sha.items():
        for n, rel in enumerate(paths):
            roles[rel] = (f"{sha[:16]}-dup{n}" if n else sha[:16], n, paths[0])
    return roles
