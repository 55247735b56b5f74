"""One writer at a time per data folder (pipelines.folder_lock), as processes and the CLI see it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import pytest
from samples import RAW, ROOT

from pipelines.folder_lock import FolderBusy, Holder, current_holder, data_folder, hold, lock_path
from pipelines.orchestration.dead_runs import PID_TAG
from pipelines.orchestration.resources import DataFolderLock, PipelinePaths

DISCLOSURE = Path(sys.executable).with_name("disclosure")
ENV = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}

HOLDER = """
import sys
from pipelines.folder_lock import hold
with hold(sys.argv[1], what=sys.argv[2]):
    print("held", flush=True)
    sys.stdin.readline()  # holds until the test writes a line (or kills it)
"""

WAITER = """
import sys, time
from pipelines.folder_lock import hold
started = time.monotonic()
with hold(sys.argv[1], what="waiter"):
    print(f"got it after {time.monotonic() - started:.2f} s", flush=True)
"""


def _holder(folder: Path, what: str = "test holder") -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder), what],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert process.stdout is not None and process.stdout.readline() == "held\n"
    return process


def _since_pattern(pid: int, what: str) -> str:
    return rf"held by pid {pid} \({re.escape(what)}, since \d\d:\d\d:\d\d\)"


def test_nested_holds_in_one_process_are_one_lock(tmp_path: Path) -> None:
    with hold(tmp_path, what="outer") as folder:
        assert folder == tmp_path.resolve()
        holder = current_holder(tmp_path)
        assert holder is not None and (holder.pid, holder.command) == (os.getpid(), "outer")
        with hold(tmp_path, wait=False, what="inner"), hold(tmp_path, wait=False):  # no deadlock, no FolderBusy
            pass
        # another thread of the process shares it too
        errors: list[BaseException] = []

        def nested() -> None:
            try:
                with hold(tmp_path, wait=False):
                    pass
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        thread = threading.Thread(target=nested)
        thread.start()
        thread.join(10)
        assert errors == []
        assert current_holder(tmp_path) == holder  # the inner holds did not release it
    assert current_holder(tmp_path) is None  # released: the file says nobody
    assert lock_path(tmp_path).read_text() == ""


def test_the_data_folder_is_the_lakes_parent(tmp_path: Path) -> None:
    assert data_folder(tmp_path / "data" / "lake") == (tmp_path / "data").resolve()


def test_a_second_process_waits_then_gets_it(tmp_path: Path) -> None:
    first = _holder(tmp_path)
    waiter = subprocess.Popen(
        [sys.executable, "-c", WAITER, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert waiter.stderr is not None and waiter.stdout is not None
    waiting = waiter.stderr.readline()
    expected = rf"waiting for {re.escape(str(tmp_path))}/: {_since_pattern(first.pid, 'test holder')}\n"
    assert re.fullmatch(expected, waiting), waiting
    with pytest.raises(FolderBusy, match=_since_pattern(first.pid, "test holder")), hold(tmp_path, wait=False):
        pass
    time.sleep(1.0)
    assert waiter.poll() is None  # still waiting while the first holds it
    first.communicate("release\n", timeout=10)
    out, err = waiter.communicate(timeout=10)
    assert waiter.returncode == 0, err
    assert out.startswith("got it after ") and float(out.split()[3]) >= 1.0
    assert err == ""  # said once


def test_no_wait_exits_with_the_holders_pid(tmp_path: Path) -> None:
    lake = tmp_path / "data" / "lake"
    first = _holder(lake.parent, what="disclosure build")
    try:
        result = subprocess.run(
            [str(DISCLOSURE), "extract", "--raw", str(RAW), "--lake", str(lake), "--no-wait"],
            capture_output=True,
            text=True,
            timeout=120,
            env=ENV,
        )
    finally:
        first.communicate("release\n", timeout=10)
    assert result.returncode == 75
    assert re.fullmatch(
        rf"disclosure extract: {re.escape(str(lake.parent))}/: {_since_pattern(first.pid, 'disclosure build')}; "
        r"not started \(--no-wait\)\n",
        result.stderr,
    ), result.stderr
    assert not lake.exists()  # nothing was written


def test_a_killed_holder_never_blocks(tmp_path: Path) -> None:
    first = _holder(tmp_path)
    with pytest.raises(FolderBusy), hold(tmp_path, wait=False):
        pass
    os.kill(first.pid, signal.SIGKILL)
    first.wait(10)
    left = current_holder(tmp_path)
    assert left is not None and left.pid == first.pid  # its line is left behind: advice, not the lock
    started = time.monotonic()
    with hold(tmp_path, wait=False, what="after the kill"):  # the kernel released its flock
        now = current_holder(tmp_path)
        assert now is not None and now.command == "after the kill"
    assert time.monotonic() - started < 1.0


def test_a_dagster_run_waits_for_the_lock_and_logs_whom_for(tmp_path: Path) -> None:
    lake = tmp_path / "data" / "lake"
    seen: list[Holder | None] = []

    @dg.asset
    def writes(folder_lock: DataFolderLock) -> None:
        seen.append(current_holder(lake.parent))

    pipeline_paths = PipelinePaths(lake_dir=str(lake))
    folder_lock = DataFolderLock(data_folder=str(pipeline_paths.data_folder))
    job = dg.define_asset_job("writes_job", executor_def=dg.in_process_executor)
    definitions = dg.Definitions(
        assets=[writes],
        jobs=[job],
        resources={"pipeline_paths": pipeline_paths, "folder_lock": folder_lock},
    )
    first = _holder(lake.parent, what="disclosure extract")
    instance = dg.DagsterInstance.ephemeral()
    results: list[dg.ExecuteInProcessResult] = []
    thread = threading.Thread(
        target=lambda: results.append(definitions.resolve_job_def("writes_job").execute_in_process(instance=instance))
    )
    thread.start()
    time.sleep(2.0)
    assert thread.is_alive() and seen == []  # waiting: its step has not run
    first.communicate("release\n", timeout=10)
    thread.join(60)
    (result,) = results
    assert result.success
    messages = [entry.user_message for entry in instance.all_logs(result.run_id)]
    waiting = [m for m in messages if m.startswith("waiting for ")]
    assert len(waiting) == 1 and re.search(_since_pattern(first.pid, "disclosure extract"), waiting[0]), messages
    (holder,) = seen
    assert holder is not None and holder.pid == os.getpid()
    assert holder.command == f"Dagster run {result.run_id[:8]} of writes_job"
    run = instance.get_run_by_id(result.run_id)
    assert run is not None and run.tags[PID_TAG] == str(os.getpid())  # tagged with its process
    assert current_holder(lake.parent) is None  # released at the run's end
