"""Per-file isolation: a worker that dies on a file (its clock, its memory cap, a crash, a
parser bug) costs only that file; the others' rows are all written. And checkpoints: a run
killed in the middle resumes with only the unfinished chunks parsed, to the same lake."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
import worker_readers
from samples import RAW, ROOT, SEED_NAMES

from pipelines.extract import run
from pipelines.extract.corpus import extract
from pipelines.extract.lake import MANIFEST_SCHEMA, read_table
from pipelines.extract.plan import plan_extract, stale_files
from pipelines.extract.read.batch import parse_documents  # noqa: F401  (imported for the fork server)
from pipelines.extract.scan import hash_files, scan_raw
from pipelines.extract.workers import Budget


def _raw(tmp_path: Path, extra: str) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in SEED_NAMES:
        shutil.copy(RAW / name, raw / name)
    # a report of its own bytes, so the plan parses it rather than calling it a copy
    (raw / extra).write_bytes((RAW / SEED_NAMES[0]).read_bytes() + b"\n\n" + extra.encode())
    return raw


def _run(
    raw: Path, reader, budget: Budget | None = None, workers: int = 2
) -> tuple[dict[str, pl.DataFrame], run.RunStats]:
    scanned = scan_raw(raw)
    manifest = pl.DataFrame(schema=MANIFEST_SCHEMA)
    plan = plan_extract(scanned, manifest, hash_files(stale_files(scanned, manifest)))
    results: list[run.ChunkResult] = []
    stats = run.run_chunks(plan.tasks, workers, False, results.append, budget=budget, reader=reader)
    tables = results[0].frames.keys()
    return {t: pl.concat([r.frames[t] for r in results], how="vertical_relaxed") for t in tables}, stats


@pytest.fixture(scope="module")
def clean_cells(tmp_path_factory) -> pl.DataFrame:
    """The seeds' cells read by the plain reader, for comparison."""
    raw = _raw(tmp_path_factory.mktemp("clean"), "plain.txt")
    frames, _ = _run(raw, run.read_chunk)
    return _seed_cells(frames)


def _seed_cells(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    reports = frames["reports"].filter(pl.col("source_path").is_in(SEED_NAMES)).select("report_id", "source_path")
    cells = frames["report_cells"].join(reports, on="report_id")
    return cells.drop("report_id").sort("source_path", "cell_no")


def _status(frames: dict[str, pl.DataFrame], name: str) -> tuple[str, list[str], list[str]]:
    report = frames["reports"].filter(pl.col("source_path") == name).row(0, named=True)
    findings = frames["report_findings"].filter(pl.col("report_id") == report["report_id"])
    return report["status"], findings["code"].to_list(), findings["message"].to_list()


@pytest.mark.parametrize(
    ("reader", "name", "budget", "code", "says"),
    [
        (worker_readers.killing, "kill-me.txt", None, "file_too_complex", "signal 9"),
        (worker_readers.hanging, "hang-me.txt", Budget(file_seconds=2.0), "file_too_complex", "longer than the 2 s"),
        (worker_readers.hungry, "eat-me.txt", Budget(memory_bytes=600 * 2**20), "file_too_complex", "600 MiB"),
        (worker_readers.raising, "bug-me.txt", None, "reader_failed", "ValueError: a bug on this file"),
        (worker_readers.poisoned, "poison.txt", None, "reader_failed", "worker exit code -11"),
    ],
    ids=["killed", "clock", "memory", "parser-bug", "batch-crash"],
)
def test_a_worker_dying_on_a_file_costs_only_that_file(
    tmp_path: Path, clean_cells: pl.DataFrame, reader, name: str, budget: Budget | None, code: str, says: str
) -> None:
    raw = _raw(tmp_path, name)
    frames, stats = _run(raw, reader, budget)
    assert stats.stopped == [name]
    assert sorted(frames["reports"]["source_path"].to_list()) == sorted([*SEED_NAMES, name])
    status, codes, messages = _status(frames, name)
    assert (status, codes) == ("rejected", [code])
    assert messages[0].startswith(f"{name}: ") and says in messages[0], messages[0]
    # every other file's rows, cell by cell, as the plain reader reads them
    assert _seed_cells(frames).equals(clean_cells)
    for seed in SEED_NAMES:
        assert _status(frames, seed)[0] == "ok"


def test_one_worker_is_replaced_as_often_as_it_dies(tmp_path: Path, clean_cells: pl.DataFrame) -> None:
    raw = _raw(tmp_path, "kill-me.txt")
    (raw / "kill-me-too.txt").write_bytes((RAW / SEED_NAMES[1]).read_bytes() + b"\nkill")
    frames, stats = _run(raw, worker_readers.killing, workers=1)
    assert sorted(stats.stopped) == ["kill-me-too.txt", "kill-me.txt"]
    assert _seed_cells(frames).equals(clean_cells)


def _lake_bytes(lake: Path) -> dict[str, str]:
    return {
        str(path.relative_to(lake)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(lake.rglob("*.parquet"))
        if "_cache" not in path.parts
    }


_KILLED_RUN = """
import functools, sys
from pathlib import Path
import worker_readers
from pipelines.extract import corpus, run
run.CHUNK = 1
corpus.run_chunks = functools.partial(run.run_chunks, reader=worker_readers.slow)
corpus.extract(Path(sys.argv[1]), Path(sys.argv[2]), progress=False, workers=1)
"""


@pytest.mark.slow
def test_a_run_killed_mid_extraction_resumes_byte_identical(tmp_path: Path, monkeypatch) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in SEED_NAMES:
        shutil.copy(RAW / name, raw / name)
        (raw / f"again-{name}").write_bytes((RAW / name).read_bytes() + b"\n")
    cold = tmp_path / "cold"
    extract(raw, cold, progress=False)

    lake = tmp_path / "lake"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    child = subprocess.Popen([sys.executable, "-c", _KILLED_RUN, str(raw), str(lake)], env=env, cwd=ROOT)
    deadline = time.monotonic() + 120
    finished: list[Path] = []
    while len(finished) < 3 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
        finished = [p for p in (lake / "_checkpoints").glob("*") if not p.name.startswith(".")]
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL  # killed mid-run, not finished
    done = len([p for p in (lake / "_checkpoints").glob("*") if not p.name.startswith(".")])
    assert 3 <= done < 10
    assert not (lake / "_manifest.parquet").exists()

    monkeypatch.setattr(run, "CHUNK", 1)
    resumed = extract(raw, lake, progress=False)
    assert (resumed.resumed, resumed.parsed, resumed.files) == (done, 10 - done, 10)
    assert not (lake / "_checkpoints").exists()
    assert _lake_bytes(lake) == _lake_bytes(cold)
    assert read_table(lake, "report_cells").height == read_table(cold, "report_cells").height > 0
