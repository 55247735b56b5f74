"""Markdown pipe tables: one row per line, the cells between `|`.

`<br>` breaks a cell's text; `|---|` separator rows are dropped.
"""

from __future__ import annotations

import polars as pl

_SEPARATOR = r"^\s*:?-{3,}:?\s*$"
_BR = r"(?i)<br\s*/?>"


def cells(lines: pl.DataFrame) -> pl.DataFrame:
    """Markdown rows: the cells between `|`; separator rows dropped; `<br>` breaks a cell."""
    rows = lines.filter(pl.col("content"))
    plain = rows.filter(~pl.col("stripped").str.starts_with("|")).select(
        "doc",
        "table_no",
        text="stripped",
        line=(pl.col("no") + 1).cast(pl.Int32),
        part=pl.lit(0, dtype=pl.Int32),
        row_start=pl.lit(True),
    )
    piped = rows.filter(pl.col("stripped").str.starts_with("|")).select(
        "doc", "table_no", "no", parts=pl.col("stripped").str.strip_chars("|").str.split("|")
    )
    piped = piped.filter(~pl.col("parts").list.eval(pl.element().str.contains(_SEPARATOR)).list.all())
    piped = piped.with_columns(part=pl.int_ranges(pl.col("parts").list.len(), dtype=pl.Int32)).explode("parts", "part")
    cells = piped.select(
        "doc",
        "table_no",
        text=pl.col("parts").str.replace_all(_BR, "\n"),
        line=(pl.col("no") + 1).cast(pl.Int32),
        part="part",
        row_start=pl.col("part") == 0,
    )
    return pl.concat([plain, cells])
