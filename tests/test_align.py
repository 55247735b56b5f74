"""The real-report reader (align.py) on its own: every format's layout read to the seeds'
golden values, the template's arithmetic cutting glued digits, order placing unlabelled rows,
and every undecidable cell left null with a finding that names the candidates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from report_formats import to_docx, to_html
from samples import RAW, golden

from pipelines.extract.read import arithmetic
from pipelines.extract.read.align import align, narrative_counts
from pipelines.extract.read.formats import convert
from pipelines.extract.read.formats.html import html_layout
from pipelines.extract.read.formats.plain import text_layout
from pipelines.extract.read.labels import CERTAIN, NONE, STRONG, match
from pipelines.extract.read.tokens import LABEL, VALUE, scan
from pipelines.extract.template import REQUEST_ROWS


def _values(aligned) -> dict[tuple[str, str, str], object]:
    return {(c.table, c.row, c.column): c.value for c in aligned.cells}


def _assert_golden(aligned, name: str) -> None:
    got = _values(aligned)
    for table, rows in golden(name)["tables"].items():  # the golden file's keys, not the parser's template
        for row, columns in rows.items():
            for column, value in columns.items():
                assert got.get((table, row, column)) == value, f"{name} {table}.{row}.{column}"


# --- every format's layout, read by the aligner alone ------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "html", "docx"])
def test_the_aligner_reads_every_seed_from_its_layout_in_every_format(seed_name: str, fmt: str) -> None:
    text = (RAW / seed_name).read_text(encoding="utf-8")
    if fmt == "text":
        layout = text_layout(text)
    elif fmt == "html":
        layout = html_layout(to_html(text, golden(seed_name)))
    else:
        layout = convert(to_docx(text, golden(seed_name))).layout
    _assert_golden(align(layout, text), seed_name)


def test_html_grid_expands_spans_and_keeps_blank_cells_at_their_column() -> None:
    page = (
        "<table><tr><td rowspan='2'>三、本年度办理结果</td><td>（一）予以公开</td><td>1</td><td></td></tr>"
        "<tr><td>（二）部分公开</td><td>&nbsp;</td><td>2</td></tr></table>"
    ).encode()
    rows = [line for line in html_layout(page) if line.grid is not None]
    assert [[(p.col, p.text) for p in line.pieces] for line in rows] == [
        [(0, "三、本年度办理结果"), (1, "（一）予以公开"), (2, "1"), (3, "")],
        [(1, "（二）部分公开"), (2, ""), (3, "2")],
    ]


# --- tokens -------------------------------------------------------------------------------------


def test_glued_digits_give_their_last_digit_to_the_next_labels_number() -> None:
    assert scan("保护第三方合法权益 00000005.属于三类内部事务信息 1000001") == (
        (LABEL, "保护第三方合法权益", False),
        (VALUE, "0000000", True),
        (LABEL, "5.属于三类内部事务信息", False),
        (VALUE, "1000001", False),
    )
    # a decimal is no enumerator; `行政许可10690` is a label touching its value
    assert scan("行政事业性收费9116.36 三、收到") == (
        (LABEL, "行政事业性收费", False),
        (VALUE, "9116.36", True),
        (LABEL, "三、收到", False),
    )


# --- the template's arithmetic ------------------------------------------------------------------


def test_a_glued_row_is_cut_the_only_way_its_total_allows() -> None:
    assert arithmetic.readings(["713000074"], 7, arithmetic.sums_to_last) == [("71", "3", "0", "0", "0", "0", "74")]
    assert arithmetic.readings(["230", "000023"], 7, arithmetic.sums_to_last) == [("23", "0", "0", "0", "0", "0", "23")]


def test_cuts_never_start_a_cell_with_zero() -> None:
    # `1005` in three cells: 1|0|05 and 1|00|5 start a cell with 0; 10|0|5 is the only cut
    assert arithmetic.readings(["1005"], 3) == [("10", "0", "5")]
    assert arithmetic.readings(["0000000"], 7) == [("0",) * 7]


def test_column_rules_settle_a_row_its_own_sum_leaves_open() -> None:
    # `110000011` is 11|0|…|11 or 1|10|0|…|11: R3 (handled = sum of results) decides
    handled = ("11", "0", "0", "0", "0", "0", "11")
    options = {
        "granted": arithmetic.readings(["110000011"], 7, arithmetic.sums_to_last),
        "total_handled": [handled],
    }
    assert len(options["granted"]) == 2
    decided, undecided = arithmetic.decide(options, lambda t: arithmetic.column_rules_hold(t, ["granted"], 7))
    assert decided["granted"] == ("11", "0", "0", "0", "0", "0", "11") and undecided == {}


# --- labels -------------------------------------------------------------------------------------


def test_label_evidence_for_wrapped_truncated_and_glued_labels() -> None:
    rows = {r.key: r for r in REQUEST_ROWS}
    assert match("申请人无正当理由逾期不补正行政机关不再处理其政府信", rows["other_overdue_correction"]) == CERTAIN
    assert match("要求行政机关确认或重新出", rows["not_processed_confirmation"]) == STRONG  # truncated
    assert match("正行政机关不再处理其政府信", rows["denied_state_secret"]) == NONE
    assert match("其他", rows["other"]) == CERTAIN
    assert match("其他处理", rows["other"]) == NONE


# --- alignment ----------------------------------------------------------------------------------

_HEAD = "二、主动公开政府信息情况\n规章 0 0 0\n三、收到和处理政府信息公开申请情况\n"
_TAIL = (
    "四、政府信息公开行政复议、行政诉讼情况\n行政复议 结果维持\n0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
    "五、存在的主要问题及改进情况\n"
)


def _requests(lines: list[str]) -> tuple[dict, list]:
    aligned = align(text_layout(_HEAD + "\n".join(lines) + "\n" + _TAIL))
    return {k[1]: v for k, v in _values(aligned).items() if k[0] == "requests" and k[2] == "total"}, [
        f for f in aligned.findings if f.table == "requests"
    ]


def test_rows_without_labels_take_the_places_left_between_labelled_rows() -> None:
    totals, findings = _requests(
        ["一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1", "2 0 0 0 0 0 2", "（一）予以公开 3 0 0 0 0 0 3"]
    )
    assert totals["new_received"] == 1 and totals["carried_over"] == 2 and totals["granted"] == 3
    assert ("row_placed_by_order", "carried_over") in {(f.code, f.row) for f in findings}


def test_a_row_that_fits_two_places_is_left_null_with_both_candidates() -> None:
    # one unlabelled row between 一、 and （二）: 二、上年结转 or （一）予以公开?
    totals, findings = _requests(
        ["一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1", "2 0 0 0 0 0 2", "（二）部分公开 3 0 0 0 0 0 3"]
    )
    assert totals.get("carried_over") is None and totals.get("granted") is None
    assert totals["new_received"] == 1 and totals["partially_granted"] == 3
    ambiguous = {f.row for f in findings if f.code == "cell_ambiguous"}
    assert {"carried_over", "granted"} <= ambiguous


def test_narrative_counts_for_table_2() -> None:
    text = "集中公开现行有效行政规范性文件698件，动态更新本年度制发的规范性文件88件。全年收到申请75件。"
    assert narrative_counts(text) == {("normative_documents", "in_force"): 698, ("normative_documents", "issued"): 88}


def test_markdown_holding_its_tables_as_html_is_read_as_a_page(seed_name: str) -> None:
    """Converters (MinerU and the like) write Markdown with the tables as HTML, after pages of
    text: the file is read as a page, its tables as grids."""
    from report_formats import blocks

    from pipelines.extract.read.report import parse_bytes

    text = (RAW / seed_name).read_text(encoding="utf-8")
    parts = ["# " + text.split("\n")[0], *["正文说明。" * 40] * 12]  # > 4 KB before any table
    for block in blocks(text, golden(seed_name)):
        if isinstance(block, str):
            parts.append(block)
        else:
            cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in block)
            parts.append(f"<table>{cells}</table>")
    report = parse_bytes("\n\n".join(parts).encode(), seed_name.replace(".txt", ".md"))
    assert report.format == "html"
    assert report.tables() == golden(seed_name)["tables"]


def test_an_amount_printed_in_yuan_is_stored_in_wan_yuan_and_said_so() -> None:
    """`采购总金额 73802895.90元` (a 2019-template report's procurement): the template counts
    万元, so the amount is divided by 10,000 with an `amount_in_yuan` finding; a count printed
    with a unit of money is not a count."""
    from pipelines.extract.read.normalize import read_value

    read = read_value("73802895.90元", decimal=True)
    assert read.value == Decimal("7380.28959") and "元" in read.reason
    assert read_value("12.5万元", decimal=True).value == Decimal("12.5")
    assert read_value("395元").kind == "unreadable"
    assert scan("政府集中采购39573802895.90元三、收到")[1] == (VALUE, "39573802895.90元", True)


@pytest.mark.parametrize("index", range(0, 400, 10))
def test_the_aligner_alone_reads_generated_reports_of_every_classic_layout(index: int) -> None:
    """The second reading must stand on its own: a generated report of any classic layout
    (tab-separated Word export, paragraphs, pipes, spaced PDF text, HTML), read by the aligner
    from its layout without the fast reader, gives its truth cell for cell."""
    from pipelines.extract.read.document import open_document
    from pipelines.extract.read.fallback import layout_of
    from pipelines.generate.compare import table_differences
    from pipelines.generate.corpus import corpus_entry

    _variant, generated = corpus_entry(77, index)
    doc = open_document(generated.data, generated.name)
    parsed: dict = {}
    for c in align(layout_of(doc), doc.text).cells:
        value = None if c.value is None else (int(c.value) if c.value == int(c.value) else float(c.value))
        parsed.setdefault(c.table, {}).setdefault(c.row, {})[c.column] = value
    assert table_differences(generated.truth["tables"], parsed) == []
