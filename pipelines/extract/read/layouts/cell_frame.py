"""The frame every layout splits a table region into, and the per-region running counts they share.

Input rows are a region's lines sorted by (doc, table_no, no); output rows are cells:
doc, table_no, text, line (1-based), part (position within the line), row_start.
"""

from __future__ import annotations

import polars as pl

EMPTY_CELLS = pl.DataFrame(
    schema={
        "doc": pl.UInt32,
        "table_no": pl.Int8,
        "text": pl.String,
        "line": pl.Int32,
        "part": pl.Int32,
        "row_start": pl.Boolean,
    }
)


def group_start() -> pl.Expr:
    """True on the first line of each table region (lines sorted by doc, table, line)."""
    return (pl.col("doc") != pl.col("doc").shift(1)) | (pl.col("table_no") != pl.col("table_no").shift(1))


def cum_in_group(expr: pl.Expr, first: pl.Expr) -> pl.Expr:
    """A cumulative sum restarting at each region (no window function: cheaper on sorted rows)."""
    total = expr.cast(pl.Int32).cum_sum()
    return total - pl.when(first).then(total - expr.cast(pl.Int32)).forward_fill()
