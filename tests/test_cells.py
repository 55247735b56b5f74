"""Splitting table lines into cells in both text layouts."""

from __future__ import annotations

from pipelines.extract.read.layouts import split_region


def _split(text: str):
    return split_region(text.split("\n"))


def test_tab_layout_continuation_and_rows() -> None:
    stream = _split("\t规章\n\t0\n\t0\n\t0\n\n\t商业\n企业\n\t科研\n机构\n\n\t\n\t\xa0\n\n0\n\n\t\n\t3.其他")
    assert stream.rows_known
    texts = [c.text for c in stream.cells]
    assert texts == ["规章", "0", "0", "0", "商业\n企业", "科研\n机构", "", "\xa0\n\n0", "", "3.其他"]
    starts = [c.row_start for c in stream.cells]
    assert starts == [True, False, False, False, True, False, True, False, True, False]
    split = stream.cells[7]
    assert split.line == 14  # the line holding the 0, not the blank first line of the cell


def test_paragraph_layout_joins_adjacent_lines() -> None:
    stream = _split("结果维持\n\n结果\n\xa0 纠正\n\n0\n\n\n0")
    assert not stream.rows_known
    assert [c.text for c in stream.cells] == ["结果维持", "结果\n\xa0 纠正", "0", "0"]
    assert [c.line for c in stream.cells] == [1, 3, 6, 9]


def test_empty_region() -> None:
    stream = _split("\n\n")
    assert stream.cells == ()
