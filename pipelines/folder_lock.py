"""One writer at a time per data folder: an advisory lock that extract, build and publish take.

The data folder is the folder holding the lake (`data/` by default, the parent of
DISCLOSURE_LAKE_DIR): every writer writes the lake, or reads it to write what sits beside it (the
warehouse, `.build/`, the site). The lock is `flock` on `<data folder>/.disclosure.lock`, so the
kernel releases it when its holder dies, however it dies (`kill -9`, the OOM killer): a stale lock
never blocks. The file also says who holds it (pid, host, command, since) so a waiter can say
whom it waits for; that text is advice only, the flock is the lock. flock is reliable on local
file systems; on NFS it depends on the server.

The lock belongs to the process: a nested `hold` in the same process (a build that extracts,
then publishes; `disclosure build` and the Dagster run it executes in-process) only counts, and
threads of one process share it. Its file descriptor is not inherited by programs the holder
starts (dbt), so an orphaned child does not keep it; a forked, not exec'd, child does.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

LOCK_NAME = ".disclosure.lock"


class FolderBusy(Exception):
    """The data folder is held by another process and the caller chose not to wait."""


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str
    command: str
    since: float  # epoch seconds

    def describe(self) -> str:
        when = datetime.fromtimestamp(self.since)
        since = when.strftime("%H:%M:%S" if when.date() == datetime.now().date() else "%Y-%m-%d %H:%M:%S")
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"held by pid {self.pid}{where} ({self.command}, since {since})"


@dataclass
class _Held:
    fd: int
    count: int


_held: dict[Path, _Held] = {}  # the locks this process holds, by lock file
_registry = threading.Lock()  # guards _held and the counts
_gates: dict[Path, threading.Lock] = {}  # per lock file: one thread of this process takes it at a time


def data_folder(lake: os.PathLike[str] | str) -> Path:
    """The folder a lake belongs to, whose lock its writers take."""
    return Path(lake).expanduser().resolve().parent


def lock_path(folder: os.PathLike[str] | str) -> Path:
    return Path(folder).expanduser().resolve() / LOCK_NAME


def shown(folder: os.PathLike[str] | str) -> str:
    """The folder as a user typed it: relative to the working directory when inside it."""
    path = Path(folder).expanduser().resolve()
    try:
        return f"{path.relative_to(Path.cwd())}/"
    except ValueError:
        return f"{path}/"


def current_holder(folder: os.PathLike[str] | str) -> Holder | None:
    """Who the lock file says holds the folder (None when free or not yet written)."""
    try:
        text = lock_path(folder).read_text(encoding="utf-8").strip()
        if not text:
            return None
        fields = json.loads(text)
        return Holder(int(fields["pid"]), str(fields["host"]), str(fields["command"]), float(fields["since"]))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _busy_message(fd: int, folder: Path) -> str | None:
    """Who holds the folder, or None if it came free while asking."""
    # The holder writes its line just after taking the lock: give it a moment before saying "unknown".
    for _ in range(20):
        holder = current_holder(folder)
        if holder is not None:
            return f"{shown(folder)}: {holder.describe()}"
        time.sleep(0.05)
        if _try_lock(fd):
            return None
    return f"{shown(folder)}: held by another process"


def _announce_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _join(path: Path) -> _Held | None:
    """Count one more hold if this process already holds the lock."""
    with _registry:
        held = _held.get(path)
        if held is not None:
            held.count += 1
        return held


def _take(path: Path, *, wait: bool, what: str, announce: Callable[[str], None]) -> _Held:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        message = None if _try_lock(fd) else _busy_message(fd, path.parent)
        if message is not None:
            if not wait:
                raise FolderBusy(message)
            announce(f"waiting for {message}")
            fcntl.flock(fd, fcntl.LOCK_EX)  # the kernel wakes us when the holder releases or dies
        holder = {"pid": os.getpid(), "host": socket.gethostname(), "command": what, "since": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(holder) + "\n").encode(), 0)
    except BaseException:
        os.close(fd)  # closing releases the flock if it was taken
        raise
    held = _Held(fd, 1)
    with _registry:
        _held[path] = held
    return held


@contextmanager
def hold(
    folder: os.PathLike[str] | str,
    *,
    wait: bool = True,
    what: str = "disclosure build",
    announce: Callable[[str], None] | None = None,
) -> Iterator[Path]:
    """Hold the data folder's lock for the block; wait for it (saying so once, to stderr unless
    `announce` says where) or raise FolderBusy."""
    path = lock_path(folder)
    held = _join(path)
    if held is None:
        with _gates.setdefault(path, threading.Lock()):  # one thread of this process waits in flock
            held = _join(path) or _take(path, wait=wait, what=what, announce=announce or _announce_to_stderr)
    try:
        yield path.parent
    finally:
        with _registry:
            held.count -= 1
            if held.count == 0:
                del _held[path]
                os.ftruncate(held.fd, 0)  # before unlocking, so the next holder's line is not cut
                os.close(held.fd)
