"""Hostile and odd input, all in one raw folder beside the good seeds: each file gets a
specific finding and status, nothing crashes, nothing is dropped, the good files are complete."""

from __future__ import annotations

import shutil

import polars as pl
import pytest
from samples import RAW, SEED_NAMES, golden

from pipelines.extract.corpus import extract
from pipelines.extract.lake import read_table
from pipelines.extract.plan import MAX_FILE_BYTES

S000, S001, S002, S003, S004 = SEED_NAMES


def _lines(name: str) -> list[str]:
    return (RAW / name).read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    root = tmp_path_factory.mktemp("hostile")
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    odd = raw / "收件 箱"
    odd.mkdir()
    (odd / "empty.txt").write_bytes(b"")
    (odd / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 64)
    (odd / "会议通知.txt").write_text("关于召开政务公开工作会议的通知\n各科室：\n定于周五召开会议。", encoding="utf-8")
    (odd / "cut after table 2.txt").write_text("\n".join(_lines(S001)[:63]), encoding="utf-8")
    lines = _lines(S002)
    del lines[372:388]  # the row 2.重复申请 and its seven cells
    (odd / "row missing.txt").write_text("\n".join(lines), encoding="utf-8")
    lines = _lines(S001)
    del lines[85]  # one cell of new_received: the row has six cells
    (odd / "cell missing.txt").write_text("\n".join(lines), encoding="utf-8")
    lines = _lines(S002)
    granted = lines[142:158]
    del lines[142:158]
    at = lines.index("(七)总计")
    lines[at:at] = granted
    (odd / "rows out of order.txt").write_text("\n".join(lines), encoding="utf-8")
    shutil.copy(RAW / S003, odd / "the same report again.txt")
    big = odd / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 20 * 10**6)  # 50 MB
    (odd / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + b"\x00" * 200)
    (raw / "loop").symlink_to(raw, target_is_directory=True)
    (odd / "dangling link.txt").symlink_to(root / "gone.txt")
    # a revised edition: the same agency and year, republished later
    revised = [line.replace("发布时间:2023-01-19", "发布时间:2023-02-03") for line in _lines(S002)]
    (odd / "商务局 修订版.txt").write_text("\n".join(revised), encoding="utf-8")
    extract(raw, root / "lake", progress=False)
    tables = {name: read_table(root / "lake", name) for name in ("reports", "report_cells")}
    findings = read_table(root / "lake", "report_findings")
    tables["findings"] = findings.join(tables["reports"].select("report_id", "source_path"), on="report_id")
    return tables


def _report(lake: dict[str, pl.DataFrame], path: str) -> dict:
    rows = lake["reports"].filter(pl.col("source_path") == path).to_dicts()
    assert len(rows) == 1, path
    return rows[0]


def _codes(lake: dict[str, pl.DataFrame], path: str) -> list[str]:
    return lake["findings"].filter(pl.col("source_path") == path)["code"].to_list()


def test_every_file_is_in_reports(lake: dict[str, pl.DataFrame]) -> None:
    assert lake["reports"].height == 5 + 12  # the seeds and every odd file (the link loop is a folder)
    assert lake["reports"]["report_id"].is_unique().all()


def test_good_files_are_complete(lake: dict[str, pl.DataFrame]) -> None:
    cells = lake["report_cells"].join(lake["reports"].select("report_id", "source_path"), on="report_id")
    for name in SEED_NAMES:
        assert _report(lake, name)["status"] == "ok"
        seed = cells.filter(pl.col("source_path") == name)
        assert seed.height == 200
        truth = golden(name)["tables"]
        for row in seed.iter_rows(named=True):
            assert row["value"] == truth[row["table_key"]][row["row_key"]][row["column_key"]]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("收件 箱/empty.txt", "rejected", "empty_file"),
        ("收件 箱/photo.jpg", "rejected", "not_text"),
        ("收件 箱/.DS_Store", "rejected", "not_text"),
        ("收件 箱/会议通知.txt", "rejected", "not_a_report"),
        ("收件 箱/the same report again.txt", "rejected", "duplicate_file"),
        ("收件 箱/huge.txt", "rejected", "file_too_large"),
        ("收件 箱/dangling link.txt", "rejected", "unreadable_file"),
        ("收件 箱/cut after table 2.txt", "partial", "table_missing"),
        ("收件 箱/row missing.txt", "partial", "row_missing"),
        ("收件 箱/cell missing.txt", "partial", "row_cell_count"),
    ],
)
def test_each_hostile_file_gets_its_finding(lake: dict[str, pl.DataFrame], path: str, status: str, code: str) -> None:
    assert _report(lake, path)["status"] == status
    assert code in _codes(lake, path)


def test_huge_file_is_not_read_but_identified(lake: dict[str, pl.DataFrame]) -> None:
    report = _report(lake, "收件 箱/huge.txt")
    assert report["size_bytes"] == MAX_FILE_BYTES + 20 * 10**6
    assert len(report["sha256"]) == 64


def test_cut_report_keeps_what_it_has(lake: dict[str, pl.DataFrame]) -> None:
    report = _report(lake, "收件 箱/cut after table 2.txt")
    assert report["n_cells"] == 10  # table 2 complete
    missing = lake["findings"].filter(
        pl.col("source_path") == "收件 箱/cut after table 2.txt", pl.col("code") == "table_missing"
    )
    assert sorted(missing["table_key"].to_list()) == ["requests", "review_litigation"]


def test_cell_missing_row_is_null_not_shifted(lake: dict[str, pl.DataFrame]) -> None:
    report = _report(lake, "收件 箱/cell missing.txt")
    assert report["n_cells"] == 193
    finding = lake["findings"].filter(pl.col("source_path") == "收件 箱/cell missing.txt").to_dicts()
    assert [(f["code"], f["row_key"], f["line"]) for f in finding] == [("row_cell_count", "new_received", 84)]


def test_rows_out_of_order_are_read_right(lake: dict[str, pl.DataFrame]) -> None:
    report = _report(lake, "收件 箱/rows out of order.txt")
    assert (report["status"], report["n_cells"]) == ("ok", 200)


def test_symlink_loop_is_not_followed(lake: dict[str, pl.DataFrame]) -> None:
    assert not lake["reports"].filter(pl.col("source_path").str.starts_with("loop/")).height


def test_revised_edition_is_kept_beside_the_original(lake: dict[str, pl.DataFrame]) -> None:
    original, revised = _report(lake, S002), _report(lake, "收件 箱/商务局 修订版.txt")
    assert (original["agency"], original["report_year"]) == (revised["agency"], revised["report_year"])
    assert (original["status"], revised["status"]) == ("ok", "ok")
    assert str(revised["published_on"]) == "2023-02-03"
    assert original["file_modified_at"] is not None
