"""`extract` over a raw folder: the four Parquet tables, read back with polars."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import polars as pl
import pytest
from samples import RAW, SEED_NAMES, golden

from pipelines.extract.corpus import extract
from pipelines.extract.integrity import CHECKSUMS
from pipelines.extract.lake import MANIFEST, SCHEMAS, YEAR_COLUMN, read_table
from pipelines.extract.scan import RawFolderError


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("lake")
    extract(RAW, out, progress=False)
    return out


def _read(lake: Path, name: str) -> pl.DataFrame:
    return read_table(lake, name)


def _files(lake: Path) -> dict[str, bytes]:
    return {p.relative_to(lake).as_posix(): p.read_bytes() for p in sorted(lake.rglob("*")) if p.is_file()}


def test_five_tables_partitioned_by_year_with_their_schemas(lake: Path) -> None:
    assert sorted(p.name for p in lake.iterdir()) == [
        CHECKSUMS,
        MANIFEST,
        "report_cells",
        "report_findings",
        "report_narrative_facts",
        "report_sections",
        "reports",
    ]
    assert sorted(p.name for p in (lake / "reports").iterdir()) == [
        "report_year=2021",
        "report_year=2022",
        "report_year=2023",
        "report_year=2024",
        "report_year=__HIVE_DEFAULT_PARTITION__",  # reports of no known year (none here: empty)
    ]
    buckets = sorted(p.name for p in (lake / "reports" / "report_year=2023").iterdir())
    assert buckets == ["bucket=12", "bucket=15"]  # the first hex digit of each 2023 report's id
    for name, schema in SCHEMAS.items():
        assert dict(_read(lake, name).schema) == {**schema, YEAR_COLUMN: pl.Int32}, name
        one = pl.read_parquet(lake / name / "report_year=2023" / "bucket=15" / "part-0.parquet")
        assert dict(one.schema) == schema  # the year and bucket live in the path, not in the file


def test_row_counts(lake: Path) -> None:
    assert _read(lake, "reports").height == 5
    assert _read(lake, "report_cells").height == 1000
    assert _read(lake, "report_findings").height == 2  # two reports state no publish date
    assert _read(lake, "report_sections").height == 35  # preamble + six sections, each
    assert _read(lake, "report_narrative_facts").height == 11  # test_narrative.py: the seeds' facts


def test_reports_rows(lake: Path) -> None:
    reports = _read(lake, "reports").sort("source_path")
    assert reports["source_path"].to_list() == SEED_NAMES
    for row in reports.iter_rows(named=True):
        data = (RAW / row["source_path"]).read_bytes()
        expected = golden(row["source_path"])
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert row["report_id"] == row["sha256"][:16]
        assert row["size_bytes"] == len(data)
        assert row["agency"] == expected["agency"]
        assert row["report_year"] == expected["report_year"]
        published = row["published_on"].isoformat() if row["published_on"] else None
        assert published == expected["published_on"]
        assert (row["status"], row["n_cells"], row["template"], row["encoding"]) == ("ok", 200, "2021", "utf-8")
    traditional = reports.filter(pl.col("script") == "traditional")
    assert traditional["agency_as_written"].to_list() == ["杭州市投資促進局"]


def test_cells_equal_golden_values(lake: Path) -> None:
    cells = _read(lake, "report_cells").join(_read(lake, "reports").select("report_id", "source_path"), on="report_id")
    for row in cells.iter_rows(named=True):
        expected = golden(row["source_path"])
        key = f"{row['table_key']}.{row['row_key']}.{row['column_key']}"
        assert row["value"] == expected["tables"][row["table_key"]][row["row_key"]][row["column_key"]], key
        assert row["line"] == expected["lines"][key], key


def test_a_few_values_by_query(lake: Path) -> None:
    cells = _read(lake, "report_cells").join(_read(lake, "reports"), on="report_id")
    commerce = cells.filter(pl.col("agency") == "余杭区商务局", pl.col("table_key") == "requests")
    granted = commerce.filter(pl.col("row_key") == "granted", pl.col("column_key") == "natural_person")
    assert granted.select("value", "text", "line").row(0) == (3.0, "3", 145)
    not_held = commerce.filter(pl.col("row_key") == "unavailable_not_held", pl.col("column_key") == "total")
    assert not_held["value"].to_list() == [4.0]
    split = cells.filter(pl.col("row_key") == "other_unpaid_fee", pl.col("column_key") == "total")
    assert split.filter(pl.col("source_path").str.starts_with("000"))["text"].to_list() == ["\xa0\n\n0"]


def test_sections_hold_searchable_text(lake: Path) -> None:
    sections = _read(lake, "report_sections")
    hits = sections.filter(pl.col("text").str.contains("信息处理费|信息處理費"))
    assert set(hits["section_no"].to_list()) == {6}
    assert hits.height == 5


def test_output_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    extract(RAW, first, progress=False)
    extract(RAW, second, progress=False)
    assert _files(first) == _files(second)


def test_rewrite_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    extract(RAW, tmp_path, progress=False)
    extract(RAW, tmp_path, progress=False, full=True)
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".")]


def test_unchanged_folder_parses_nothing_and_writes_nothing(tmp_path: Path) -> None:
    raw, lake = tmp_path / "raw", tmp_path / "lake"
    shutil.copytree(RAW, raw)
    assert extract(raw, lake, progress=False).parsed == 5
    before = {p: p.stat().st_mtime_ns for p in lake.rglob("*") if p.is_file()}
    content = _files(lake)
    again = extract(raw, lake, progress=False)
    assert (again.parsed, again.reused, again.written) == (0, 5, [])
    assert _files(lake) == content
    assert {p: p.stat().st_mtime_ns for p in lake.rglob("*") if p.is_file()} == before


def test_changing_one_file_reparses_only_that_file(tmp_path: Path) -> None:
    raw, lake = tmp_path / "raw", tmp_path / "lake"
    shutil.copytree(RAW, raw)
    extract(raw, lake, progress=False)
    text = (raw / SEED_NAMES[2]).read_text(encoding="utf-8")
    (raw / SEED_NAMES[2]).write_text(text.replace("发布时间:2023-01-19", "发布时间:2023-01-20"), encoding="utf-8")
    summary = extract(raw, lake, progress=False)
    assert (summary.parsed, summary.reused, summary.removed) == (1, 4, 0)
    assert {p.parent.parent.name for p in summary.written} == {"report_year=2022"}  # only its year's buckets
    assert _read(lake, "reports").filter(pl.col("source_path") == SEED_NAMES[2])["published_on"].to_list()[0].day == 20
    assert _read(lake, "report_cells").height == 1000  # the old edition's rows are gone
    cold = tmp_path / "cold"
    extract(raw, cold, progress=False)
    assert _files(lake) == _files(cold)  # incremental gives exactly what a cold run gives


def test_touched_file_is_not_reparsed(tmp_path: Path) -> None:
    raw, lake = tmp_path / "raw", tmp_path / "lake"
    shutil.copytree(RAW, raw)
    extract(raw, lake, progress=False)
    os.utime(raw / SEED_NAMES[0], (1_700_000_000, 1_700_000_000))  # same bytes, new time
    summary = extract(raw, lake, progress=False)
    assert (summary.parsed, summary.reused) == (0, 5)
    row = _read(lake, "reports").filter(pl.col("source_path") == SEED_NAMES[0]).row(0, named=True)
    assert row["file_modified_at"].timestamp() == 1_700_000_000
    cold = tmp_path / "cold"
    extract(raw, cold, progress=False)
    assert _files(lake) == _files(cold)


def test_removed_and_added_files(tmp_path: Path) -> None:
    raw, lake = tmp_path / "raw", tmp_path / "lake"
    shutil.copytree(RAW, raw)
    extract(raw, lake, progress=False)
    (raw / SEED_NAMES[4]).unlink()  # the only 2024 report
    shutil.copy(RAW / SEED_NAMES[1], raw / "copy.txt")  # a byte-identical copy
    summary = extract(raw, lake, progress=False)
    assert (summary.parsed, summary.removed, summary.files) == (0, 1, 5)  # a copy is known by its hash: never parsed
    assert not (lake / "reports" / "report_year=2024").exists()
    statuses = dict(_read(lake, "reports").select("source_path", "status").iter_rows())
    assert statuses["copy.txt"] == "rejected"
    (raw / SEED_NAMES[1]).unlink()  # the original goes: the copy becomes the report
    summary = extract(raw, lake, progress=False)
    assert summary.parsed == 1
    reports = _read(lake, "reports")
    assert reports.filter(pl.col("source_path") == "copy.txt")["status"].to_list() == ["ok"]
    cold = tmp_path / "cold"
    extract(raw, cold, progress=False)
    assert _files(lake) == _files(cold)


def test_bad_files_are_recorded_and_never_stop_the_others(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    odd = raw / "2024 批次" / "子目录"
    odd.mkdir(parents=True)
    (odd / "空 文件.txt").write_bytes(b"")
    (odd / "image.png").write_bytes(bytes(range(256)) * 40)
    (odd / "通知.txt").write_text("关于召开会议的通知\n请准时参加。", encoding="utf-8")
    shutil.copy(RAW / SEED_NAMES[2], odd / "copy of 002.txt")
    (odd / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (odd / "loop").symlink_to(raw, target_is_directory=True)

    summary = extract(raw, tmp_path / "lake", progress=False)
    assert summary.files == 10
    assert summary.by_status == {"ok": 5, "rejected": 5}
    reports = _read(tmp_path / "lake", "reports")
    findings = _read(tmp_path / "lake", "report_findings").join(
        reports.select("report_id", "source_path"), on="report_id"
    )
    codes = dict(findings.filter(pl.col("severity") == "error").select("source_path", "code").iter_rows())
    assert codes == {
        "2024 批次/子目录/空 文件.txt": "empty_file",
        "2024 批次/子目录/image.png": "not_text",
        "2024 批次/子目录/通知.txt": "not_a_report",
        "2024 批次/子目录/copy of 002.txt": "duplicate_file",
        "2024 批次/子目录/dangling.txt": "unreadable_file",
    }
    assert reports["report_id"].is_unique().all()
    cells = _read(tmp_path / "lake", "report_cells")
    assert cells.height == 1000  # every seed complete
    dup = findings.filter(pl.col("code") == "duplicate_file")["message"].to_list()
    assert dup == [f"same bytes as {SEED_NAMES[2]}"]


def test_missing_raw_folder(tmp_path: Path) -> None:
    with pytest.raises(RawFolderError, match="raw folder not found"):
        extract(tmp_path / "absent", tmp_path / "lake", progress=False)
    assert not (tmp_path / "lake").exists()


def test_empty_raw_folder_writes_empty_typed_tables(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    summary = extract(tmp_path / "raw", tmp_path / "lake", progress=False)
    assert summary.files == 0
    for name, schema in SCHEMAS.items():
        frame = _read(tmp_path / "lake", name)
        assert frame.height == 0 and dict(frame.schema) == {**schema, YEAR_COLUMN: pl.Int32}
