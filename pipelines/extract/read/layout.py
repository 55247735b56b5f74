"""A report as the aligner reads it: printed lines and table rows, each a sequence of pieces.

Every format is reduced to this one shape before the real-report reader (align/) maps it onto
the template. Formats with structure keep it: an HTML, DOCX or Markdown table row, or a row of a
ruled PDF table, is a `Line` with its `grid` and `row`, and each of its cells a `Piece` with its
column (`rowspan`/`colspan` expanded: a cell covered by a merged cell above or beside it is
absent, while an empty cell is a piece with empty text at its column, i.e. a blank, never a
missing value). Text without structure (PDF text dumps, an archiver's glued text, plain text)
is a `Line` per printed line, its pieces the runs of text between wide gaps, with their
horizontal position where the line's spacing shows it.

Pure data: readers build it, align/ consumes it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    text: str  # as printed (the report's own script); a cell's lines joined with "\n"
    line: int  # 1-based line in the source file (text, HTML, Markdown) or extracted text (DOCX, PDF)
    col: int | None = None  # column in its grid (after spans are expanded), None outside grids
    x: float | None = None  # horizontal position: PDF points, or the character offset in layout text
    page: int | None = None  # 1-based PDF page


@dataclass(frozen=True)
class Line:
    pieces: tuple[Piece, ...]
    line: int  # 1-based line of the line's first piece (see Piece.line)
    grid: int | None = None  # the table (0, 1, …) this row belongs to; None for a text line
    row: int | None = None  # the row's index in its grid
    page: int | None = None


Layout = tuple[Line, ...]


def text_lines(layout: Layout) -> list[str]:
    """The layout as plain lines (pieces joined by two spaces): for debugging and tests."""
    return ["  ".join(p.text.replace("\n", " ") for p in line.pieces) for line in layout]
