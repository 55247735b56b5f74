"""The PDF reader (pipelines/extract/read/formats/pdf.py): ruled tables as grids read from the page
geometry, positioned text lines elsewhere, page numbers dropped, hostile files refused.

The real report is read from ../shared/realworld (beside the project, not in it): a clone without
it skips those tests. Ruled tables are also drawn with reportlab (tests/report_formats.py) and
must come back cell for cell.
"""

from __future__ import annotations

import json
import re
import time
import zlib
from pathlib import Path

import pytest
from report_formats import PAGE_HEIGHT, PAGE_WIDTH, SIZE, Cell, RuledWriter, place, to_pdf
from samples import golden

from pipelines.extract.read.formats import PDF, Converted
from pipelines.extract.read.formats.limits import MAX_PAGES
from pipelines.extract.read.formats.pdf import pdf_to_text
from pipelines.extract.read.layout import Line, text_lines
from pipelines.extract.read.report import parse_bytes

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "realworld"
HUAIAN = REAL / "raw" / "huaian-2024.pdf"
PAGE_NUMBER = re.compile(r"^[-—\s]*\d{1,3}[-—\s]*$")


def _grid_rows(converted: Converted) -> list[Line]:
    return [line for line in converted.layout or () if line.grid is not None]


def _values(line: Line) -> list[tuple[int | None, str]]:
    return [(p.col, p.text) for p in line.pieces if re.fullmatch(r"\d+(\.\d+)?", p.text)]


def _check_text_matches_layout(converted: Converted) -> None:
    """`text` has one line per layout line; a piece's `line` is its line there."""
    assert converted.text is not None and converted.layout is not None
    text = converted.text.split("\n")
    assert len(text) == len(converted.layout)
    for number, line in enumerate(converted.layout, start=1):
        assert line.line == number
        assert text[number - 1] == "  ".join(p.text.replace("\n", "") for p in line.pieces)
        assert all(p.line == number and p.page == line.page for p in line.pieces)
        if line.grid is None:
            assert all(p.col is None for p in line.pieces)
        else:
            cols = [p.col for p in line.pieces]
            assert cols == sorted(cols) and len(set(cols)) == len(cols)


# --- the real report --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def huaian() -> Converted:
    if not HUAIAN.exists():
        pytest.skip(f"the real-report corpus is not beside this clone ({HUAIAN}): see ../shared/realworld")
    return pdf_to_text(HUAIAN.read_bytes())


def _row_with(converted: Converted, label: str) -> Line:
    rows = [line for line in _grid_rows(converted) if any(p.text.replace("\n", "") == label for p in line.pieces)]
    assert len(rows) == 1, (label, rows)
    return rows[0]


def test_real_table_3_total_row_is_one_grid_row(huaian: Converted) -> None:
    row = _row_with(huaian, "（七）总计")
    values = _values(row)
    assert [text for _, text in values] == ["2932", "53", "0", "0", "61", "4", "3050"]
    cols = [col for col, _ in values]
    assert cols == sorted(cols) and len(set(cols)) == 7
    assert row.pieces[0].text == "（七）总计" and row.pieces[0].col < cols[0]


def test_real_wrapped_label_is_one_piece(huaian: Converted) -> None:
    label = "1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
    row = _row_with(huaian, label)
    piece = next(p for p in row.pieces if p.text.replace("\n", "") == label)
    assert piece.text.count("\n") == 2  # printed over three lines inside its cell
    assert [text for _, text in _values(row)] == ["67", "3", "0", "0", "1", "0", "71"]


def test_real_table_4_values_in_one_row(huaian: Converted) -> None:
    want = ["72", "64", "178", "37", "351", "13", "4", "8", "1", "26", "12", "1", "1", "6", "20"]
    rows = [line for line in _grid_rows(huaian) if [t for _, t in _values(line)] == want]
    assert len(rows) == 1
    assert [p.col for p in rows[0].pieces] == list(range(15))


def test_real_table_2_row(huaian: Converted) -> None:
    row = _row_with(huaian, "行政规范性文件")
    assert [text for _, text in _values(row)] == ["8", "26", "66"]
    assert [p.col for p in row.pieces] == [0, 1, 2, 3]


def test_real_page_numbers_are_dropped(huaian: Converted) -> None:
    pieces = [p.text.strip() for line in huaian.layout or () for p in line.pieces]
    assert not [t for t in pieces if re.fullmatch(r"-\d+-", t)]
    for line in _grid_rows(huaian):  # a table's values are the hand-checked ones, never a page number
        assert all(not PAGE_NUMBER.match(p.text) or p.col is not None for p in line.pieces)
    assert [line.page for line in huaian.layout or ()][-1] == 6


def test_real_layout_and_text_agree(huaian: Converted) -> None:
    _check_text_matches_layout(huaian)
    grids = sorted({line.grid for line in _grid_rows(huaian)})
    assert grids == list(range(len(grids))) and len(grids) >= 4  # tables 2-4, table 3 over two pages
    assert huaian.findings == ()


def test_real_report_parses_to_the_hand_checked_values(huaian: Converted) -> None:
    expected = json.loads((REAL / "expected" / "huaian-2024.pdf.json").read_text(encoding="utf-8"))
    report = parse_bytes(HUAIAN.read_bytes(), "huaian-2024.pdf")
    got = {
        t: {r: {c: float(v) for c, v in row.items()} for r, row in rows.items()} for t, rows in report.tables().items()
    }
    assert got == expected["tables"]
    assert len(report.cells) == 200


# --- ruled tables drawn with reportlab --------------------------------------------------------

WRAPPED = "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"
TABLE_3: list[list[Cell]] = [
    [Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), Cell("申请人情况", 1, 7)],
    [Cell("自然人", 2), Cell("法人或其他组织", 1, 5), Cell("总计", 2)],
    [Cell("商业企业"), Cell("科研机构"), Cell("社会公益组织"), Cell("法律服务机构"), Cell("其他")],
    [Cell("一、本年新收政府信息公开申请数量", 1, 3), *map(Cell, ["3001", "53", "0", "0", "61", "4", "3119"])],
    [
        Cell("三、本年度办理结果", 4),
        Cell("（一）予以公开", 1, 2),
        *map(Cell, ["1288", "21", "0", "0", "50", "3", "1362"]),
    ],
    [Cell("（三）不予公开", 2), Cell("1.属于国家秘密"), *map(Cell, ["2", "", "0", "", "0", "0", "2"])],
    [Cell("2.其他法律行政法规禁止公开"), *map(Cell, ["30", "1", "0", "0", "0", "0", "31"])],
    [Cell("（六）其他处理"), Cell(WRAPPED), *map(Cell, ["67", "3", "0", "0", "1", "0", "71"])],
    [Cell("（七）总计", 1, 3), *map(Cell, ["2932", "53", "0", "0", "61", "4", "3050"])],
]
WIDTHS = [40.0, 60.0, 110.0] + [45.0] * 7


def _expected(rows: list[list[Cell]]) -> list[list[tuple[int, str]]]:
    return [[(col, cell.text) for col, cell in row] for row in place(rows)]


def _got(line: Line) -> list[tuple[int | None, str]]:
    return [(p.col, p.text.replace("\n", "")) for p in line.pieces]


def _unspaced(rows: list[list[tuple[int | None, str]]]) -> list[list[tuple[int | None, str]]]:
    """Cells without spaces: the space at a wrap is not printed, so joining the lines loses it."""
    return [[(col, re.sub(r"\s", "", text)) for col, text in row] for row in rows]


@pytest.mark.parametrize("borders", ["stroke", "fill"])
def test_ruled_table_comes_back_cell_for_cell(borders: str) -> None:
    writer = RuledWriter(borders)
    writer.paragraph("三、收到和处理政府信息公开申请情况")
    writer.table(TABLE_3, WIDTHS)
    writer.paragraph("四、政府信息公开行政复议、行政诉讼情况")
    converted = pdf_to_text(writer.finish())
    _check_text_matches_layout(converted)
    rows = _grid_rows(converted)
    assert [_got(line) for line in rows] == _expected(TABLE_3)
    assert {line.grid for line in rows} == {0} and [line.row for line in rows] == list(range(len(TABLE_3)))
    wrapped = next(p for line in rows for p in line.pieces if p.text.replace("\n", "") == WRAPPED)
    assert wrapped.text.count("\n") >= 2  # one piece, its printed lines joined with newlines
    blanks = [(line.row, p.col) for line in rows for p in line.pieces if p.text == ""]
    assert blanks == [(5, 4), (5, 6)]  # blank cells are empty pieces at their column
    xs = {p.col: p.x for line in rows for p in line.pieces}
    assert xs[0] == pytest.approx(30, abs=1) and xs[3] == pytest.approx(30 + sum(WIDTHS[:3]), abs=1)
    text = [line for line in text_lines(converted.layout or ()) if "（七）总计" in line]
    assert text == ["（七）总计  2932  53  0  0  61  4  3050"]
    assert [line.pieces[0].text for line in converted.layout or () if line.grid is None] == [
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]  # and the page number "-1-" is gone


# PDFium gives reportlab's non-embedded STSong-Light no CJK widths on a rotated page or in a form
# (and full-width boxes to its Latin glyphs): these tables are in ASCII, in Helvetica.
LANDSCAPE = [
    [Cell("Applicants", 2, 2), Cell("Organisations", 1, 2), Cell("Total", 2)],
    [Cell("Firms"), Cell("Others")],
    [Cell("New requests received this year, all applicants", 1, 2), Cell("3001"), Cell(""), Cell("3119")],
    [Cell("Handled"), Cell("Granted in full"), Cell("1288"), Cell("21"), Cell("1362")],
]


def test_ruled_table_on_a_rotated_page() -> None:
    writer = RuledWriter(rotate=90, font="Helvetica")
    writer.paragraph("Section three")
    writer.table(LANDSCAPE, [60.0, 80.0, 50.0, 50.0, 50.0])
    converted = pdf_to_text(writer.finish())
    _check_text_matches_layout(converted)
    assert _unspaced([_got(line) for line in _grid_rows(converted)]) == _unspaced(_expected(LANDSCAPE))
    assert [text_lines((line,))[0] for line in converted.layout or () if line.grid is None] == ["Section three"]


def test_table_across_pages_is_a_new_grid_and_page_numbers_are_not_cells() -> None:
    writer = RuledWriter()
    for _ in range(44):
        writer.paragraph("正文")
    rows = [[Cell(f"第{k}行"), Cell(str(k)), Cell("")] for k in range(1, 41)]
    writer.table(rows, [200.0, 100.0, 100.0])
    converted = pdf_to_text(writer.finish())
    _check_text_matches_layout(converted)
    grid_rows = _grid_rows(converted)
    assert [_got(line) for line in grid_rows] == _expected(rows)
    pages = sorted({line.page for line in grid_rows})
    assert len(pages) == 2 and {line.grid for line in grid_rows} == {0, 1}
    second = [line for line in grid_rows if line.grid == 1]
    assert second[0].row == 0 and second[0].page == pages[1]
    assert not [line for line in converted.layout or () if PAGE_NUMBER.match(text_lines((line,))[0])]


def test_table_drawn_inside_a_form_xobject() -> None:
    writer = RuledWriter(font="Helvetica")
    writer.canvas.beginForm("table")
    writer.canvas.setFont("Helvetica", SIZE)  # a form starts from reportlab's default font state
    writer.table(LANDSCAPE, [60.0, 80.0, 50.0, 50.0, 50.0])
    writer.canvas.endForm()
    writer.canvas.saveState()
    writer.canvas.translate(40, -200)  # the form's matrix moves rulings and text alike
    writer.canvas.scale(1.2, 1.2)
    writer.canvas.doForm("table")
    writer.canvas.restoreState()
    converted = pdf_to_text(writer.finish())
    rows = _grid_rows(converted)
    assert _unspaced([_got(line) for line in rows]) == _unspaced(_expected(LANDSCAPE))
    assert rows[0].pieces[0].x == pytest.approx(40 + 30 * 1.2, abs=1)


def test_unruled_page_gives_positioned_lines() -> None:
    writer = RuledWriter()
    for label, values in (("规章", ("1", "0", "11")), ("行政规范性文件", ("8", "26", "66"))):
        writer.canvas.drawString(30, writer.y, label)
        for k, value in enumerate(values):
            writer.canvas.drawString(200 + 80 * k, writer.y, value)
        writer.y -= 16
    writer.paragraph("2024年，全市共受理政府信息公开申请 3119 件。")
    converted = pdf_to_text(writer.finish())
    layout = converted.layout or ()
    assert converted.text is not None and converted.text.split("\n")[:2] == [
        "规章  1  0  11",
        "行政规范性文件  8  26  66",
    ]
    assert [(p.text, p.x, p.col) for p in layout[0].pieces] == [
        ("规章", 30, None),
        ("1", 200, None),
        ("0", 280, None),
        ("11", 360, None),
    ]
    assert layout[0].grid is None and layout[0].page == 1
    assert [p.text for p in layout[2].pieces] == ["2024年，全市共受理政府信息公开申请 3119 件。"]


@pytest.mark.parametrize("name", ["000_9707a1ee668ca233.txt", "004_6057b744213ce4be.txt"])
def test_seed_as_ruled_pdf_gives_the_same_cells(name: str) -> None:
    text = (ROOT / "data" / "raw" / name).read_text(encoding="utf-8")
    expected = parse_bytes(text.encode(), name)
    report = parse_bytes(to_pdf(text, golden(name), ruled=True), f"{name}.pdf")
    assert {(c.table, c.row, c.column): c.value for c in report.cells} == {
        (c.table, c.row, c.column): c.value for c in expected.cells
    }
    assert report.tables() == golden(name)["tables"]
    assert report.status == expected.status


# --- hostile files ----------------------------------------------------------------------------


def _pdf(pages: list[bytes], extra: dict[int, bytes] | None = None, resources: bytes = b"") -> bytes:
    """A minimal PDF: one content stream per page, plus extra numbered objects."""
    objects: dict[int, bytes] = {1: b"<< /Type /Catalog /Pages 2 0 R >>"}
    first = 10
    kids = b" ".join(b"%d 0 R" % (first + 2 * k) for k in range(len(pages)))
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages))
    for k, content in enumerate(pages):
        number = first + 2 * k
        objects[number] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R %s >>" % (
            number + 1,
            resources,
        )
        objects[number + 1] = _stream(content)
    objects.update(extra or {})
    out, offsets = b"%PDF-1.7\n", {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n" for n in range(size))
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)


def _stream(content: bytes, entries: bytes = b"", flate: bool = False) -> bytes:
    if flate:
        entries += b" /Filter /FlateDecode"
        content = zlib.compress(content)
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(content), entries, content)


def _refused(converted: Converted, code: str, words: str) -> None:
    assert converted.text is None and converted.layout is None and converted.format == PDF
    assert [f.code for f in converted.findings] == [code]
    assert words in converted.findings[0].message


def test_password_protected_pdf_is_not_text() -> None:
    writer = RuledWriter()
    writer.canvas.setEncrypt("secret")
    writer.paragraph("一、总体情况")
    _refused(pdf_to_text(writer.finish()), "not_text", "password")


def test_pdf_encrypted_for_permissions_only_is_read() -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    writer = RuledWriter()
    writer.canvas.setEncrypt(StandardEncryption("", ownerPassword="owner", canCopy=0, canModify=0))
    writer.table(TABLE_3, WIDTHS)
    converted = pdf_to_text(writer.finish())
    assert [_got(line) for line in _grid_rows(converted)] == _expected(TABLE_3)


def test_damaged_pdfs_give_a_finding_or_what_can_be_read() -> None:
    _refused(pdf_to_text(b"%PDF-1.4\nnot really"), "not_text", "cannot read")
    seed = "001_95f16b6553e5017d.txt"
    whole = to_pdf((ROOT / "data" / "raw" / seed).read_text(encoding="utf-8"), golden(seed), ruled=True)
    for cut in (len(whole) // 3, len(whole) * 2 // 3, len(whole) - 40):
        converted = pdf_to_text(whole[:cut])  # never raises
        assert converted.text is not None or converted.findings[0].code == "not_text"
    assert parse_bytes(b"%PDF-1.4\nnot really", "bad.pdf").status == "rejected"


def test_pdf_without_text_layer() -> None:
    _refused(pdf_to_text(_pdf([b"0 0 m 100 100 l S"])), "not_text", "no text layer")


def test_too_many_pages_are_not_read() -> None:
    start = time.perf_counter()
    _refused(
        pdf_to_text(_pdf([b""] * (MAX_PAGES + 1))),
        "file_too_complex",
        f"{MAX_PAGES + 1} pages, over the 300 limit (limits.MAX_PAGES)",
    )
    assert time.perf_counter() - start < 5


def test_page_with_hundreds_of_thousands_of_objects() -> None:
    content = b"".join(b"%d %d m %d %d l S\n" % (k % 500, k % 800, k % 500 + 1, k % 800) for k in range(300_000))
    start = time.perf_counter()
    _refused(
        pdf_to_text(_pdf([content])),
        "file_too_complex",
        "drawing objects, over the 50,000 limit (limits.MAX_PAGE_OBJECTS)",
    )
    assert time.perf_counter() - start < 10


def test_page_with_too_many_characters() -> None:
    font = b"/Resources << /Font << /F1 20 0 R >> >>"
    text = b"BT /F1 2 Tf 10 10 Td (" + b"x" * 60_000 + b") Tj ET"
    extra = {20: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    _refused(
        pdf_to_text(_pdf([text], extra, font)),
        "file_too_complex",
        "page 1 has at least 32,767 characters, over the 20,000 limit (limits.MAX_PAGE_CHARS)",
    )


def test_decompression_bomb_is_refused_before_inflating() -> None:
    compressor = zlib.compressobj(9)
    chunk = b" " * 2**20
    bomb = b"".join(compressor.compress(chunk) for _ in range(400)) + compressor.flush()  # 400 MB of spaces
    data = _pdf([b""], {30: b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(bomb), bomb)})
    data = data.replace(b"/Contents 11 0 R", b"/Contents 30 0 R")
    start = time.perf_counter()
    _refused(
        pdf_to_text(data), "file_too_complex", "decompression bomb), over the 256 MiB limit (limits.MAX_INFLATED_BYTES)"
    )
    assert time.perf_counter() - start < 10


def test_form_bomb_is_refused_before_pdfium_expands_it() -> None:
    levels, uses = 4, 100  # 100^4 objects once expanded: PDFium alone went past 23 GB on this
    extra = {}
    for level in range(levels):
        number = 40 + level
        if level == levels - 1:
            extra[number] = _stream(b"0 0 m 1 1 l S\n" * uses, b"/Type /XObject /Subtype /Form /BBox [0 0 595 842]")
        else:
            entries = b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /X %d 0 R >> >>"
            extra[number] = _stream(b"q /X Do Q\n" * uses, entries % (number + 1), flate=level % 2 == 0)
    data = _pdf([b"/X Do"], extra, b"/Resources << /XObject << /X 40 0 R >> >>")
    start = time.perf_counter()
    _refused(pdf_to_text(data), "file_too_complex", "form bomb), over the 1,000,000 limit (limits.MAX_FORM_EXPANSION)")
    assert time.perf_counter() - start < 5


def test_page_size_constants_match_the_writer() -> None:
    assert (PAGE_WIDTH, PAGE_HEIGHT) == (595.0, 842.0)  # the positions asserted above assume A4


def test_a_stream_followed_by_more_than_it_inflates_to_ends() -> None:
    """At a stream's end zlib keeps its `unconsumed_tail`: the pre-scan once looped on it for ever
    when a stream inflated past one read's output (1 MB) and more bytes followed it (found by
    bench/fuzz.py: every PDF with a content stream of a few MB hung its worker)."""
    import signal
    import zlib

    from pipelines.extract.read.formats.pdf import _inflate

    content = b"30 800 m 300 800 l S\n" * 150_000  # 3,150,000 bytes inflated from 7.7 KB
    data = b"stream\n" + zlib.compress(content, 9) + b"\nendstream\nendobj\n" + b"9 0 obj << >> stream\n" * 3000

    def hung(*_: object) -> None:
        raise TimeoutError("the pre-scan did not end")

    before = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        assert _inflate(data, len(b"stream\n"), 1 << 28) == (len(content), 0)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)
