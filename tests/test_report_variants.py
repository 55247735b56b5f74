"""Variants of the seeds: other layouts, scripts and encodings, and broken tables.

Each test edits a seed the way real reports differ, then checks the values that must not
change and the finding that must appear. Blank is never 0; nothing is guessed silently.
"""

from __future__ import annotations

import opencc
import pytest
from samples import SEED_NAMES, golden, seed_text

from pipelines.extract.read.report import Report, parse_bytes, parse_text

pytestmark = pytest.mark.slow  # seconds to minutes a test: run by `make test-full`, not `make test`

S000, S001, S002, S003, S004 = SEED_NAMES


def _parse(text: str) -> Report:
    return parse_text(text, "variant.txt")


def _replace_line(text: str, number: int, new: str, expect: str) -> str:
    lines = text.split("\n")
    assert lines[number - 1] == expect, lines[number - 1]
    lines[number - 1] = new
    return "\n".join(lines)


def _codes(report: Report) -> list[str]:
    return [f.code for f in report.findings]


def _tab_to_paragraphs(text: str) -> str:
    """Re-lay a tab-indented report out as one cell per paragraph (as web pages are copied)."""
    out: list[str] = []
    for line in text.split("\n"):
        if line.startswith("\t"):
            out += ["", line[1:]]
        else:
            out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("name", [S000, S001, S004])
def test_tab_report_relaid_as_paragraphs_reads_the_same(name: str) -> None:
    report = _parse(_tab_to_paragraphs(seed_text(name)))
    assert report.tables() == golden(name)["tables"]
    assert report.status == "ok"


@pytest.mark.parametrize("name", [S001, S002])
def test_simplified_report_converted_to_traditional(name: str) -> None:
    traditional = opencc.OpenCC("s2t").convert(seed_text(name))
    report = _parse(traditional)
    assert report.script == "traditional"
    assert report.tables() == golden(name)["tables"]
    assert report.meta.agency == golden(name)["agency"]
    assert report.meta.agency_as_written != report.meta.agency  # kept in the report's own script


@pytest.mark.parametrize("marker", ["", "\xa0", "—", "-", "/", "无"])
def test_blank_cell_in_tab_layout_is_null_with_a_finding(marker: str) -> None:
    text = _replace_line(seed_text(S001), 91, "\t" + marker, "\t1")  # new_received.total
    report = _parse(text)
    assert report.tables()["requests"]["new_received"]["total"] is None
    assert report.tables()["requests"]["new_received"]["natural_person"] == 1
    blank = [f for f in report.findings if f.code == "cell_blank"]
    assert len(blank) == 1
    assert (blank[0].line, blank[0].row, blank[0].column) == (91, "new_received", "total")
    assert report.status == "partial"
    assert len(report.cells) == 200  # the blank cell is kept, as null


def test_blank_marker_in_paragraph_layout() -> None:
    text = _replace_line(seed_text(S002), 123, "—", "6")
    report = _parse(text)
    assert report.tables()["requests"]["new_received"]["total"] is None
    assert report.tables()["requests"]["new_received"]["natural_person"] == 4
    assert _codes(report) == ["cell_blank"]


def test_invisible_blank_in_paragraph_layout_aligns_nothing() -> None:
    """With one cell per paragraph, an empty cell leaves no trace: which column is missing
    cannot be known, so the row is left null rather than shifted."""
    text = _replace_line(seed_text(S002), 123, "", "6")
    report = _parse(text)
    row = report.tables()["requests"]["new_received"]
    assert set(row.values()) == {None}
    assert report.tables()["requests"]["carried_over"]["natural_person"] == 1
    finding = next(f for f in report.findings if f.code == "row_cell_count")
    assert (finding.row, finding.line) == ("new_received", 109)
    assert report.status == "partial"


def test_unreadable_cell() -> None:
    text = _replace_line(seed_text(S001), 85, "\tl", "\t1")  # a letter l for a 1
    report = _parse(text)
    assert report.tables()["requests"]["new_received"]["natural_person"] is None
    finding = next(f for f in report.findings if f.code == "cell_unreadable")
    assert (finding.line, finding.severity) == (85, "error")
    assert "'l'" in finding.message


def test_fee_amount_keeps_decimals() -> None:
    text = _replace_line(seed_text(S001), 61, "\t1,234.50", "\t0")
    report = _parse(text)
    assert str(report.tables()["active_disclosure"]["administrative_fees"]["amount"]) == "1234.50"
    assert report.status == "ok"


def test_missing_row_is_reported_and_the_others_kept() -> None:
    lines = seed_text(S002).split("\n")
    assert lines[372] == "2.重复申请"
    del lines[372:388]  # the label and its 7 values, with their blank lines
    report = _parse("\n".join(lines))
    tables = report.tables()
    assert tables["requests"]["not_processed_duplicate"]["total"] is None
    assert tables["requests"]["not_processed_publication"]["total"] == 0
    assert tables["requests"]["total_handled"]["total"] == 7
    missing = [f for f in report.findings if f.code == "row_missing"]
    assert [f.row for f in missing] == ["not_processed_duplicate"]
    assert len(report.cells) == 193


def test_report_cut_after_table_two() -> None:
    text = "\n".join(seed_text(S001).split("\n")[:63])
    report = _parse(text)
    assert report.tables()["active_disclosure"] == golden(S001)["tables"]["active_disclosure"]
    assert {f.table for f in report.findings if f.code == "table_missing"} == {"requests", "review_litigation"}
    assert _codes(report).count("section_missing") == 4
    assert report.status == "partial"


def test_rows_out_of_order_still_land_on_their_keys() -> None:
    lines = seed_text(S002).split("\n")
    granted = lines[142:158]  # (一)予以公开 and its values
    del lines[142:158]
    at = lines.index("(七)总计")
    lines[at:at] = granted
    report = _parse("\n".join(lines))
    assert report.tables() == golden(S002)["tables"]


def test_other_processing_printed_as_one_row() -> None:
    lines = seed_text(S002).split("\n")
    start = lines.index("(六)其他处理")
    end = lines.index("(七)总计")
    lines[start:end] = ["(六)其他处理", "", *["0", ""] * 7]
    report = _parse("\n".join(lines))
    tables = report.tables()
    assert tables["requests"]["other_processing"]["total"] == 0
    for row in ("other_overdue_correction", "other_unpaid_fee", "other"):
        assert set(tables["requests"][row].values()) == {None}
    assert _codes(report) == ["other_processing_combined"]


def test_label_wrapped_over_two_paragraphs() -> None:
    text = seed_text(S002).replace(
        "(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "(二)部分公开(区分处理的,只计这一情形,\n\n不计其他情形)"
    )
    report = _parse(text)
    assert report.tables() == golden(S002)["tables"]


@pytest.mark.parametrize(
    ("name", "encoding"),
    [(S002, "gb18030"), (S003, "big5"), (S003, "utf-16"), (S001, "utf-8-sig")],
)
def test_encodings_are_detected(name: str, encoding: str) -> None:
    data = seed_text(name).replace("\xa0", " ").encode(encoding)  # Big5 and GBK have no NBSP
    report = parse_bytes(data, name)
    assert report.encoding == encoding
    assert report.tables() == golden(name)["tables"]
    assert report.meta.agency == golden(name)["agency"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (b"  \n\n ", "empty_file"),
        (bytes(range(256)) * 20, "not_text"),
        ("这是一份会议通知，不是年度报告。\n请各单位准时参加。".encode(), "not_a_report"),
    ],
)
def test_not_a_report_is_rejected(data: bytes, code: str) -> None:
    report = parse_bytes(data, "bad.txt")
    assert _codes(report) == [code]
    assert report.status == "rejected"
    assert report.cells == []


@pytest.mark.parametrize("name", SEED_NAMES)
def test_a_damaged_byte_in_utf8_costs_only_what_it_hits(name: str) -> None:
    """A flipped byte in the narrative, and a download cut inside a character: the report is
    read (not rejected as binary), with an `encoding_damaged` finding naming the line."""
    data = seed_text(name).encode()
    at = data.find("政府信息".encode(), len(data) // 10)
    damaged = data[:at] + bytes([data[at] ^ 0x40]) + data[at + 1 :] + "公开".encode()[:2]
    report = parse_bytes(damaged, name)
    assert report.status == "partial"  # a warning, not a rejection
    assert sorted(_codes(report)) == sorted([*_codes(parse_bytes(data, name)), "encoding_damaged"])
    found = [f for f in report.findings if f.code == "encoding_damaged"]
    line = data[:at].count(b"\n") + 1
    assert len(found) == 1 and found[0].line == line
    last = damaged.count(b"\n") + 1
    assert found[0].message.endswith(f"replaced with U+FFFD on lines {line}, {last}")
    assert report.tables() == golden(name)["tables"]


def test_text_in_another_encoding_is_not_read_as_damaged_utf8() -> None:
    data = seed_text(SEED_NAMES[0]).encode("gb18030")
    report = parse_bytes(data, "gb.txt")
    assert report.encoding == "gb18030" and "encoding_damaged" not in _codes(report)
