"""Runs whose process is gone are marked failed, so they stop holding the disclosure/duckdb slot.

A run killed with its process (`kill -9`, the OOM killer, a power cut) stays STARTED in Dagster's
run storage: nothing is left to report its end. It keeps the `disclosure/duckdb` slot
(dagster.yaml), so every queued run after it would wait for ever. Dagster's run monitoring
cannot tell: the DefaultRunLauncher does not check its workers' health (only the K8s, ECS and
Docker launchers do), and a `disclosure build` run is not launched by a launcher at all.

So every run is tagged with its process (pid, host, the process's start time, the boot) when
it starts, and `mark_dead_runs` fails the in-progress runs whose process is no longer there. A
pid alive but started at another time is another process (pids are reused); another boot means
every process of the run's is gone. Runs of another host are left alone: this host cannot see
its processes. The sweep runs at the start of each `disclosure build` and of each evaluation of
the sensor and the schedule, so the daemon's queue drains after any crash.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import dagster as dg

PID_TAG = "disclosure/pid"
HOST_TAG = "disclosure/host"
PROCESS_START_TAG = "disclosure/process_start"  # /proc/<pid>/stat starttime, clock ticks since boot
BOOT_TAG = "disclosure/boot_id"

# In progress, so holding a slot (STARTING, STARTED, CANCELING), or created by a process that died
# before it could start the run (NOT_STARTED: execute_in_process creates the run, then starts it).
WATCHED_STATUSES = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
    dg.DagsterRunStatus.NOT_STARTED,
]

log = logging.getLogger(__name__)


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
    except OSError:
        return ""


def process_start(pid: int) -> str | None:
    """When a process started (clock ticks since boot), None if there is no such process.

    Where /proc is missing, "" for any live process: pid reuse is then not detected.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return ""
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces and parentheses
    if fields[0] == "Z":  # a zombie has finished; only its exit status is left
        return None
    return fields[19]  # field 22 of stat(5), counted from field 3 (state)


def process_tags(pid: int | None = None) -> dict[str, str]:
    """The tags naming the process that runs a run (this one by default)."""
    pid = os.getpid() if pid is None else pid
    return {
        PID_TAG: str(pid),
        HOST_TAG: socket.gethostname(),
        PROCESS_START_TAG: process_start(pid) or "",
        BOOT_TAG: _boot_id(),
    }


def tag_run_process(instance: dg.DagsterInstance, run: dg.DagsterRun) -> None:
    """Record on the run which process runs it (the daemon's run workers tag themselves here)."""
    tags = process_tags()
    if any(run.tags.get(key) != value for key, value in tags.items()):
        instance.add_run_tags(run.run_id, tags)


def process_gone(tags: Mapping[str, str]) -> bool:
    """Whether the process a run was tagged with has ended (False when it cannot be told)."""
    pid, host = tags.get(PID_TAG), tags.get(HOST_TAG)
    if not pid or not pid.isdigit() or host != socket.gethostname():
        return False
    booted = tags.get(BOOT_TAG)
    if booted and _boot_id() and booted != _boot_id():
        return True
    started = process_start(int(pid))
    if started is None:
        return True
    recorded = tags.get(PROCESS_START_TAG)
    return bool(recorded and started and recorded != started)


def mark_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail every watched run whose process is gone; the ids of the runs marked."""
    marked = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=WATCHED_STATUSES)):
        run = record.dagster_run
        if not process_gone(run.tags):
            continue
        # The process is gone, so the run can change no more: if it still shows in progress, it died so.
        current = instance.get_run_by_id(run.run_id)
        if current is None or current.status not in WATCHED_STATUSES:
            continue
        message = (
            f"the process running this run (pid {run.tags[PID_TAG]} on {run.tags[HOST_TAG]}) is gone: "
            f"marked failed by disclosure at {datetime.now():%Y-%m-%d %H:%M:%S}"
        )
        instance.report_run_failed(current, message)
        log.warning("run %s: %s", run.run_id, message)
        marked.append(run.run_id)
    return marked
