"""Plain text and Markdown → a layout (layout.py) for the real-report reader.

A text line is a `Line` whose pieces are the runs between wide gaps (two or more spaces, or a
tab), with their character offset as `x`: `pdftotext -layout` prints a table row that way. A
run of Markdown pipe rows is a grid: each `| … |` line one row, each cell a piece at its
column, an empty cell a blank at its column; `|---|` lines and non-pipe lines end nothing and
start nothing (converters break one table into many pieces), but every pipe line keeps its own
cells, so a row without a label is simply a row whose first cells are values.

Line numbers are those of the cleaned text (lines.py): 1-based, never shifted.
"""

from __future__ import annotations

import re

from pipelines.extract.layout import Layout, Line, Piece
from pipelines.extract.lines import clean_text

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


def text_layout(text: str) -> Layout:
    """The layout of a plain-text or Markdown report."""
    out: list[Line] = []
    grid = -1
    in_grid = False
    for number, raw in enumerate(clean_text(text).split("\n"), start=1):
        stripped = raw.strip()
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
        pieces: list[Piece] = []
        start = 0
        for gap in _GAP.finditer(raw):
            if gap.start() > start:
                pieces.append(Piece(raw[start : gap.start()], number, x=float(start)))
            start = gap.end()
        if start < len(raw):
            pieces.append(Piece(raw[start:], number, x=float(start)))
        out.append(Line(tuple(pieces), number))
    return tuple(out)
