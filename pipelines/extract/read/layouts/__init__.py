"""Table regions into cells: each region's layout is detected, then split by that layout's module.

Reports lay their tables out in five text layouts (HTML and Word files are converted to the
first); one module per layout, behind `SPLITTERS`:

- `tab`: Word tables saved as text, a tab starts every cell; row boundaries known.
- `paragraph`: web pages copied as text, cells are runs of non-blank lines.
- `one_per_line`: PDF text with (almost) no blank lines, every line a cell.
- `pipe`: Markdown tables, cells between `|`.
- `spaced`: PDF text, whitespace-separated cells, one row per line.

All of it runs vectorised over every region of a batch at once.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from pipelines.extract.read.cells import Cell, CellStream
from pipelines.extract.read.layouts import one_per_line, paragraph, pipe, spaced, tab
from pipelines.extract.read.layouts.cell_frame import EMPTY_CELLS
from pipelines.extract.read.structure import line_frame

TAB, PIPE, SPACED, LINES, PARAGRAPH = "tab", "pipe", "spaced", "lines", "paragraph"
ROWS_KNOWN = frozenset({TAB, PIPE, SPACED})  # layouts that say where a table row starts
ROWS_WRAP = frozenset({SPACED})  # layouts whose rows may continue on the next line

SPLITTERS: dict[str, Callable[[pl.DataFrame], pl.DataFrame]] = {
    TAB: tab.cells,
    PARAGRAPH: paragraph.cells,
    LINES: one_per_line.cells,
    PIPE: pipe.cells,
    SPACED: spaced.cells,
}


def _layouts(region_lines: pl.DataFrame) -> pl.DataFrame:
    """Each region's layout, by what most of its lines look like (doc, table_no, layout)."""
    layouts = region_lines.group_by("doc", "table_no").agg(
        content=pl.col("content").sum(),
        tabbed=(pl.col("content") & pl.col("tab")).sum(),
        piped=(pl.col("content") & pl.col("line").str.strip_chars_start().str.starts_with("|")).sum(),
        spaced=(pl.col("content") & pl.col("spaced_row")).sum(),
        size=pl.len(),
    )
    layouts = layouts.with_columns(
        layout=pl.when(pl.col("tabbed") * 2 > pl.col("content"))
        .then(pl.lit(TAB))
        .when(pl.col("piped") * 2 > pl.col("content"))
        .then(pl.lit(PIPE))
        .when((pl.col("spaced") > 0) & (pl.col("spaced") * 5 >= pl.col("content")))
        .then(pl.lit(SPACED))
        .when((pl.col("size") - pl.col("content")) * 5 < pl.col("content"))
        .then(pl.lit(LINES))
        .otherwise(pl.lit(PARAGRAPH))
    ).filter(pl.col("content") > 0)
    return layouts.select("doc", "table_no", "layout")


def split_cells(lines: pl.DataFrame, regions: pl.DataFrame) -> pl.DataFrame:
    """Every table region split into cells in its layout: doc, table_no, k, text, line, row_start, layout."""
    group = ["doc", "table_no"]
    region_lines = (
        lines.join(regions.select(*group, "start", "end"), on="doc")
        .filter((pl.col("no") >= pl.col("start")) & (pl.col("no") < pl.col("end")))
        .sort("doc", "table_no", "no")
    )
    region_lines = region_lines.with_columns(content=pl.col("tab") | ~pl.col("blank"))
    region_lines = region_lines.join(
        spaced.spaced_rows(region_lines), on=["doc", "table_no", "no"], how="left"
    ).with_columns(pl.col("spaced_row").fill_null(False))
    layouts = _layouts(region_lines)
    region_lines = region_lines.join(layouts, on=group)
    parts = [split(region_lines.filter(pl.col("layout") == name)) for name, split in SPLITTERS.items()]
    parts = [p for p in parts if p.height]
    cells = pl.concat(parts, how="vertical") if parts else EMPTY_CELLS
    cells = cells.sort("doc", "table_no", "line", "part").with_columns(
        k=pl.int_range(pl.len(), dtype=pl.Int32).over(group)
    )
    return cells.join(layouts, on=group).select("doc", "table_no", "k", "text", "line", "row_start", "layout")


def split_region(lines: list[str]) -> CellStream:
    """The cells of one table region's lines, as the readers see them (for tests and tools)."""
    frame = line_frame(["\n".join(lines)])
    regions = pl.DataFrame(
        {"doc": [0], "table_no": [2], "start": [0], "end": [len(lines)]},
        schema={"doc": pl.UInt32, "table_no": pl.Int8, "start": pl.Int32, "end": pl.Int32},
    )
    cells = split_cells(frame, regions).sort("k")
    layout = cells["layout"][0] if cells.height else PARAGRAPH
    found = tuple(
        Cell(text, line, row_start) for text, line, row_start in cells.select("text", "line", "row_start").iter_rows()
    )
    return CellStream(found, rows_known=layout in ROWS_KNOWN, rows_wrap=layout in ROWS_WRAP)
