"""Extract a raw folder into the lake, incrementally, on every core.

A manifest in the lake remembers each raw file's size, modification time and content hash. A
run re-reads only files whose size or time changed, re-parses only those whose bytes changed,
drops the rows of removed files, and rewrites only the partitions it touched; an unchanged
folder writes nothing. Files are parsed in chunks, as batches (batch.py), by a pool of
processes when there are many.

Every file under the folder becomes a row of `reports`, whatever happens to it: a file that
cannot be read or parsed is recorded as `rejected` with a finding, and the others go on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

import polars as pl
from tqdm import tqdm

from pipelines.extract.findings import Finding
from pipelines.extract.lake import (
    MANIFEST,
    MANIFEST_SCHEMA,
    PARSER_VERSION,
    SCHEMAS,
    YEAR_COLUMN,
    SourceFile,
    bucket_of,
    lake_frames,
    read_manifest,
    read_partition,
    write_manifest,
    write_partition,
)
from pipelines.extract.read.batch import parse_documents
from pipelines.extract.read.formats.cache import ConversionCache
from pipelines.extract.read.report import Report, document
from pipelines.extract.staging import Staging, file_report_key

# A report is a few hundred KB at most (a scanned PDF a few MB); a bigger file is not one.
MAX_FILE_BYTES = 30 * 10**6
CHUNK = 1000  # files parsed as one batch
POOL_THRESHOLD = 2 * CHUNK  # below this many files to parse, a process pool costs more than it saves
CACHE = "_cache"  # in the lake: conversions of PDFs by content hash (formats/cache.py)


class RawFolderError(Exception):
    """The raw folder itself is unusable (missing, not a folder): nothing to extract."""


class RawFile(NamedTuple):
    """A file the scan found. A tuple of plain values: the scan makes 10^5 of them per run (as
    Path objects and dataclasses they cost more than the stat calls)."""

    rel: str  # relative to the raw folder, with forward slashes
    path: str  # as the scan found it
    size: int | None  # None when the file cannot be stat'ed (a dangling link)
    mtime_ns: int | None


@dataclass
class ExtractSummary:
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


def _check_folder(raw_dir: Path) -> None:
    if not raw_dir.exists():
        raise RawFolderError(f"raw folder not found: {raw_dir}")
    if not raw_dir.is_dir():
        raise RawFolderError(f"raw folder is not a folder: {raw_dir}")


def scan_raw(raw_dir: Path) -> list[RawFile]:
    """Every file under `raw_dir` with its size and time, hidden ones included (nothing is
    dropped silently), sorted by path; links to folders are not followed, so a link loop cannot
    trap the walk. One `scandir` per folder: this runs on the whole corpus every time."""
    _check_folder(raw_dir)
    found: list[RawFile] = []
    folders = [(str(raw_dir), "")]
    while folders:
        folder, prefix = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + _printable_name(entry.name)
                if entry.is_dir():  # a link to a folder is not followed (nor is it a file)
                    if not entry.is_symlink():
                        folders.append((entry.path, rel + "/"))
                    continue
                try:
                    stat = entry.stat()  # follows a link to a file; a dangling link fails
                    size, mtime = stat.st_size, stat.st_mtime_ns
                except OSError:
                    size = mtime = None
                found.append(RawFile(rel, entry.path, size, mtime))
    return sorted(found)  # by path: rel comes first and is unique


def _printable_name(name: str) -> str:
    """A file name as text: one that is not UTF-8 (a zip made on a Chinese Windows unpacks its
    names in GBK) is read as GB18030 where that decodes, else with its odd bytes replaced; the
    file itself is still opened by its own name."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


def raw_files(raw_dir: Path) -> list[Path]:
    """Every file under `raw_dir`, sorted (see `scan_raw`)."""
    return [Path(raw.path) for raw in scan_raw(raw_dir)]


def raw_fingerprint(raw_dir: Path) -> str:
    """A hash of the folder's file list with sizes and modification times: it changes when a
    file is added, removed, replaced or edited, without reading any file's bytes."""
    digest = hashlib.sha256()
    for raw in scan_raw(raw_dir):
        digest.update(f"{raw.rel}\0{raw.size}:{raw.mtime_ns}\n".encode())
    return digest.hexdigest()


def _modified(raw: RawFile) -> dt.datetime | None:
    if raw.mtime_ns is None:
        return None
    return dt.datetime.fromtimestamp(raw.mtime_ns // 10**9, dt.UTC)


def _source(raw: RawFile, report_id: str, sha: str, size: int) -> SourceFile:
    return SourceFile(report_id, raw.rel, sha, size, _modified(raw), raw.mtime_ns)


def _hash_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class ChunkResult:
    shas: dict[str, str]  # path -> sha256 ("" when unreadable)
    frames: dict[str, pl.DataFrame] | None  # the lake rows of the files read anew
    parsed: int = 0


def read_chunk(tasks: list[tuple[RawFile, str | None]], cache_dir: Path | None = None) -> ChunkResult:
    """Hash a chunk of files and parse, as one batch, those whose bytes are not `known_sha`
    (PDFs read in an earlier run come from the conversion cache in `cache_dir`)."""
    cache = ConversionCache(cache_dir)
    shas: dict[str, str] = {}
    documents, sources, rejected = [], [], []
    for raw, known_sha in tasks:
        try:
            if raw.size is None:
                raise FileNotFoundError(2, "No such file or directory (a dangling link?)")
            if raw.size > MAX_FILE_BYTES:
                sha = shas[raw.rel] = _hash_file(raw.path)
                if sha != known_sha:
                    message = f"{raw.size / 1e6:.1f} MB, more than the {MAX_FILE_BYTES // 10**6} MB a report can be"
                    report = Report(raw.rel, findings=[Finding("file_too_large", message)])
                    rejected.append((_source(raw, sha[:16], sha, raw.size), report))
                continue
            data = Path(raw.path).read_bytes()
        except OSError as exc:
            shas[raw.rel] = ""
            report_id = "unreadable-" + hashlib.sha256(raw.rel.encode()).hexdigest()[:16]
            finding = Finding("unreadable_file", f"cannot read {raw.rel}: {exc.strerror or type(exc).__name__}")
            rejected.append((_source(raw, report_id, "", raw.size or 0), Report(raw.rel, findings=[finding])))
            continue
        sha = shas[raw.rel] = hashlib.sha256(data).hexdigest()
        if sha == known_sha:
            continue  # same bytes: nothing to parse
        parsed = document(data, raw.rel, sha, cache)
        if isinstance(parsed, Report):
            rejected.append((_source(raw, sha[:16], sha, len(data)), parsed))
        else:
            documents.append(parsed)
            sources.append(_source(raw, sha[:16], sha, len(data)))
    if not documents and not rejected:
        return ChunkResult(shas, None)
    batch = parse_documents(documents) if documents else None
    return ChunkResult(shas, lake_frames(batch, sources, rejected), len(documents))


def _run_chunks(
    tasks: list[tuple[RawFile, str | None]],
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


def extract(
    raw_dir: Path,
    lake_dir: Path,
    progress: bool | None = None,
    workers: int | None = None,
    full: bool = False,
) -> ExtractSummary:
    """Bring the lake up to date with `raw_dir` (everything again with `full=True`)."""
    clock = time.perf_counter()
    scanned = scan_raw(raw_dir)
    manifest = read_manifest(lake_dir)
    if full or manifest.is_empty() or (manifest["parser_version"] != PARSER_VERSION).any():
        _clear_lake(lake_dir)
        manifest = pl.DataFrame(schema=MANIFEST_SCHEMA)
    by_rel = {raw.rel: raw for raw in scanned}
    on_disk, changed_rels, removed_rels, prior_copies = _compare(scanned, manifest)
    known = _rows_of(manifest, changed_rels | removed_rels | prior_copies)
    seconds = {"scan": time.perf_counter() - clock}

    # 1. read what changed on disk; parse what changed in its bytes; set the rows aside
    clock = time.perf_counter()
    changed = [raw for raw in scanned if raw.rel in changed_rels]
    tasks = [(raw, known[raw.rel]["sha256"] if raw.rel in known else None) for raw in changed]
    staging = Staging(lake_dir)
    read_shas: dict[str, str] = {}
    parsed = 0

    def consume(result: ChunkResult) -> None:
        nonlocal parsed
        read_shas.update(result.shas)
        parsed += result.parsed
        staging.add(result.frames)

    try:
        _run_chunks(tasks, workers or os.cpu_count() or 1, progress, consume, lake_dir / CACHE)
        seconds["parse"] = time.perf_counter() - clock

        # 2. with every hash known, decide who is a report and who a copy
        clock = time.perf_counter()
        shas = _shares_of_bytes(on_disk, manifest, read_shas, prior_copies)
        known |= _rows_of(manifest, set(shas) - set(known))
        roles = _duplicate_roles(shas)
        staged = staging.all_reports()
        read_anew = set(staged["source_path"].to_list()) if staged is not None else set()
        copies, reparse = [], []
        for rel in sorted(shas):
            raw = by_rel[rel]
            report_id, copy, first = roles.get(raw.rel, (None, 0, raw.rel))
            old = known.get(raw.rel)
            if copy and (raw.rel in read_anew or old is None or old["report_id"] != report_id):
                finding = Finding("duplicate_file", f"same bytes as {first}")
                report = Report(raw.rel, findings=[finding])
                copies.append((_source(raw, report_id, shas[raw.rel], raw.size or 0), report))
            elif not copy and raw.rel not in read_anew and old is not None and "-dup" in old["report_id"]:
                reparse.append((raw, None))  # was a copy, is now the report (the earlier file went)
        # a copy's parse (under the first file's id) gives way to its copy row
        excluded = [f"{src.source_path}\0{src.sha256[:16]}" for src, _ in copies]
        staging.reports = [r.filter(~file_report_key().is_in(excluded)) for r in staging.reports]
        staging.add(lake_frames(None, [], copies) if copies else None)
        if reparse:
            again = read_chunk(reparse, lake_dir / CACHE)
            parsed += again.parsed
            staging.add(again.frames)
        new_reports = staging.all_reports()

        # 3. what to drop, what to add, what only moved in time
        replaced = set(new_reports["source_path"].to_list()) if new_reports is not None else set()
        removed = [known[rel] for rel in sorted(removed_rels)]
        drop: dict[tuple[int | None, int], set[str]] = defaultdict(set)
        for row in removed + [known[rel] for rel in replaced if rel in known]:
            drop[(row[YEAR_COLUMN], bucket_of(row["report_id"]))].add(row["report_id"])
        touched: dict[tuple[int | None, int], dict[str, dt.datetime | None]] = defaultdict(dict)
        for rel in sorted(changed_rels - replaced):  # same bytes, new time: only the time is updated
            row = known.get(rel)
            if row is not None:
                touched[(row[YEAR_COLUMN], bucket_of(row["report_id"]))][row["report_id"]] = _modified(by_rel[rel])

        # 4. rewrite the partitions touched, then the manifest (an unchanged folder writes nothing)
        written = _apply(lake_dir, staging, excluded, drop, touched)
    finally:
        staging.close()
    new_manifest = _manifest(manifest, new_reports, by_rel, shas | read_shas, removed, touched)
    if written or not (lake_dir / MANIFEST).exists() or not new_manifest.equals(manifest.sort("source_path")):
        write_manifest(new_manifest, lake_dir)
    seconds["write"] = time.perf_counter() - clock
    reused = len(scanned) - len(replaced)
    return _summary(new_manifest, parsed, reused, len(removed), written, seconds)


def _compare(scanned: list[RawFile], manifest: pl.DataFrame) -> tuple[pl.DataFrame, set[str], set[str], set[str]]:
    """The folder against the manifest, as joins rather than a Python pass over 10^5 rows:
    (the files on disk as a frame, those new or changed in size or time, those gone, those that
    were copies of another file). Only these are ever looked at one by one."""
    on_disk = pl.DataFrame(  # without the paths: a name that is not UTF-8 keeps its raw bytes there
        [(raw.rel, raw.size, raw.mtime_ns) for raw in scanned],
        schema={"source_path": pl.String, "size_bytes": pl.Int64, "mtime_ns": pl.Int64},
        orient="row",
    )
    stat_columns = ["source_path", "size_bytes", "mtime_ns"]
    changed = on_disk.join(manifest.select(stat_columns), on=stat_columns, how="anti", nulls_equal=True)
    removed = manifest.join(on_disk, on="source_path", how="anti")
    copies = manifest.filter(pl.col("report_id").str.contains("-dup", literal=True))
    return on_disk, *(set(frame["source_path"].to_list()) for frame in (changed, removed, copies))


def _rows_of(manifest: pl.DataFrame, rels: set[str]) -> dict[str, dict]:
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


def _apply(
    lake_dir: Path,
    staging: Staging,
    excluded: list[str],
    drop: dict[tuple[int | None, int], set[str]],
    touched: dict[tuple[int | None, int], dict[str, dt.datetime | None]],
) -> list[Path]:
    """Rewrite every partition that loses, gains or updates rows. Partitions are independent
    and polars releases the GIL while it reads, merges and writes, so they go on threads."""
    staging.seal()
    partitions = set(drop) | set(touched) | staging.partitions()
    if not (lake_dir / "reports").exists():
        partitions.add((None, 0))  # the no-year partition always exists, so readers always find files
    ordered = sorted(partitions, key=lambda p: (p[0] is None, p[0] or 0, p[1]))

    def rewrite(partition: tuple[int | None, int]) -> list[Path]:
        year, bucket = partition
        adding = staging.read("reports", year, bucket, excluded)
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
            fresh = adding if table == "reports" else staging.read(table, year, bucket, excluded)
            path = write_partition(kept, fresh, lake_dir, table, year, bucket)
            if path is not None:
                written.append(path)
        return written

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return [path for paths in pool.map(rewrite, ordered) for path in paths]


def _manifest(
    manifest: pl.DataFrame,
    new_reports: pl.DataFrame | None,
    by_rel: dict[str, RawFile],
    shas: dict[str, str],
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
            sha256=pl.col("source_path").replace_strict({r: shas[r] for r in replaced}, default=None),
        )
        parts.append(rows.select(list(MANIFEST_SCHEMA)))
    return pl.concat(parts, how="vertical_relaxed").cast(MANIFEST_SCHEMA).sort("source_path")


def _clear_lake(lake_dir: Path) -> None:
    """Forget a lake written by another parser version (or an older layout)."""
    for table in SCHEMAS:
        shutil.rmtree(lake_dir / table, ignore_errors=True)
        (lake_dir / f"{table}.parquet").unlink(missing_ok=True)
    (lake_dir / MANIFEST).unlink(missing_ok=True)


def _summary(
    manifest: pl.DataFrame, parsed: int, reused: int, removed: int, written: list[Path], seconds: dict[str, float]
) -> ExtractSummary:
    statuses = Counter(manifest["status"].to_list())
    totals = {name: int(manifest[name].sum() or 0) for name in ("n_cells", "n_findings", "n_sections", "n_facts")}
    return ExtractSummary(
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
