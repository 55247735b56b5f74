"""Rows of whitespace-separated cells (text taken from PDFs): `规章 0 0 0`, one row per line.

A row label wrapped onto the next line is followed there by the table readers (rows wrap).
"""

from __future__ import annotations

import polars as pl

from pipelines.extract.read.distinct import map_distinct
from pipelines.extract.read.normalize import is_value_like


def spaced_rows(region_lines: pl.DataFrame) -> pl.DataFrame:
    """Lines that are a row of cells ending in values (`规章 0 0 0`): cells.py's rule."""
    spaced = region_lines.filter(pl.col("content") & pl.col("stripped").str.contains(r"\s"))
    tokens = spaced.select("doc", "table_no", "no", token=pl.col("stripped").str.extract_all(r"\S+")).explode("token")
    tokens = tokens.with_columns(value=map_distinct(tokens["token"], is_value_like, pl.Boolean))
    per_line = tokens.group_by("doc", "table_no", "no").agg(
        n=pl.len(), values=pl.col("value").sum(), last=pl.col("value").last()
    )
    return per_line.select(
        "doc",
        "table_no",
        "no",
        spaced_row=(pl.col("n") >= 2) & (pl.col("last") | ((pl.col("n") >= 3) & (pl.col("values") * 2 > pl.col("n")))),
    )


def cells(lines: pl.DataFrame) -> pl.DataFrame:
    """Rows of whitespace-separated cells."""
    rows = lines.filter(pl.col("content")).select(
        "doc", "table_no", "no", tokens=pl.col("stripped").str.extract_all(r"\S+")
    )
    rows = rows.filter(pl.col("tokens").list.len() > 0)
    rows = rows.with_columns(part=pl.int_ranges(pl.col("tokens").list.len(), dtype=pl.Int32)).explode("tokens", "part")
    return rows.select(
        "doc",
        "table_no",
        text="tokens",
        line=(pl.col("no") + 1).cast(pl.Int32),
        part="part",
        row_start=pl.col("part") == 0,
    )
