"""Runs whose process is gone are marked failed and free their slot (orchestration.dead_runs)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator

import dagster as dg
import pytest

from pipelines.orchestration.dead_runs import (
    PID_TAG,
    PROCESS_START_TAG,
    mark_dead_runs,
    process_gone,
    process_start,
    process_tags,
)
from pipelines.orchestration.jobs import DUCKDB_TAG


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as instance:
        yield instance


def _finished_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _run(instance: dg.DagsterInstance, status: dg.DagsterRunStatus, tags: dict[str, str]) -> str:
    run_id = str(uuid.uuid4())
    instance.add_run(dg.DagsterRun(job_name="build_everything", run_id=run_id, status=status, tags=tags))
    return run_id


def _status(instance: dg.DagsterInstance, run_id: str) -> dg.DagsterRunStatus:
    run = instance.get_run_by_id(run_id)
    assert run is not None
    return run.status


def _failure_message(instance: dg.DagsterInstance, run_id: str) -> str:
    (event,) = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    return event.message


def test_a_process_is_told_by_pid_and_start_time() -> None:
    mine = process_tags()
    assert mine[PID_TAG] == str(os.getpid()) and mine[PROCESS_START_TAG] == process_start(os.getpid())
    assert not process_gone(mine)
    assert process_gone(process_tags() | {PID_TAG: str(_finished_pid())})
    # the pid alive but started at another time: another process that reuses the pid
    reused = mine | {PROCESS_START_TAG: str(int(mine[PROCESS_START_TAG]) - 1)}
    assert process_gone(reused)
    assert not process_gone(mine | {"disclosure/host": "another-host", PID_TAG: str(_finished_pid())})
    assert not process_gone({})  # a run never tagged (started by another tool): not judged


def test_runs_of_dead_processes_are_failed_with_a_message(instance: dg.DagsterInstance) -> None:
    dead = process_tags() | {PID_TAG: str(_finished_pid())}
    started = _run(instance, dg.DagsterRunStatus.STARTED, {**DUCKDB_TAG, **dead})
    canceling = _run(instance, dg.DagsterRunStatus.CANCELING, dead)
    alive = _run(instance, dg.DagsterRunStatus.STARTED, {**DUCKDB_TAG, **process_tags()})
    untagged = _run(instance, dg.DagsterRunStatus.STARTED, {})
    finished = _run(instance, dg.DagsterRunStatus.SUCCESS, dead)

    assert sorted(mark_dead_runs(instance)) == sorted([started, canceling])
    status = {run_id: _status(instance, run_id) for run_id in (started, canceling, alive, untagged)}
    assert status == {
        started: dg.DagsterRunStatus.FAILURE,
        canceling: dg.DagsterRunStatus.FAILURE,
        alive: dg.DagsterRunStatus.STARTED,
        untagged: dg.DagsterRunStatus.STARTED,
    }
    assert _status(instance, finished) == dg.DagsterRunStatus.SUCCESS
    message = _failure_message(instance, started)
    host = dead["disclosure/host"]
    assert message.startswith(f"the process running this run (pid {dead[PID_TAG]} on {host}) is gone")
    assert "marked failed by disclosure at 20" in message
    assert mark_dead_runs(instance) == []  # once


def test_the_sensor_and_the_schedule_sweep_dead_runs(instance: dg.DagsterInstance) -> None:
    from pipelines.orchestration.resources import PipelinePaths
    from pipelines.orchestration.schedules import daily_build
    from pipelines.orchestration.sensors import raw_folder_sensor

    dead = process_tags() | {PID_TAG: str(_finished_pid())}
    first = _run(instance, dg.DagsterRunStatus.STARTED, {**DUCKDB_TAG, **dead})
    context = dg.build_sensor_context(instance=instance, resources={"pipeline_paths": PipelinePaths()})
    assert isinstance(raw_folder_sensor(context), dg.RunRequest)
    assert _status(instance, first) == dg.DagsterRunStatus.FAILURE

    second = _run(instance, dg.DagsterRunStatus.STARTED, {**DUCKDB_TAG, **dead})
    with dg.build_schedule_context(instance=instance) as schedule_context:
        requests = list(daily_build.evaluate_tick(schedule_context).run_requests or [])
    assert len(requests) == 1
    assert _status(instance, second) == dg.DagsterRunStatus.FAILURE
