"""Tab-indented tables (Word tables saved as text): a tab starts a cell.

A line without a tab continues the cell above (`\t商业` + `企业`, or `\t\xa0` + blank + `0`);
a blank line followed by a tab line starts a new table row, so row boundaries are known.
"""

from __future__ import annotations

import polars as pl

from pipelines.extract.read.layouts.cell_frame import EMPTY_CELLS, cum_in_group, group_start

_TRAILING_BLANK_LINES = r"(?:\n[^\S\n]*)+$"


def cells(lines: pl.DataFrame) -> pl.DataFrame:
    """A tab starts a cell; a line without one continues the cell above (across blank lines);
    a blank line before a tab line starts a new table row."""
    if lines.is_empty():
        return EMPTY_CELLS
    pure_blank = ~pl.col("tab") & pl.col("blank")
    lines = lines.with_columns(first=group_start().fill_null(True))
    lines = lines.with_columns(
        start=pl.col("tab") | (pl.col("content") & (cum_in_group(pl.col("content"), pl.col("first")) == 1)),
        after_blank=pl.when(pl.col("first")).then(True).otherwise(pure_blank.shift(1)),
    )
    lines = lines.with_columns(cell=pl.col("start").cast(pl.Int32).cum_sum()).filter(
        cum_in_group(pl.col("start"), pl.col("first")) > 0
    )
    piece = pl.when(pl.col("start") & pl.col("tab")).then(pl.col("line").str.slice(1)).otherwise(pl.col("line"))
    lines = lines.with_columns(piece=piece, row_start=pl.col("after_blank") | ~pl.col("tab"))
    # most cells are one line: only cells with continuation lines need grouping
    continued = lines.filter(pl.col("content") & ~pl.col("start"))["cell"].unique()
    single = lines.filter(pl.col("start") & ~pl.col("cell").is_in(continued.implode()))
    single = single.select(
        "doc",
        "table_no",
        text="piece",
        line=(pl.col("no") + 1).cast(pl.Int32),
        part=pl.lit(0, dtype=pl.Int32),
        row_start="row_start",
    )
    multi = lines.filter(pl.col("cell").is_in(continued.implode()))
    multi = multi.with_columns(later=pl.when(pl.col("content") & ~pl.col("start")).then(pl.col("no")))
    multi = multi.group_by("cell", maintain_order=True).agg(
        pl.col("doc").first(),
        pl.col("table_no").first(),
        text=pl.col("piece").str.join("\n").str.replace(_TRAILING_BLANK_LINES, ""),
        first=pl.col("no").first(),
        head=pl.col("piece").first(),
        next_content=pl.col("later").drop_nulls().first(),
        row_start=pl.col("row_start").first(),
    )
    head_blank = pl.col("head").str.strip_chars() == ""
    line = pl.when(head_blank & pl.col("next_content").is_not_null()).then(pl.col("next_content"))
    multi = multi.select(
        "doc",
        "table_no",
        "text",
        line=(line.otherwise(pl.col("first")) + 1).cast(pl.Int32),
        part=pl.lit(0, dtype=pl.Int32),
        row_start="row_start",
    )
    return pl.concat([single, multi])
