"""One cell per line (PDF text with almost no blank lines): every line is a cell."""

from __future__ import annotations

import polars as pl


def cells(lines: pl.DataFrame) -> pl.DataFrame:
    """Cells packed one per line."""
    return lines.filter(pl.col("content")).select(
        "doc",
        "table_no",
        text="line",
        line=(pl.col("no") + 1).cast(pl.Int32),
        part=pl.lit(0, dtype=pl.Int32),
        row_start=pl.lit(True),
    )
