"""Extract a whole raw folder into the lake, in one process, one batch.

Every file under the folder becomes a row of `reports`, whatever happens to it: a file that
cannot be read or parsed is recorded as `rejected` with a finding, and the others go on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from pipelines.extract.findings import Finding
from pipelines.extract.lake import SourceFile, build_tables, write_lake
from pipelines.extract.report import Report, parse_bytes

# A report is a few hundred KB at most (a scanned PDF a few MB); a bigger file is not one.
MAX_FILE_BYTES = 30 * 10**6


class RawFolderError(Exception):
    """The raw folder itself is unusable (missing, not a folder): nothing to extract."""


@dataclass(frozen=True)
class ExtractSummary:
    files: int
    by_status: dict[str, int]
    cells: int
    findings: int
    lake_files: dict[str, Path]
    rows: dict[str, int]  # rows written per lake table


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


def raw_fingerprint(raw_dir: Path) -> str:
    """A hash of the folder's file list with sizes and modification times: it changes when a
    file is added, removed, replaced or edited, without reading any file's bytes."""
    digest = hashlib.sha256()
    for path in raw_files(raw_dir):
        try:
            stat = path.stat()
            facts = f"{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            facts = "unreadable"
        digest.update(f"{path.relative_to(raw_dir).as_posix()}\0{facts}\n".encode())
    return digest.hexdigest()


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def parse_file(path: Path, raw_dir: Path, seen: dict[str, tuple[str, int]]) -> tuple[SourceFile, Report]:
    """Read and parse one file.

    `seen` maps a content hash to the first path with those bytes and how many copies followed;
    a copy is recorded (rejected, `duplicate_file`) under `<id>-dup<n>` so ids stay unique.
    """
    rel = path.relative_to(raw_dir).as_posix()
    try:
        stat = path.stat()
        modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).replace(microsecond=0)
        if stat.st_size > MAX_FILE_BYTES:
            digest = _hash_file(path)
            message = f"{stat.st_size / 1e6:.1f} MB, more than the {MAX_FILE_BYTES // 10**6} MB a report can be"
            src = SourceFile(digest[:16], rel, digest, stat.st_size, modified)
            return src, Report(source=rel, findings=[Finding("file_too_large", message)])
        data = path.read_bytes()
    except OSError as exc:
        src = SourceFile("unreadable-" + hashlib.sha256(rel.encode()).hexdigest()[:16], rel, "", 0)
        reason = exc.strerror or type(exc).__name__
        return src, Report(source=rel, findings=[Finding("unreadable_file", f"cannot read {rel}: {reason}")])
    digest = hashlib.sha256(data).hexdigest()
    if digest in seen:
        first, copies = seen[digest]
        seen[digest] = (first, copies + 1)
        src = SourceFile(f"{digest[:16]}-dup{copies + 1}", rel, digest, len(data), modified)
        return src, Report(source=rel, findings=[Finding("duplicate_file", f"same bytes as {first}")])
    seen[digest] = (rel, 0)
    return SourceFile(digest[:16], rel, digest, len(data), modified), parse_bytes(data, rel)


def extract(raw_dir: Path, lake_dir: Path, progress: bool | None = None) -> ExtractSummary:
    """Parse every file under `raw_dir` and write the four lake tables to `lake_dir`."""
    files = raw_files(raw_dir)
    seen: dict[str, tuple[str, int]] = {}
    parsed = [
        parse_file(path, raw_dir, seen)
        for path in tqdm(files, desc="parse", unit="file", disable=None if progress is None else not progress)
    ]
    tables = build_tables(parsed)
    written = write_lake(tables, lake_dir)
    statuses = Counter(rep.status for _, rep in parsed)
    return ExtractSummary(
        files=len(files),
        by_status=dict(sorted(statuses.items())),
        cells=tables["report_cells"].height,
        findings=tables["report_findings"].height,
        lake_files=written,
        rows={name: frame.height for name, frame in tables.items()},
    )
