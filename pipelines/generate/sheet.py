"""A filled table seen row by row, and the text shaping that the PDF-made layouts share.

The real-publishing renderers do not lay a table out cell by cell as Word exports it: a PDF
prints a row's own label beside its numbers and the labels that span rows (三、本年度办理结果,
（三）不予公开) wherever the page puts them, wraps labels by the width of their cell and spaces
digits apart from Chinese text. This module says which slot is which in those terms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipelines.generate.document import Table
from pipelines.generate.forms import HEADER, LABEL, VALUE, CellKey, Grid, Slot


@dataclass(frozen=True)
class SheetRow:
    """One row of a grid: its own label, its values, and what else is anchored in it."""

    index: int
    label: Slot | None  # the label naming this row (a label slot of one row)
    values: tuple[Slot, ...]
    headers: tuple[Slot, ...]
    groups: tuple[Slot, ...]  # labels spanning this row and the rows below (vertical group labels)

    @property
    def key(self) -> str | None:
        """The row key of its values (None for header rows)."""
        first = self.values[0].key if self.values else None
        return first[1] if first else None

    @property
    def keys(self) -> tuple[CellKey, ...]:
        return tuple(s.key for s in self.values if s.key is not None)


def sheet_rows(grid: Grid) -> list[SheetRow]:
    """Every row of the grid, top to bottom."""
    rows: list[SheetRow] = []
    for r in range(grid.height):
        anchored = [s for s in grid.slots if s.row == r]
        labels = [s for s in anchored if s.role == LABEL and s.rowspan == 1]
        rows.append(
            SheetRow(
                index=r,
                label=labels[-1] if labels else None,
                values=tuple(s for s in anchored if s.role == VALUE),
                headers=tuple(s for s in anchored if s.role == HEADER),
                groups=tuple(s for s in anchored if s.role == LABEL and s.rowspan > 1),
            )
        )
    return rows


def value_rows(grid: Grid) -> list[SheetRow]:
    return [row for row in sheet_rows(grid) if row.values]


def group_spans(grid: Grid) -> list[tuple[Slot, int, int]]:
    """Labels spanning rows, with the first and last grid row they span."""
    return [(s, s.row, s.row + s.rowspan - 1) for s in grid.slots if s.role == LABEL and s.rowspan > 1]


def text_of(table: Table, slot: Slot) -> str:
    """A slot's printed text on one line (a wrapped cell's pieces joined)."""
    return table.cells[slot].joined


# Characters a line does not start with (Chinese typesetting moves them to the line before).
_NO_LINE_START = set("，。、；：）》”’！？%）")


def wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` characters (one or two more where a line would start
    with closing punctuation), as a PDF's cell or page width breaks it."""
    if width < 1:
        raise ValueError("width must be positive")
    lines: list[str] = []
    rest = text
    while len(rest) > width:
        cut = width
        while cut < len(rest) and rest[cut] in _NO_LINE_START and cut < width + 2:
            cut += 1
        lines.append(rest[:cut])
        rest = rest[cut:]
    if rest or not lines:
        lines.append(rest)
    return lines


def display_width(text: str) -> int:
    """Columns a monospaced dump gives the text: two for a wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_CJK = r"[\u3400-\u9fff]"
_DIGIT_AFTER_CJK = re.compile(rf"({_CJK})(?=[0-9])")
_CJK_AFTER_DIGIT = re.compile(rf"([0-9%])(?={_CJK})")


def space_digits(text: str) -> str:
    """`2024 年 1 月`: text taken from a PDF has a space between Latin digits and Chinese
    characters (their runs are set in different fonts)."""
    return _CJK_AFTER_DIGIT.sub(r"\1 ", _DIGIT_AFTER_CJK.sub(r"\1 ", text))


def place(items: list[tuple[int, str]], min_gap: int = 2) -> str:
    """One line of text pieces at display columns, each at least `min_gap` columns after the
    previous one (pushed right where they would collide), as `pdftotext -layout` aligns them."""
    out = ""
    for column, piece in sorted(items, key=lambda item: item[0]):
        width = display_width(out)
        gap = column - width if out else column
        out += " " * max(gap, min_gap if out else 0) + piece
    return out
