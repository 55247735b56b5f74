"""Extract a raw folder into the lake, incrementally, on every core.

A manifest in the lake remembers each raw file's size, modification time and content hash. A
run re-reads only files whose size or time changed, re-parses only those whose bytes changed,
drops the rows of removed files, and rewrites only the year partitions it touched; an unchanged
folder writes nothing. Large batches are parsed by a pool of processes (one per core).

Every file under the folder becomes a row of `reports`, whatever happens to it: a file that
cannot be read or parsed is recorded as `rejected` with a finding, and the others go on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from tqdm import tqdm

from pipelines.extract.findings import Finding
from pipelines.extract.lake import (
    MANIFEST,
    MANIFEST_SCHEMA,
    PARSER_VERSION,
    SCHEMAS,
    YEAR_COLUMN,
    ReportRows,
    SourceFile,
    build_frames,
    read_manifest,
    read_partition,
    report_rows,
    write_manifest,
    write_partition,
)
from pipelines.extract.report import Report, parse_bytes

# A report is a few hundred KB at most (a scanned PDF a few MB); a bigger file is not one.
MAX_FILE_BYTES = 30 * 10**6
# Below this many files to parse, a process pool costs more than it saves.
POOL_THRESHOLD = 1500


class RawFolderError(Exception):
    """The raw folder itself is unusable (missing, not a folder): nothing to extract."""


@dataclass(frozen=True)
class RawFile:
    path: Path
    rel: str  # relative to the raw folder, with forward slashes
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


def raw_files(raw_dir: Path) -> list[Path]:
    """Every file under `raw_dir`, hidden ones included (nothing is dropped silently), sorted;
    links to directories are not followed, so a link loop cannot trap the walk."""
    if not raw_dir.exists():
        raise RawFolderError(f"raw folder not found: {raw_dir}")
    if not raw_dir.is_dir():
        raise RawFolderError(f"raw folder is not a folder: {raw_dir}")
    found: list[Path] = []
    for folder, dirs, files in os.walk(raw_dir, followlinks=False):
        dirs.sort()
        found += [Path(folder) / f for f in files]
    return sorted(found, key=lambda p: p.relative_to(raw_dir).as_posix())


def scan_raw(raw_dir: Path) -> list[RawFile]:
    scanned = []
    for path in raw_files(raw_dir):
        try:
            stat = path.stat()
            size, mtime = stat.st_size, stat.st_mtime_ns
        except OSError:
            size = mtime = None
        scanned.append(RawFile(path, path.relative_to(raw_dir).as_posix(), size, mtime))
    return scanned


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


def _rejected(raw: RawFile, report_id: str, sha: str, finding: Finding) -> ReportRows:
    src = SourceFile(report_id, raw.rel, sha, raw.size or 0, _modified(raw), raw.mtime_ns)
    return report_rows(src, Report(source=raw.rel, findings=[finding]))


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_and_parse(raw: RawFile, known_sha: str | None = None) -> tuple[str, ReportRows | None, bool]:
    """Hash one file and, unless its hash is `known_sha` (bytes unchanged), parse it.

    Returns the sha256 ("" when unreadable), the report's rows under the id its bytes give
    (None when unchanged), and whether the parser ran.
    """
    try:
        if raw.size is None:
            raise FileNotFoundError(2, "No such file or directory (a dangling link?)")
        if raw.size > MAX_FILE_BYTES:
            sha = _hash_file(raw.path)
            if sha == known_sha:
                return sha, None, False
            message = f"{raw.size / 1e6:.1f} MB, more than the {MAX_FILE_BYTES // 10**6} MB a report can be"
            return sha, _rejected(raw, sha[:16], sha, Finding("file_too_large", message)), False
        data = raw.path.read_bytes()
    except OSError as exc:
        report_id = "unreadable-" + hashlib.sha256(raw.rel.encode()).hexdigest()[:16]
        reason = exc.strerror or type(exc).__name__
        finding = Finding("unreadable_file", f"cannot read {raw.rel}: {reason}")
        return "", _rejected(raw, report_id, "", finding), False
    sha = hashlib.sha256(data).hexdigest()
    if sha == known_sha:
        return sha, None, False
    src = SourceFile(sha[:16], raw.rel, sha, len(data), _modified(raw), raw.mtime_ns)
    return sha, report_rows(src, parse_bytes(data, raw.rel)), True


def _read_and_parse_task(task: tuple[RawFile, str | None]) -> tuple[str, ReportRows | None, bool]:
    return read_and_parse(*task)


def _run_tasks(
    tasks: list[tuple[RawFile, str | None]], workers: int, progress: bool | None
) -> list[tuple[str, ReportRows | None, bool]]:
    bar = {"desc": "parse", "unit": "file", "total": len(tasks), "disable": None if progress is None else not progress}
    if workers <= 1 or len(tasks) < POOL_THRESHOLD:
        return [read_and_parse(*task) for task in tqdm(tasks, **bar)]
    # spawn, not fork: the caller may be a threaded process (Dagster, a notebook)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(tqdm(pool.map(_read_and_parse_task, tasks, chunksize=256), **bar))


@dataclass
class _Plan:
    """What a run changes: rows to drop and rows to add, per year partition."""

    drop: dict[int | None, set[str]] = field(default_factory=lambda: defaultdict(set))
    add: dict[int | None, list[ReportRows]] = field(default_factory=lambda: defaultdict(list))
    touched: dict[int | None, dict[str, dt.datetime | None]] = field(default_factory=lambda: defaultdict(dict))

    def years(self) -> set[int | None]:
        return set(self.drop) | set(self.add) | set(self.touched)


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
    known = {row["source_path"]: row for row in manifest.iter_rows(named=True)}
    seconds = {"scan": time.perf_counter() - clock}

    # 1. read what changed on disk; parse what changed in its bytes
    clock = time.perf_counter()
    changed = [raw for raw in scanned if raw.rel not in known or _stat(known[raw.rel]) != (raw.size, raw.mtime_ns)]
    tasks = [(raw, known[raw.rel]["sha256"] if raw.rel in known else None) for raw in changed]
    results = dict(
        zip([raw.rel for raw in changed], _run_tasks(tasks, workers or os.cpu_count() or 1, progress), strict=True)
    )
    seconds["parse"] = time.perf_counter() - clock

    # 2. with every hash known, decide who is a report and who a copy, and what to rewrite
    clock = time.perf_counter()
    shas = {raw.rel: results[raw.rel][0] if raw.rel in results else known[raw.rel]["sha256"] for raw in scanned}
    roles = _duplicate_roles(shas)
    plan, entries, reparse = _Plan(), [], []
    parsed = sum(1 for _, _, ran in results.values() if ran)
    reused = 0
    for raw in scanned:
        old = known.get(raw.rel)
        report_id, copy, first = roles.get(raw.rel, (None, 0, raw.rel))
        rows = results[raw.rel][1] if raw.rel in results else None
        if copy and (rows is not None or old is None or old["report_id"] != report_id):
            finding = Finding("duplicate_file", f"same bytes as {first}")
            rows = _rejected(raw, report_id, shas[raw.rel], finding)
        elif not copy and rows is None and old is not None and "-dup" in old["report_id"]:
            reparse.append(raw)  # was a copy, is now the report (the earlier file went)
            plan.drop[old[YEAR_COLUMN]].add(old["report_id"])
            continue
        if rows is not None:
            if old is not None:
                plan.drop[old[YEAR_COLUMN]].add(old["report_id"])
            plan.add[rows.year].append(rows)
            entries.append(_manifest_row(raw, shas[raw.rel], rows))
            continue
        reused += 1
        entry = dict(old)
        if _stat(old) != (raw.size, raw.mtime_ns):  # touched, same bytes: only its file time moves
            plan.touched[old[YEAR_COLUMN]][old["report_id"]] = _modified(raw)
            entry |= {"size_bytes": raw.size, "mtime_ns": raw.mtime_ns}
        entries.append(entry)
    for raw, (sha, rows, ran) in zip(reparse, _run_tasks([(raw, None) for raw in reparse], 1, False), strict=True):
        parsed += ran
        plan.add[rows.year].append(rows)
        entries.append(_manifest_row(raw, sha, rows))
    current = {raw.rel for raw in scanned}
    removed = [row for rel, row in known.items() if rel not in current]
    for row in removed:
        plan.drop[row[YEAR_COLUMN]].add(row["report_id"])

    # 3. rewrite the year partitions touched, then the manifest (an unchanged folder writes nothing)
    written = _apply(plan, lake_dir)
    new_manifest = pl.DataFrame(entries, schema=MANIFEST_SCHEMA, orient="row").sort("source_path")
    if written or not (lake_dir / MANIFEST).exists() or not new_manifest.equals(manifest.sort("source_path")):
        write_manifest(new_manifest, lake_dir)
    seconds["write"] = time.perf_counter() - clock
    return _summary(new_manifest, parsed, reused, len(removed), written, seconds)


def _stat(entry: dict[str, object]) -> tuple[object, object]:
    return entry["size_bytes"], entry["mtime_ns"]


def _manifest_row(raw: RawFile, sha: str, rows: ReportRows) -> dict[str, object]:
    return {
        "source_path": raw.rel,
        "size_bytes": raw.size,
        "mtime_ns": raw.mtime_ns,
        "sha256": sha,
        "report_id": rows.report["report_id"],
        YEAR_COLUMN: rows.year,
        "parser_version": PARSER_VERSION,
        "status": rows.report["status"],
        "n_cells": rows.report["n_cells"],
        "n_findings": rows.report["n_findings"],
        "n_sections": len(rows.sections),
    }


def _apply(plan: _Plan, lake_dir: Path) -> list[Path]:
    written: list[Path] = []
    years = plan.years()
    if not (lake_dir / "reports").exists():
        years.add(None)  # the no-year partition always exists, so readers always find files
    for year in sorted(years, key=lambda y: (y is None, y or 0)):
        new = build_frames(plan.add.get(year, []))
        for table in SCHEMAS:
            old = read_partition(lake_dir, table, year)
            dropped = plan.drop.get(year, set()) | {r.report["report_id"] for r in plan.add.get(year, [])}
            if dropped:
                old = old.filter(~pl.col("report_id").is_in(list(dropped)))
            if table == "reports" and plan.touched.get(year):
                times = pl.DataFrame(
                    {"report_id": list(plan.touched[year]), "touched": list(plan.touched[year].values())},
                    schema={"report_id": pl.String, "touched": pl.Datetime("us", "UTC")},
                )
                old = (
                    old.join(times, on="report_id", how="left")
                    .with_columns(pl.coalesce("touched", "file_modified_at").alias("file_modified_at"))
                    .drop("touched")
                )
            frame = pl.concat([old.select(list(SCHEMAS[table])), new[table].select(list(SCHEMAS[table]))])
            path = write_partition(frame, lake_dir, table, year)
            if path is not None:
                written.append(path)
    return written


def _clear_lake(lake_dir: Path) -> None:
    """Forget a lake written by another parser version (or an older flat layout)."""
    import shutil

    for table in SCHEMAS:
        shutil.rmtree(lake_dir / table, ignore_errors=True)
        (lake_dir / f"{table}.parquet").unlink(missing_ok=True)
    (lake_dir / MANIFEST).unlink(missing_ok=True)


def _summary(
    manifest: pl.DataFrame, parsed: int, reused: int, removed: int, written: list[Path], seconds: dict[str, float]
) -> ExtractSummary:
    statuses = Counter(manifest["status"].to_list())
    return ExtractSummary(
        files=manifest.height,
        parsed=parsed,
        reused=reused,
        removed=removed,
        by_status=dict(sorted(statuses.items())),
        cells=int(manifest["n_cells"].sum() or 0),
        findings=int(manifest["n_findings"].sum() or 0),
        rows={
            "reports": manifest.height,
            "report_cells": int(manifest["n_cells"].sum() or 0),
            "report_findings": int(manifest["n_findings"].sum() or 0),
            "report_sections": int(manifest["n_sections"].sum() or 0),
        },
        written=written,
        seconds=seconds,
    )
