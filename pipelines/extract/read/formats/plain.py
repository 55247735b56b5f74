"""Plain text and Markdown → a layout (layout.py) for the real-report reader.

A text line is a `Line` whose pieces are the runs between wide gaps (two or more spaces, or a
tab), with their character offset as `x`: `pdftotext -layout` prints a table row that way. A
run of Markdown pipe rows is a grid: each `| … |` line one row, each cell a piece at its
column, an empty cell a blank at its column; `|---|` lines and non-pipe lines end nothing and
start nothing (converters break one table into many pieces), but every pipe line keeps its own
cells, so a row without a label is simply a row whose first cells are values.

Word's tab-separated export (every cell a line opening with a tab, continued on short lines
without one, rows apart by blank lines) is a grid too. Line numbers are
those of the cleaned text (lines.py): 1-based, never shifted.
"""

from __future__ import annotations

import re

from pipelines.extract.read.layout import Layout, Line, Piece
from pipelines.extract.read.lines import clean_text
from pipelines.extract.read.normalize import is_value_like
from pipelines.extract.read.sections import heading_number

_GAP = re.compile(r"[^\S\n]{2,}|\t+")
_SEPARATOR_CELL = re.compile(r"^\s*:?-{3,}:?\s*$")
_BR = re.compile(r"(?i)<br\s*/?>")


def _pipe_cells(stripped: str) -> list[str] | None:
    """The cells of a Markdown pipe row, or None for a separator row (`|---|---|`)."""
    body = stripped[1:-1] if stripped.endswith("|") and len(stripped) > 1 else stripped[1:]
    cells = body.split("|")
    if all(_SEPARATOR_CELL.match(c) for c in cells):
        return None
    return [_BR.sub("\n", c).strip() for c in cells]


_CONTINUATION = 12  # characters: the most a line continuing a tab-started cell holds (`企业`, `0`)


def _continues(cell: str, line: str) -> bool:
    """Whether a short line without a tab continues the cell above: an empty cell's value on
    a later line, or a wrapped label; never after a number, and never a section heading."""
    if "|" in line or heading_number(line) is not None:
        return False
    return not cell or not is_value_like(cell)


def _tab_rows(lines: list[str]) -> tuple[dict[int, list[tuple[str, int]]], set[int]]:
    """Word's tab-separated export as table rows: every cell opens a line with a tab; a short
    line without one continues the cell above, across blank lines (`\t商业` / `企业`; `\t\xa0`,
    blank, `0`); a blank line before a tab line starts a new row. Returns the rows keyed by the
    index of their first line, each a list of (cell text, line), and every line index used."""
    rows: dict[int, list[tuple[str, int]]] = {}
    used: set[int] = set()
    current: list[tuple[str, int]] | None = None
    blank_before = True
    for k, raw in enumerate(lines):
        stripped = raw.strip()
        if raw.startswith("\t"):
            if current is None or blank_before:
                current = rows.setdefault(k, [])
            current.append((stripped, k + 1))
            used.add(k)
            blank_before = False
        elif not stripped:
            blank_before = True
        elif current and len(stripped) <= _CONTINUATION and _continues(current[-1][0], stripped):
            text, line = current[-1]
            current[-1] = (f"{text}\n{stripped}", line) if text else (stripped, k + 1)
            used.add(k)
            blank_before = False
        else:
            current, blank_before = None, True
    return rows, used


def text_layout(text: str) -> Layout:
    """The layout of a plain-text or Markdown report."""
    out: list[Line] = []
    grid = -1
    in_grid = False
    lines = clean_text(text).split("\n")
    tab_rows, tab_lines = _tab_rows(lines) if sum(raw.startswith("\t") for raw in lines) >= 20 else ({}, set())
    tab_grid = None
    for number, raw in enumerate(lines, start=1):
        if number - 1 in tab_rows:  # a row of a tab-separated export, its cells whole
            tab_cells = tab_rows[number - 1]
            if tab_grid is None:
                grid, row = grid + 1, 0
                tab_grid = grid
            pieces = tuple(Piece(cell, line, col=c, x=float(c)) for c, (cell, line) in enumerate(tab_cells))
            out.append(Line(pieces, tab_cells[0][1], grid=tab_grid, row=row))
            row += 1
            continue
        if number - 1 in tab_lines:
            continue
        stripped = raw.strip()
        if stripped:
            tab_grid = None
        if not stripped:
            continue
        if stripped.startswith("|"):
            cells = _pipe_cells(stripped)
            if cells is None:
                continue  # a separator row: neither a row nor the end of the table
            if not in_grid:
                grid, in_grid, row = grid + 1, True, 0
            pieces = tuple(Piece(c, number, col=k, x=float(k)) for k, c in enumerate(cells))
            out.append(Line(pieces, number, grid=grid, row=row))
            row += 1
            continue
        in_grid = False
        runs: list[Piece] = []  # the text between gaps of spaces
        start = 0
        for gap in _GAP.finditer(raw):
            if gap.start() > start:
                runs.append(Piece(raw[start : gap.start()], number, x=float(start)))
            start = gap.end()
        if start < len(raw):
            runs.append(Piece(raw[start:], number, x=float(start)))
        out.append(Line(tuple(runs), number))
    return tuple(out)
