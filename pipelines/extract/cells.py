"""Split a table's lines into cells, whatever the layout the report was exported with.

Four text layouts are seen in real reports (HTML and Word files are converted to the first):

- *tab-indented* (Word tables saved as text): every cell starts with a tab; a line without a
  tab continues the cell above (`\\t商业` + `企业`, or `\\t\\xa0` + blank + `0`); a blank line
  followed by a tab line starts a new table row, so row boundaries are known.
- *one cell per paragraph* (web pages copied as text): cells are runs of non-blank lines
  separated by blank lines (`结果` + `\\xa0 纠正` is one cell); row boundaries are not known.
  When the region has (almost) no blank lines, every line is a cell (PDF text).
- *pipe tables* (Markdown): one row per line, cells between `|` (`<br>` breaks a cell's
  text); `|---|` lines are dropped.
- *space-separated rows* (text taken from PDFs): one row per line, cells separated by
  whitespace (`规章 0 0 0`); a row label wrapped onto the next line is followed there.

The table readers then work on the flat cell stream and anchor on labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.extract.normalize import is_value_like


@dataclass(frozen=True)
class Cell:
    text: str  # the cell's original text (lines joined with "\n", layout tab removed)
    line: int  # 1-based line of the cell's first non-blank content (its first line if blank)
    row_start: bool  # True when the cell opens a table row (only meaningful if rows_known)


@dataclass(frozen=True)
class CellStream:
    cells: tuple[Cell, ...]
    rows_known: bool
    rows_wrap: bool = False  # a row's values may continue on the next line (PDF text)


def _cell(lines: list[str], first: int, last: int, row_start: bool, tab: bool) -> Cell:
    head = lines[first][1:] if tab else lines[first]
    if first == last:  # the common case: a one-line cell
        return Cell(text=head, line=first + 1, row_start=row_start)
    text = "\n".join([head, *lines[first + 1 : last + 1]])
    line = first + 1
    if not head.strip():  # the value sits on a later line (`\t\xa0` + blank + `0`)
        line = next((i + 1 for i in range(first + 1, last + 1) if lines[i].strip()), first + 1)
    return Cell(text=text, line=line, row_start=row_start)


_SEPARATOR_CELL = re.compile(r"^\s*:?-{3,}:?\s*$")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)  # a line break inside a Markdown cell


def _is_spaced_row(line: str) -> bool:
    """A row of cells on one line ending in values: `规章 0 0 0`, `行政许可 0`, `0 0 0 … 0`.

    One cell per paragraph never puts a label and a number (or two numbers) on one line.
    """
    tokens = line.split()
    if len(tokens) < 2:
        return False
    # ends in a value, or is mostly values (a row of numbers with one unreadable among them)
    return is_value_like(tokens[-1]) or (len(tokens) >= 3 and 2 * sum(map(is_value_like, tokens)) > len(tokens))


def split_cells(lines: list[str], start: int, end: int) -> CellStream:
    """Cells of `lines[start:end]` (0-based, end exclusive), in the region's layout."""
    content = [i for i in range(start, end) if lines[i][:1] == "\t" or lines[i].strip()]
    if not content:
        return CellStream((), rows_known=False)
    tabbed = sum(1 for i in content if lines[i][:1] == "\t")
    if tabbed * 2 > len(content):
        return CellStream(tuple(_tab_cells(lines, start, end)), rows_known=True)
    piped = sum(1 for i in content if lines[i].lstrip().startswith("|"))
    if piped * 2 > len(content):
        return CellStream(tuple(_pipe_cells(lines, content)), rows_known=True)
    spaced = sum(1 for i in content if _is_spaced_row(lines[i]))
    if spaced and spaced * 5 >= len(content):  # a fifth of the lines are rows with values
        return CellStream(tuple(_spaced_cells(lines, content)), rows_known=True, rows_wrap=True)
    blank = (end - start) - len(content)
    if blank * 5 < len(content):  # cells packed one per line, no blank lines between them
        return CellStream(tuple(Cell(lines[i], i + 1, True) for i in content), rows_known=False)
    return CellStream(tuple(_paragraph_cells(lines, start, end)), rows_known=False)


def _pipe_cells(lines: list[str], content: list[int]) -> list[Cell]:
    cells: list[Cell] = []
    for i in content:
        line = lines[i].strip()
        if not line.startswith("|"):
            cells.append(Cell(text=line, line=i + 1, row_start=True))
            continue
        parts = line.strip("|").split("|")
        if all(_SEPARATOR_CELL.match(part) for part in parts):
            continue
        cells += [Cell(text=_BR.sub("\n", part), line=i + 1, row_start=k == 0) for k, part in enumerate(parts)]
    return cells


def _spaced_cells(lines: list[str], content: list[int]) -> list[Cell]:
    cells: list[Cell] = []
    for i in content:
        tokens = lines[i].split()
        cells += [Cell(text=token, line=i + 1, row_start=k == 0) for k, token in enumerate(tokens)]
    return cells


def _tab_cells(lines: list[str], start: int, end: int) -> list[Cell]:
    cells: list[Cell] = []
    first = last = -1
    row_start = row_break = True
    for i in range(start, end):
        line = lines[i]
        if line[:1] == "\t":
            if first >= 0:
                cells.append(_cell(lines, first, last, row_start, lines[first][:1] == "\t"))
            first = last = i
            row_start, row_break = row_break, False
        elif not line.strip():
            row_break = True
        elif first >= 0:  # a line without a tab continues the cell above, across blank lines
            last = i
            row_break = False
        else:
            first = last = i
            row_start, row_break = True, False
    if first >= 0:
        cells.append(_cell(lines, first, last, row_start, lines[first][:1] == "\t"))
    return cells


def _paragraph_cells(lines: list[str], start: int, end: int) -> list[Cell]:
    cells: list[Cell] = []
    first = -1
    for i in range(start, end):
        if lines[i].strip():
            if first < 0:
                first = i
        elif first >= 0:
            cells.append(_cell(lines, first, i - 1, row_start=True, tab=False))
            first = -1
    if first >= 0:
        cells.append(_cell(lines, first, end - 1, row_start=True, tab=False))
    return cells
