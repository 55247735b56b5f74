"""A table's cells, as the table readers (tables.py) see them.

Reports lay their tables out in four text layouts (HTML and Word files are converted to the
first); batch.py splits every region into cells in its layout, vectorised:

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
"""

from __future__ import annotations

from dataclasses import dataclass


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
