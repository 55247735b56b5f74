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

from pipelines.extract.read import arithmetic
from pipelines.extract.read.align.segments import Segment, by_columns, cell_lines, drop_fillers
from pipelines.extract.read.arithmetic import Reading
from pipelines.extract.read.labels import NONE
from pipelines.extract.read.tokens import Token

TIE = 1e-9


_LABEL_WEIGHT = 4.0  # how much a row's own label outweighs order in the alignment


_LOOSE_WEIGHT = 0.0  # loose label lines above a row decide nothing: converters set them above the wrong row


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


def observe(
    seg: Segment,
    width: int,
    rule,
    model: list[float] | None = None,
    may_cut: bool = True,
    labelled: bool = False,
) -> list[Observed]:
    """A segment as printed rows of `width` cells: one, several, a glued one, one with blanks
    placed by position, or unreadable. `labelled`: the segment's own label names a row, so
    its first `width` values are that row's (a label is printed before its values)."""
    values = drop_fillers(seg.values, width, trailing_first=False)
    texts = [t.text for t in values]
    run = [t.text for t in seg.run]
    first = values[0].line
    n = len(texts)
    if n == width:
        other = drop_fillers(seg.values, width, trailing_first=True)
        if other != values:  # empty cells at both ends: which is the converter's padding?
            readings = [tuple(t.text for t in option) for option in (values, other)]
            options = [r for r in readings if rule(r)] or readings
            return [Observed(options, tuple(t.line for t in values), run, first, seg.own)]
        return [Observed([tuple(texts)], tuple(t.line for t in values), run, first, seg.own)]
    if n > width and n % width == 0:
        head = values[:width] if labelled else []
        out = [Observed([tuple(texts[:width])], tuple(t.line for t in head), run, first, seg.own)] if head else []
        block = values[len(head) :]
        return out + _block(block, width, rule, run if not head else [], seg.own)
    if may_cut and any(arithmetic.splittable(t) for t in texts) and n < width:
        cuts = arithmetic.readings(texts, width, rule, group=width)
        if cuts:
            lines = cell_lines(values, cuts[0])
            return [Observed(cuts, lines, run, first, seg.own, printed=" ".join(texts))]
    if model is not None and n < width and len({t.row for t in values}) == 1:
        placed = by_columns(values, model)
        if placed is not None:
            return [Observed([placed], (first,) * width, run, first, seg.own)]
    return [Observed([], tuple(t.line for t in values), run, first, seg.own)]


def _block(values: list[Token], width: int, rule, run: list[str], own: bool) -> list[Observed]:
    """Rows printed one after another with no label between them: row by row, as printed
    almost always; column by column where only that reading satisfies every row's sum (R2);
    both readings kept where both do and they differ."""
    k = len(values) // width
    by_rows = [values[r * width : (r + 1) * width] for r in range(k)]
    options = [by_rows]
    if k > 1 and len({t.row for t in values}) > 1:  # one cell per line: maybe column by column
        by_cols = [[values[c * k + r] for c in range(width)] for r in range(k)]

        def holds(rows: list[list[Token]]) -> bool:
            return all(rule(tuple(t.text for t in r)) for r in rows)

        if holds(by_cols) and not holds(by_rows):
            options = [by_cols]
        elif holds(by_cols) and holds(by_rows):
            options = [by_rows, by_cols]
    out = []
    for r in range(k):
        readings = list(dict.fromkeys(tuple(t.text for t in option[r]) for option in options))
        cells = options[0][r]
        out.append(Observed(readings, tuple(t.line for t in cells), run if r == 0 else [], cells[0].line, own))
    return out


def align_rows(observed: list[Observed], count: int) -> tuple[float, list[list[int | None]]]:
    """Monotone alignment of observed rows onto `count` template rows.

    Returns the best score and, for each template row, the observed rows (or None: the row
    absent) that some best-scoring alignment gives it (max-marginals from a forward and a
    backward pass, so that ties show).
    """
    m, n = len(observed), count
    neg = float("-inf")
    score: list[list[float]] = []
    for o in observed:
        weight = _LABEL_WEIGHT if o.own else _LOOSE_WEIGHT
        base, best = (1.0 if o.options else 0.5), o.best
        row = [base + weight * (e - best) for e in o.evidence]
        score.append([v if v > 0 else neg for v in row])
    fwd = [[0.0] * (n + 1) for _ in range(m + 1)]
    for i in range(1, m + 1):
        prev, here, s = fwd[i - 1], fwd[i], score[i - 1]
        for j in range(1, n + 1):
            here[j] = max(prev[j], here[j - 1], prev[j - 1] + s[j - 1])
    bwd = [[0.0] * (n + 2) for _ in range(m + 2)]
    for i in range(m, 0, -1):
        nxt, here, s = bwd[i + 1], bwd[i], score[i - 1]
        for j in range(n, 0, -1):
            here[j] = max(nxt[j], here[j + 1], nxt[j + 1] + s[j - 1])
    best = fwd[m][n]
    choices: list[list[int | None]] = []
    for j in range(1, n + 1):
        given: list[int | None] = [
            i - 1 for i in range(1, m + 1) if fwd[i - 1][j - 1] + score[i - 1][j - 1] + bwd[i + 1][j + 1] >= best - TIE
        ]
        if max(fwd[i][j - 1] + bwd[i + 1][j + 1] for i in range(0, m + 1)) >= best - TIE:
            given.append(None)
        choices.append(given)
    return best, choices
