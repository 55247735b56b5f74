"""Numbers the generated narrative states about the tables, with the truth rule R7 must give.

Most reports state what their tables print; a few state a number off by a known amount (R7
must find each), and some add sentences about another year (a comparison with last year, last
year's count) that no reader may take for this year's. Drawn from a stream of its own, so every
other draw of a report stays as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from random import Random
from typing import Any

from pipelines.generate.forms import REQUESTS, REVIEW, CellKey
from pipelines.generate.values import Tables

MISMATCH_SHARE = 0.06  # of the numbers stated, how many disagree with their table
OTHER_YEAR_SHARE = 0.3  # reports that add a sentence about another year


@dataclass(frozen=True)
class Stated:
    """What the overview's 依申请公开 paragraph states: the requests received (the sentence the
    narrative always had) and further sentences; the truth of every number stated."""

    requests: int
    sentences: tuple[str, ...] = ()
    truth: list[dict[str, Any]] = field(default_factory=list)


def _value(tables: Tables, key: CellKey) -> int | None:
    table, row, column = key
    value = tables[table][row][column]
    return None if value is None else int(value)


def _state(
    measure: str, cell: CellKey, tables: Tables, damage: Mapping[CellKey, str], rng: Random, avoid: set[int]
) -> dict[str, Any] | None:
    """The number to state for `measure` (its cell's value, or off by a known amount), or None
    when the cell holds nothing to state."""
    printed = _value(tables, cell)
    if printed is None:
        return None
    stated, agrees = printed, True
    if rng.random() < MISMATCH_SHARE:
        offsets = [d for d in range(-min(printed, 9), 10) if d and printed + d not in avoid]
        stated, agrees = printed + rng.choice(offsets), False
    table_value = None if cell in damage else printed
    outcome = "not_assessable" if table_value is None else ("agrees" if agrees else "disagrees")
    return {"measure": measure, "stated": stated, "table": table_value, "r7": outcome}


def plan(tables: Tables, damage: Mapping[CellKey, str], year: int, rng: Random) -> Stated:
    """The requests received (always stated), maybe the requests handled and the reviews, and
    maybe a sentence about another year."""
    received_cell = (REQUESTS, "new_received", "total")
    carried = _value(tables, (REQUESTS, "carried_over", "total")) or 0
    received_printed = _value(tables, received_cell) or 0
    # a wrong number must not equal the other reading (new_received + carried_over)
    received = _state("requests_received", received_cell, tables, damage, rng, {received_printed + carried})
    truth: list[dict[str, Any]] = []
    requests = received_printed
    if received is not None:
        requests = received["stated"]
        truth.append(received)
    sentences: list[str] = []
    if rng.random() < 0.5:
        handled = _state("requests_handled", (REQUESTS, "total_handled", "total"), tables, damage, rng, set())
        if handled is not None:
            wording = rng.choice(("共办结{n}件。", "全年办结政府信息公开申请{n}件。"))
            sentences.append(wording.format(n=handled["stated"]))
            truth.append(handled)
    if rng.random() < 0.3:
        reviews = _state("reviews_total", (REVIEW, "administrative_review", "total"), tables, damage, rng, set())
        if reviews is not None:
            sentences.append(f"本年度因政府信息公开工作被申请行政复议{reviews['stated']}件。")
            truth.append(reviews)
    if rng.random() < OTHER_YEAR_SHARE:
        last_year, change = rng.randint(0, 300), rng.randint(1, 40)
        sentences.append(
            rng.choice(
                (
                    f"{year - 1}年共收到政府信息公开申请{last_year}件。",
                    f"去年同期收到政府信息公开申请{last_year}件。",
                    f"上一年度办结政府信息公开申请{last_year}件。",
                    f"较上年多收到政府信息公开申请{change}件。",
                )
            )
        )
    return Stated(requests, tuple(sentences), truth)
