"""Printed rows and their alignment onto the template's rows.

A segment becomes one or more observed rows of the table's width: as printed, several rows in
a run (row by row, or column by column where only that satisfies the rows' sums), a glued run
cut by the template's arithmetic, a short row placed by the columns' positions, or a row that
cannot be read. The rows are then aligned onto the template's row sequence by dynamic
programming: order is a strong signal, a row's own label is strong evidence (it can forbid a
place), loose label lines only break ties. For each template row the alignment returns every
observed row (or none) that some best-scoring alignment gives it, so that a tie shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.extract import arithmetic
from pipelines.extract.align.segments import Segment, cell_lines, drop_fillers
from pipelines.extract.arithmetic import Reading
from pipelines.extract.labels import NONE

TIE = 1e-9


_LABEL_WEIGHT = 4.0  # how much a row's own label outweighs order in the alignment


_LOOSE_WEIGHT = 0.5  # loose label lines above a row only break ties: they never outweigh order


@dataclass
class Observed:
    """A row as printed: its possible readings (one per cell text), where its cells are."""

    options: list[Reading]
    lines: tuple[int, ...]
    run: list[str]
    line: int
    own: bool = True  # the run is the row's own label (see Segment.own)
    evidence: list[float] = field(default_factory=list)
    printed: str = ""  # the values as printed, when they were cut (glued digits)

    @property
    def best(self) -> float:
        return max(self.evidence, default=NONE)


def observe(seg: Segment, width: int, rule, model: list[float] | None = None, may_cut: bool = True) -> list[Observed]:
    """A segment as printed rows of `width` cells: one, several, a glued one, one with blanks
    placed by position, or unreadable."""
    values = drop_fillers(seg.values, width, trailing_first=False)
    texts = [t.text for t in values]
    run = [t.text for t in seg.run]
    first = values[0].line
    n = len(texts)
    if n == width:
        return [Observed([tuple(texts)], tuple(t.line for t in values), run, first, seg.own)]
    if n > width and n % width == 0:
        rows = [values[k : k + width] for k in range(0, n, width)]
        if len({t.row for t in values}) > 1:  # one cell per line: maybe printed column by column
            k = n // width
            by_columns = [[values[c * k + r] for c in range(width)] for r in range(k)]
            holds = [sum(rule(tuple(t.text for t in r)) for r in rs) for rs in (rows, by_columns)]
            if holds[1] > holds[0]:
                rows = by_columns
        return [
            Observed([tuple(t.text for t in r)], tuple(t.line for t in r), run if i == 0 else [], r[0].line, seg.own)
            for i, r in enumerate(rows)
        ]
    if may_cut and any(arithmetic.splittable(t) for t in texts) and n < width:
        options = arithmetic.readings(texts, width, rule)
        if options:
            lines = cell_lines(values, options[0])
            return [Observed(options, lines, run, first, seg.own, printed=" ".join(texts))]
    if model is not None and n < width and len({t.row for t in values}) == 1:
        placed = by_columns(values, model)
        if placed is not None:
            return [Observed([placed], (first,) * width, run, first, seg.own)]
    return [Observed([], tuple(t.line for t in values), run, first, seg.own)]


def align_rows(observed: list[Observed], count: int) -> tuple[float, list[list[int | None]]]:
    """Monotone alignment of observed rows onto `count` template rows.

    Returns the best score and, for each template row, the observed rows (or None: the row
    absent) that some best-scoring alignment gives it.
    """
    m, n = len(observed), count
    neg = float("-inf")

    def score(i: int, j: int) -> float:
        o = observed[i]
        weight = _LABEL_WEIGHT if o.own else _LOOSE_WEIGHT
        s = (1.0 if o.options else 0.5) + weight * (o.evidence[j] - o.best)
        return s if s > 0 else neg

    fwd = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            fwd[i][j] = max(fwd[i - 1][j], fwd[i][j - 1], fwd[i - 1][j - 1] + score(i - 1, j - 1))
    bwd = [[0.0] * (n + 2) for _ in range(m + 2)]
    for i in range(m, 0, -1):
        for j in range(n, 0, -1):
            bwd[i][j] = max(bwd[i + 1][j], bwd[i][j + 1], bwd[i + 1][j + 1] + score(i - 1, j - 1))
    best = fwd[m][n]
    choices: list[list[int | None]] = []
    for j in range(1, n + 1):
        here: list[int | None] = [
            i - 1 for i in range(1, m + 1) if fwd[i - 1][j - 1] + score(i - 1, j - 1) + bwd[i + 1][j + 1] >= best - TIE
        ]
        if max(fwd[i][j - 1] + bwd[i + 1][j + 1] for i in range(0, m + 1)) >= best - TIE:
            here.append(None)
        choices.append(here)
    return best, choices
