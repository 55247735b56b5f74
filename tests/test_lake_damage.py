"""Damage is detected: a truncated or overwritten partition is found against the checksums and
rebuilt from the raw files, and a disk that fills up while the lake is written leaves the lake
as it was, with a clear error."""

from __future__ import annotations

import errno
import hashlib
import shutil
from pathlib import Path

import polars as pl
import pytest
from samples import RAW, SEED_NAMES

from pipelines.extract import lake as lake_module
from pipelines.extract.corpus import LakeWriteError, extract
from pipelines.extract.integrity import CHECKSUMS, find_damage, read_checksums
from pipelines.extract.lake import SCHEMAS


def _lake_bytes(lake: Path) -> dict[str, str]:
    return {
        str(path.relative_to(lake)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(lake.rglob("*"))
        if path.is_file() and "_cache" not in path.parts
    }


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in SEED_NAMES:
        shutil.copy(RAW / name, raw / name)
    lake = tmp_path / "lake"
    extract(raw, lake, progress=False)
    return raw, lake, _lake_bytes(lake)


def test_every_partition_file_is_recorded_with_its_checksum(built) -> None:
    _, lake, before = built
    recorded = read_checksums(lake)
    parts = {path: sha for path, sha in before.items() if path.endswith("part-0.parquet")}
    assert dict(zip(recorded["path"], recorded["sha256"], strict=True)) == parts
    assert {path.split("/")[0] for path in parts} == set(SCHEMAS) and len(parts) == 27
    assert find_damage(lake).files == {}


@pytest.mark.parametrize("harm", ["truncated", "overwritten", "deleted"])
def test_a_damaged_partition_is_rebuilt_from_the_raw_files(built, harm: str) -> None:
    raw, lake, before = built
    victim = next(lake.glob("report_cells/report_year=2*/bucket=*/part-0.parquet"))
    rel = victim.relative_to(lake).as_posix()
    data = victim.read_bytes()
    if harm == "truncated":
        victim.write_bytes(data[: len(data) // 2])
    elif harm == "overwritten":
        victim.write_bytes(data[:100] + bytes(255 - b for b in data[100:200]) + data[200:])
    else:
        victim.unlink()
    why = find_damage(lake).files
    assert list(why) == [rel]
    assert (
        why[rel]
        == {
            "truncated": f"{len(data) // 2:,} bytes, {len(data):,} when written",
            "overwritten": "its bytes differ from the checksum written with it",
            "deleted": "missing",
        }[harm]
    )

    result = extract(raw, lake, progress=False)
    assert result.repairs == [f"lake file {rel} is damaged ({why[rel]}): its partition is rebuilt from the raw files"]
    assert result.parsed == 1 and result.reused == len(SEED_NAMES) - 1
    assert _lake_bytes(lake) == before  # rebuilt to the very bytes it had
    again = extract(raw, lake, progress=False)
    assert (again.parsed, again.repairs, again.written) == (0, [], [])


def test_a_damaged_empty_partition_is_written_again(built) -> None:
    raw, lake, before = built
    empty = next(lake.glob("report_cells/report_year=__HIVE_DEFAULT_PARTITION__/bucket=0/part-0.parquet"))
    empty.write_bytes(b"")
    result = extract(raw, lake, progress=False)
    assert (result.parsed, len(result.repairs)) == (0, 1)
    assert _lake_bytes(lake) == before


def test_an_unreadable_manifest_rebuilds_the_lake(built) -> None:
    raw, lake, before = built
    (lake / "_manifest.parquet").write_bytes(b"PAR1 garbage")
    result = extract(raw, lake, progress=False)
    assert result.parsed == len(SEED_NAMES)
    assert result.repairs[0].startswith(f"lake manifest {lake / '_manifest.parquet'} is unreadable")
    assert _lake_bytes(lake) == before


@pytest.mark.parametrize("full_at", ["first", "fourth", "manifest"])
def test_a_full_disk_while_writing_leaves_the_lake_as_it_was(built, monkeypatch, full_at: str) -> None:
    raw, lake, before = built
    for name in SEED_NAMES[:3]:  # changes that rewrite several partitions
        (raw / name).write_bytes((raw / name).read_bytes() + b"\n")
    real = lake_module.write_pending
    calls = []

    def filling_up(frame: pl.DataFrame, path: Path):
        calls.append(path)
        if {"first": len(calls) == 1, "fourth": len(calls) == 4, "manifest": path.name == "_manifest.parquet"}[full_at]:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(frame, path)

    monkeypatch.setattr(lake_module, "write_pending", filling_up)
    with pytest.raises(LakeWriteError, match=r"No space left on device.*nothing was changed, the lake is as the last"):
        extract(raw, lake, progress=False)
    assert len(calls) >= {"first": 1, "fourth": 4, "manifest": 12}[full_at]
    assert (calls[-1].name == "_manifest.parquet") == (full_at == "manifest")  # the last file of a run
    after = {path: sha for path, sha in _lake_bytes(lake).items() if not path.startswith("_checkpoints/")}
    assert after == before
    assert not [p for p in lake.rglob("*.tmp")]
    assert (lake / "_checkpoints").exists()  # the parse is kept for the next run

    monkeypatch.setattr(lake_module, "write_pending", real)
    result = extract(raw, lake, progress=False)
    assert (result.resumed, result.parsed) == (3, 0)
    assert not (lake / "_checkpoints").exists()
    assert (lake / CHECKSUMS).exists() and find_damage(lake).files == {}
    fresh = lake.parent / "fresh"
    extract(raw, fresh, progress=False)
    assert _lake_bytes(lake) == _lake_bytes(fresh)


def test_the_cli_says_what_it_repaired(built, capsys) -> None:
    from pipelines.cli import main

    raw, lake, before = built
    victim = next(lake.glob("reports/report_year=2*/bucket=*/part-0.parquet"))
    victim.write_bytes(b"")
    assert main(["extract", "--raw", str(raw), "--lake", str(lake)]) == 0
    rel = victim.relative_to(lake).as_posix()
    err = capsys.readouterr().err
    assert f"repaired: lake file {rel} is damaged (0 bytes, " in err
    after = _lake_bytes(lake)  # and the section similarity the command also writes
    assert {path: after[path] for path in before} == before
