"""Values grouped as printed: the segments the rows of a table are read from.

A segment is a run of values with no label between them, on one printed row (a grid row, a
line of text), or on consecutive lines that each hold one value (text in reading order). Each
keeps the labels printed just before it, and whether those are its own label (on its row) or
loose lines above. Also here: where the columns stand in text with positions, so that a blank
printed as nothing can be placed, and whether digits show that their separators were lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from pipelines.extract.read.arithmetic import Reading
from pipelines.extract.read.tokens import LABEL, Token

_RUN_LIMIT = 8  # labels looked at before a segment


@dataclass
class Segment:
    values: list[Token]
    run: list[Token]  # the labels printed just before the values (closest last)
    # the run is the row's own label: on the row of its first value, or just before values
    # printed one per line; otherwise it is loose lines above (a converter's or a PDF's text)
    own: bool = True


def segments(tokens: list[Token], lo: int, hi: int) -> list[Segment]:
    """Values with no label between them, on one printed row, or on consecutive lines that
    each hold one value (text in reading order: one cell per line)."""
    per_row: dict[int, int] = {}
    for t in tokens[lo:hi]:
        per_row[t.row] = per_row.get(t.row, 0) + 1
    out: list[Segment] = []
    current: Segment | None = None
    for k in range(lo, hi):
        t = tokens[k]
        if t.kind == LABEL:
            current = None
            continue
        prev = tokens[k - 1] if k > lo else None
        if (
            current is not None
            and prev is not None
            and (prev.row == t.row or (per_row[prev.row] == 1 and per_row[t.row] == 1))
        ):  # joined to the segment before
            current.values.append(t)
            continue
        run: list[Token] = []
        j = k - 1
        while j >= lo and tokens[j].kind == LABEL and len(run) < _RUN_LIMIT:
            if t.grid is not None and tokens[j].row != t.row and run and tokens[j].grid == t.grid:
                break  # a grid row's own labels, and loose lines above it; not the row above
            run.insert(0, tokens[j])
            j -= 1
        own = per_row[t.row] == 1
        if run and run[-1].row == t.row:
            own = True
        current = Segment([t], run, own)
        out.append(current)
    return out


def drop_fillers(values: list[Token], width: int, trailing_first: bool) -> list[Token]:
    """Empty grid cells beyond the row's width (a converter pads rows to the widest)."""
    values = list(values)
    for end in (-1, 0) if trailing_first else (0, -1):
        while len(values) > width and values[end].cell and not values[end].text:
            values.pop(end)
    return values


def cell_lines(values: list[Token], reading: Reading) -> tuple[int, ...]:
    """The source line of each cell of a reading (a glued run's cells share its line)."""
    lines: list[int] = []
    k = 0
    for token in values:
        taken = ""
        while k < len(reading) and (not taken or taken != token.text) and len(taken) < len(token.text or "x"):
            taken += reading[k]
            lines.append(token.line)
            k += 1
            if not token.text:
                break
    lines += [values[-1].line] * (len(reading) - len(lines))
    return tuple(lines[: len(reading)])


def _centre(token: Token) -> float | None:
    return None if token.x is None else token.x + len(token.text) / 2


def _positions(seg: Segment, width: int) -> list[float] | None:
    """The centres of a full row's values, when each value stands on its own on one line."""
    values = seg.values
    if len(values) != width or values[0].grid is not None or len({t.row for t in values}) != 1:
        return None
    xs = [t.x for t in values]
    if None in xs or len(set(xs)) != width:
        return None
    return [centre for t in values if (centre := _centre(t)) is not None]  # every one: no x is None


def column_model(segs: list[Segment], k: int, width: int) -> list[float] | None:
    """Where the columns stand around segment `k` (text with positions: a PDF's text,
    `pdftotext -layout`): the positions of the nearest full rows above and below, when they
    agree (a page break may shift the whole table); either one where only it exists."""
    near = []
    for step in (-1, 1):
        j = k + step
        while 0 <= j < len(segs):
            if (found := _positions(segs[j], width)) is not None:
                near.append(found)
                break
            j += step
    if not near:
        return None
    if len(near) == 2 and any(abs(a - b) > 1.5 for a, b in zip(*near, strict=True)):
        return None
    model = near[0]
    return model if all(a < b for a, b in pairwise(model)) else None


def by_columns(values: list[Token], model: list[float]) -> Reading | None:
    """A short row placed by position: each value in the column it stands under, the columns
    left without one blank (a blank cell printed as nothing). None unless every value stands
    clearly under its own column, in order."""
    gaps = [b - a for a, b in pairwise(model)]
    tolerance = min(gaps) / 2
    cells = [""] * len(model)
    last = -1
    for token in values:
        centre = _centre(token)
        if centre is None:
            return None
        c = min(range(len(model)), key=lambda k: abs(model[k] - centre))
        if abs(model[c] - centre) >= tolerance or c <= last:
            return None
        cells[c] = token.text
        last = c
    return tuple(cells)


def glued_region(segs: list[Segment]) -> bool:
    """Text whose cells lost their separators (an archiver's): most segments show glued digits."""
    showing = sum(1 for seg in segs if any(t.glued for t in seg.values))
    return showing >= 2 and showing * 3 >= len(segs)


def may_cut(seg: Segment, text_glued: bool) -> bool:
    """Digits are cut into cells only where they show they were glued, where the report's
    text does as a whole, or where one run must hold a whole row: in text whose cells keep
    their gaps, a short row means a blank, never glue."""
    if any(t.cell for t in seg.values):
        return False  # a grid cell is one cell, whatever it holds
    return text_glued or len(seg.values) == 1 or any(t.glued for t in seg.values)
