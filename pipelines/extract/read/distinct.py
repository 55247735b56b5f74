"""Python run once per distinct value of a column: labels, cell texts and tokens repeat across
thousands of reports, so each function runs on the few distinct values, joined back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl


def map_distinct(
    series: pl.Series, function: Callable[[Any], Any], dtype: pl.DataType | type[pl.DataType]
) -> pl.Series:
    """Apply a Python function once per distinct value of a column."""
    uniques = series.unique()
    mapping = pl.DataFrame({"k": uniques, "v": pl.Series([function(u) for u in uniques], dtype=dtype)})
    return series.to_frame("k").join(mapping, on="k", how="left", maintain_order="left")["v"]
