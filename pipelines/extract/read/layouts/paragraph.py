"""One cell per paragraph (web pages copied as text): runs of non-blank lines, one cell each.

`结果` + `\xa0 纠正` is one cell; row boundaries are not known.
"""

from __future__ import annotations

import polars as pl

from pipelines.extract.read.layouts.cell_frame import EMPTY_CELLS, group_start


def cells(lines: pl.DataFrame) -> pl.DataFrame:
    """Runs of non-blank lines, one cell each."""
    if lines.is_empty():
        return EMPTY_CELLS
    first = group_start().fill_null(True)
    lines = lines.with_columns(start=~pl.col("blank") & (first | pl.col("blank").shift(1)))
    lines = lines.with_columns(cell=pl.col("start").cast(pl.Int32).cum_sum()).filter(~pl.col("blank"))
    continued = lines.filter(~pl.col("start"))["cell"].unique()
    single = lines.filter(~pl.col("cell").is_in(continued.implode())).select("doc", "table_no", text="line", first="no")
    multi = lines.filter(pl.col("cell").is_in(continued.implode()))
    multi = multi.group_by("cell", maintain_order=True).agg(
        pl.col("doc").first(),
        pl.col("table_no").first(),
        text=pl.col("line").str.join("\n"),
        first=pl.col("no").first(),
    )
    cells = pl.concat([single, multi.select("doc", "table_no", "text", "first")])
    return cells.select(
        "doc",
        "table_no",
        "text",
        line=(pl.col("first") + 1).cast(pl.Int32),
        part=pl.lit(0, dtype=pl.Int32),
        row_start=pl.lit(True),
    )
