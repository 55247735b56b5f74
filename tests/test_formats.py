"""HTML, Word and PDF editions of the seeds read back to the same cells as the text."""

from __future__ import annotations

import pytest
from report_formats import to_docx, to_html, to_pdf
from samples import RAW, SEED_NAMES, golden

from pipelines.extract.read.formats import DOCX, HTML, PDF, TEXT, detect_format
from pipelines.extract.read.report import parse_bytes


def _values(report) -> dict[tuple[str, str, str], object]:
    return {(c.table, c.row, c.column): c.value for c in report.cells}


# Seeds whose text keeps the table rows (tab layout): HTML and Word tables are built from them.
# The paragraph-layout seeds (002, 003) lost their rows in the text, so only a PDF (rows as
# lines of cells, or one cell per line) can be made from them faithfully.
TAB_SEEDS = [SEED_NAMES[0], SEED_NAMES[1], SEED_NAMES[4]]
CASES = [(name, fmt) for name in TAB_SEEDS for fmt in ("html", "docx")] + [(name, "pdf") for name in SEED_NAMES]
RENDER = {"html": (to_html, HTML), "docx": (to_docx, DOCX), "pdf": (to_pdf, PDF)}


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_seed_in_another_format_gives_the_same_cells(name: str, fmt: str) -> None:
    render, kind = RENDER[fmt]
    text = (RAW / name).read_text(encoding="utf-8")
    expected = parse_bytes(text.encode(), name)
    data = render(text, golden(name))
    assert detect_format(data) == kind
    report = parse_bytes(data, f"{name}.{kind}")
    assert report.format == kind
    assert _values(report) == _values(expected)
    assert len(report.cells) == 200
    assert report.tables() == golden(name)["tables"]
    assert report.meta.agency == golden(name)["agency"]
    assert report.meta.report_year == golden(name)["report_year"]
    assert report.status == "ok", [f.message for f in report.findings]


def test_html_cells_point_at_their_source_lines() -> None:
    text = (RAW / SEED_NAMES[1]).read_text(encoding="utf-8")
    data = to_html(text, golden(SEED_NAMES[1]))
    report = parse_bytes(data, "001.html")
    source = data.decode().split("\n")
    for cell in report.cells[:30]:
        assert f">{int(cell.value)}<" in source[cell.line - 1], (cell, source[cell.line - 1])


@pytest.mark.parametrize("charset", ["gb18030", "big5"])
def test_traditional_html_in_a_charset_declared_by_meta(charset: str) -> None:
    import opencc

    simplified = (RAW / SEED_NAMES[1]).read_text(encoding="utf-8").replace("\xa0", " ")
    traditional = opencc.OpenCC("s2tw").convert(simplified)  # Taiwan forms: all in Big5
    report = parse_bytes(to_html(traditional, golden(SEED_NAMES[1]), charset=charset, traditional=True), "001.html")
    assert (report.format, report.encoding, report.script) == (HTML, charset, "traditional")
    assert report.tables() == golden(SEED_NAMES[1])["tables"]
    assert report.meta.agency == golden(SEED_NAMES[1])["agency"]


def test_pdf_page_numbers_are_not_values() -> None:
    text = (RAW / SEED_NAMES[0]).read_text(encoding="utf-8")
    report = parse_bytes(to_pdf(text, golden(SEED_NAMES[0]), lines_per_page=20), "000.pdf")  # page breaks inside tables
    assert report.tables() == golden(SEED_NAMES[0])["tables"]


def test_damaged_files_of_known_formats_are_rejected_with_a_finding() -> None:
    for data, kind in ((b"%PDF-1.4\nnot really", PDF), ("<html><body><p>通知</p></body></html>".encode(), HTML)):
        report = parse_bytes(data, "bad")
        assert report.status == "rejected"
        assert report.format == kind
    docx_like = b"PK\x03\x04" + b"\x00" * 64
    assert detect_format(docx_like) == TEXT
    assert parse_bytes(docx_like, "zip").status == "rejected"
