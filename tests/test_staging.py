"""Staged rows: a run that spills to disk writes the same lake as one that does not, its memory
stays within the budget's reach, and no spill folder outlives its run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest

import pipelines.extract.staging as staging
from pipelines.extract.corpus import extract
from pipelines.extract.lake import BUCKET_COLUMN, SCHEMAS, YEAR_COLUMN
from pipelines.extract.staging import Staging
from pipelines.generate.corpus import generate_corpus


def _frame(ids: list[str], year: int | None) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "report_id": ids,
            "value": [float(n) for n in range(len(ids))],
            YEAR_COLUMN: pl.Series([year] * len(ids), dtype=pl.Int32),
            BUCKET_COLUMN: pl.Series([int(i[0], 16) for i in ids], dtype=pl.Int8),
        }
    )


def test_rows_come_back_by_partition_from_memory_and_from_spills(tmp_path: Path) -> None:
    store = Staging(tmp_path, budget=1)  # every chunk spills
    store.add({"reports": _frame(["a1", "b1"], 2023)})
    store.add({"reports": _frame(["a2", "a3"], None)})
    store.add({"reports": _frame(["a4"], 2023)})
    assert store.spills == 3 and any(store.folder.iterdir())
    store.seal()
    assert store.partitions() == {(2023, 10), (2023, 11), (None, 10)}
    assert store.read("reports", 2023, 10)["report_id"].to_list() == ["a1", "a4"]
    assert store.read("reports", None, 10)["report_id"].to_list() == ["a2", "a3"]
    assert store.read("report_cells", 2023, 10) is None
    store.close()
    assert not store.folder.exists()


def test_a_spill_folder_of_a_dead_run_is_removed(tmp_path: Path) -> None:
    dead = tmp_path / ".staging-999999999"  # no such process
    dead.mkdir()
    (dead / "reports-0.arrow").write_bytes(b"left by a killed run")
    alive = tmp_path / f".staging-{os.getppid()}"  # a live process (the test runner's parent)
    alive.mkdir()
    Staging(tmp_path)
    assert not dead.exists() and alive.exists()


@pytest.mark.parametrize("budget", [1, 64 * 2**10])
def test_a_run_that_spills_writes_the_same_lake(tmp_path: Path, budget: int, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = tmp_path / "raw"
    generate_corpus(40, 7, raw, tmp_path / "truth")
    extract(raw, tmp_path / "memory", progress=False)
    monkeypatch.setattr(staging, "SPILL_BYTES", budget)
    monkeypatch.setattr("pipelines.extract.run.CHUNK", 7)  # several chunks, several spills
    extract(raw, tmp_path / "spilled", progress=False)
    for table in SCHEMAS:
        memory = sorted(p.relative_to(tmp_path / "memory") for p in (tmp_path / "memory" / table).rglob("*.parquet"))
        spilled = sorted(p.relative_to(tmp_path / "spilled") for p in (tmp_path / "spilled" / table).rglob("*.parquet"))
        assert memory == spilled and memory
        for part in memory:
            assert (tmp_path / "memory" / part).read_bytes() == (tmp_path / "spilled" / part).read_bytes(), part
    assert not list((tmp_path / "spilled").glob(".staging-*"))
    shutil.rmtree(raw)
