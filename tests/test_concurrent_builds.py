"""`disclosure build` as processes meet it: two at once on one data folder; one killed mid-run,
then the daemon's sensor builds again. Each on its own data folder and DAGSTER_HOME."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from samples import RAW, ROOT, SEED_NAMES

from pipelines.orchestration.dead_runs import PID_TAG, process_gone

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
DISCLOSURE = BIN / "disclosure"


def _deployment(root: Path) -> dict[str, str]:
    """The environment of a deployment on `root`: data/ (the seeds in data/raw) and dagster_home/."""
    shutil.copytree(RAW, root / "data" / "raw")
    home = root / "dagster_home"
    home.mkdir()
    shutil.copyfile(ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCLOSURE_")}
    return env | {
        "DISCLOSURE_DATA_DIR": str(root / "data"),
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }


def _reports(warehouse: Path) -> tuple[object, ...] | None:
    """Reports in the warehouse, and failing reconciliation checks."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select (select count(*) from dim_report), (select count(*) from reconciliation_results where not passed)"
        ).fetchone()


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.5)


def test_two_builds_on_one_data_folder_take_turns(tmp_path: Path) -> None:
    env = _deployment(tmp_path)
    started = time.monotonic()
    builds = [
        subprocess.Popen([str(DISCLOSURE), "build"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [build.communicate(timeout=600) for build in builds]
    seconds = time.monotonic() - started
    for build, (out, err) in zip(builds, outputs, strict=True):
        assert build.returncode == 0, err
        assert "reports: ok 5" in out
    data = re.escape(str(tmp_path / "data"))
    waited = [
        (build, other)
        for build, other, (_, err) in zip(builds, builds[::-1], outputs, strict=True)
        if re.search(rf"waiting for {data}/: held by pid {other.pid} \(disclosure build, since \d\d:\d\d:\d\d\)", err)
    ]
    assert len(waited) == 1, [err for _, err in outputs]  # exactly one waited, for the other
    print(next(line for line in outputs[builds.index(waited[0][0])][1].splitlines() if "waiting" in line))
    assert _reports(tmp_path / "data" / "warehouse.duckdb") == (5, 0)
    assert not list((tmp_path / "data" / ".build").glob("warehouse-*.duckdb*"))
    print(f"two builds one after the other: {seconds:.1f} s")


@pytest.fixture
def daemon_cleanup() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:  # each was started in a session of its own: end it and its children
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def test_a_build_killed_mid_run_is_failed_and_the_sensor_builds_again(
    tmp_path: Path, daemon_cleanup: list[subprocess.Popen[bytes]]
) -> None:
    env = _deployment(tmp_path)
    data = tmp_path / "data"
    build = subprocess.Popen(
        [str(DISCLOSURE), "build"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    daemon_cleanup.append(build)
    instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])

    def building() -> bool:  # its run STARTED, and dbt writing its warehouse
        runs = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
        return any((data / ".build" / f"warehouse-{run.run_id}.duckdb").exists() for run in runs)

    _wait_for(building, 300, "the build's dbt step")
    os.killpg(build.pid, signal.SIGKILL)  # the build and its dbt, as a power cut would
    build.wait(10)
    (killed,) = instance.get_runs()
    assert killed.status == dg.DagsterRunStatus.STARTED  # as the issue found it: started for ever
    assert killed.tags[PID_TAG] == str(build.pid) and process_gone(killed.tags)

    # a new report, then the daemon (sensor, run queue, run monitoring) as `make ui` runs it
    text = (RAW / SEED_NAMES[1]).read_text(encoding="utf-8")
    (data / "raw" / "another.txt").write_text(text.replace("杭州市临安区", "杭州市富阳区", 1), encoding="utf-8")
    started = time.monotonic()
    log = (tmp_path / "daemon.log").open("wb")
    daemon = subprocess.Popen(
        [str(BIN / "dagster-daemon"), "run", "-m", "pipelines.orchestration.definitions", "-a", "defs"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    daemon_cleanup.append(daemon)

    def sensor_run() -> dg.DagsterRun | None:
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"disclosure/trigger": "raw_folder"}))
        return runs[0] if runs else None

    def sensor_run_finished() -> bool:
        run = sensor_run()
        return run is not None and run.is_finished

    _wait_for(sensor_run_finished, 300, "the sensor's run")
    seconds = time.monotonic() - started
    run = sensor_run()
    assert run is not None and run.status == dg.DagsterRunStatus.SUCCESS, (tmp_path / "daemon.log").read_text()
    marked = instance.get_run_by_id(killed.run_id)
    assert marked is not None and marked.status == dg.DagsterRunStatus.FAILURE
    (failure,) = instance.all_logs(killed.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
    assert failure.message.startswith(f"the process running this run (pid {build.pid} on ")
    assert "is gone: marked failed by disclosure at " in failure.message
    enqueued = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_ENQUEUED)
    assert len(enqueued) == 1  # it went through the run queue
    assert failure.timestamp <= enqueued[0].timestamp  # the sensor freed the slot before asking
    assert run.tags[PID_TAG] not in {str(build.pid), str(daemon.pid)}  # its run worker tagged itself
    assert _reports(data / "warehouse.duckdb") == (6, 0)
    print(f"killed build failed and the sensor's run built in {seconds:.1f} s after the daemon started")
