"""The raw folder as it is now: every file with its size and time, their fingerprint, and the
content hashes of the files that changed.

Every file under the folder is listed, hidden ones included (nothing is dropped silently); a
file is hashed only when its size or time differs from what the manifest remembers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple


class RawFolderError(Exception):
    """The raw folder itself is unusable (missing, not a folder): nothing to extract."""


class RawFile(NamedTuple):
    """A file the scan found. A tuple of plain values: the scan makes 10^5 of them per run (as
    Path objects and dataclasses they cost more than the stat calls)."""

    rel: str  # relative to the raw folder, with forward slashes
    path: str  # as the scan found it
    size: int | None  # None when the file cannot be stat'ed (a dangling link)
    mtime_ns: int | None


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
                size: int | None
                mtime: int | None
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


def modified_at(raw: RawFile) -> dt.datetime | None:
    """The file's modification time to the second, in UTC (orders revised editions)."""
    if raw.mtime_ns is None:
        return None
    return dt.datetime.fromtimestamp(raw.mtime_ns // 10**9, dt.UTC)


def hash_file(path: str) -> str:
    """The file's sha256, read in blocks (a file over the size limit is hashed, never loaded)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Hashed(NamedTuple):
    sha256: str  # "" when the file cannot be read
    error: str | None = None  # why it cannot be read


def hash_files(files: list[RawFile]) -> dict[str, Hashed]:
    """Each file's content hash, by path. On threads: reading and hashing release the GIL, so
    a cold run's hashing pass costs a fraction of its parse."""

    def one(raw: RawFile) -> Hashed:
        if raw.size is None:
            return Hashed("", "No such file or directory (a dangling link?)")
        try:
            return Hashed(hash_file(raw.path))
        except OSError as exc:
            return Hashed("", exc.strerror or type(exc).__name__)

    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 1) * 2)) as pool:
        return dict(zip((raw.rel for raw in files), pool.map(one, files), strict=True))
