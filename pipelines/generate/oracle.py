"""Which cells a rendering leaves undecidable: the ground truth's `undecidable`, found by brute force.

Some renderings lose what nothing can recover. In an archiver's glued text `8855698` is three
cells of table 2, and `88|55|698`, `8|855|698` … all read. The parser's rule (issue 10) is to
choose between candidate readings with the template's arithmetic and to leave null, with a
finding, every cell whose value differs between two readings that satisfy every rule. This
oracle computes those cells on its own, from what the renderer printed, with no code shared with
`pipelines/extract` (as `forms.py` is the template, and `script.py` the script conversion, without the parser):

- glued rows: every split of a row's digit run (spaces the archiver left are cell boundaries)
  into the row's cell count, each cell `0` or starting with 1–9 (an amount may have decimals, a
  change may be negative); a row of table 3 keeps the splits whose 总计 is the sum of its six
  applicant cells (R2), table 4 those whose groups add up (R4); table 2 has no rule, so every
  split stands;
- label-less blocks of table 3 printed in reading order: the block read row by row or column by
  column, each reading kept when its rows satisfy R2;
- then, across the rows of table 3, the combinations that satisfy R1 (new + carried over =
  handled + carried forward, per column) and R3 (handled = the sum of the result rows, per
  column); a rule that reads a blank cell cannot reject a reading.

A cell is undecidable when its value differs between two surviving combinations. Cost: a row's
splits are enumerated with the 总计's length first (no part has more digits, the total at most
one more than the longest part), so a row of table 3 costs at most a few hundred candidate
splits; the rows of table 3 are combined by dynamic programming over partial column sums
(forward and backward sets, a candidate kept when the suffix its path needs is in the backward
set), not by enumerating their product. Over 600 archived reports: 4.6 ms a report on average,
0.23 s at worst (a report with ten ambiguous rows); a brute-force enumeration agrees (tests).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import product

from pipelines.generate.forms import (
    AMOUNT_CELLS,
    REQUEST_COLUMNS,
    REQUESTS,
    REVIEW,
    SIGNED_COLUMNS,
    CellKey,
    cell_keys,
    request_rows,
    result_rows,
)

Number = int | Decimal
Reading = tuple[Number | None, ...]  # one row's seven values

_COUNT = re.compile(r"0|[1-9][0-9]*")
_SIGNED = re.compile(r"0|-?[1-9][0-9]*")
_AMOUNT = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_FIRST_SEVEN = 7


def number_of(text: str) -> Number | None:
    """A printed cell's value (full-width digits, padding and thousands separators allowed), or
    None for a blank marker or unreadable text."""
    plain = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    if _SIGNED.fullmatch(plain):
        return int(plain)
    if _AMOUNT.fullmatch(plain):
        try:
            return Decimal(plain)
        except InvalidOperation:  # pragma: no cover - the pattern admits decimals only
            return None
    return None


def _pattern(key: CellKey) -> re.Pattern[str]:
    if key in AMOUNT_CELLS:
        return _AMOUNT
    return _SIGNED if key[2] in SIGNED_COLUMNS else _COUNT


def _value(piece: str, key: CellKey) -> Number:
    return Decimal(piece) if key in AMOUNT_CELLS else int(piece)


# --- one glued row -------------------------------------------------------------------------


@dataclass(frozen=True)
class GluedRow:
    """The cells of one table row as the glued text prints them: their keys in order, and the
    row's value characters (digits, `.`, `-`) with the spaces the archiver left between cells."""

    keys: tuple[CellKey, ...]
    text: str


class _Run:
    """A row's characters without its spaces, and where the spaces forced a cell boundary."""

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        bounds: set[int] = set()
        for c in text:
            if c.isspace():
                bounds.add(len(chars))
            else:
                chars.append(c)
        self.s = "".join(chars)
        # the first forced boundary after each position (a piece may not cross it)
        self.next_bound = [min((b for b in bounds if b > i), default=len(self.s)) for i in range(len(self.s) + 1)]

    def pieces(
        self, start: int, keys: Sequence[CellKey], max_len: int, end: int | None
    ) -> Iterator[tuple[tuple[str, ...], int]]:
        """Every way to cut len(keys) valid cells from `start` (each at most `max_len` long),
        ending at `end` (or anywhere when None): (cells, where they end)."""
        if not keys:
            if end is None or start == end:
                yield (), start
            return
        limit = min(self.next_bound[start], start + max_len, len(self.s) if end is None else end)
        for stop in range(start + 1, limit + 1):
            piece = self.s[start:stop]
            if not _pattern(keys[0]).fullmatch(piece):
                continue
            for rest, finish in self.pieces(stop, keys[1:], max_len, end):
                yield (piece, *rest), finish


def _sum(values: Sequence[Number | None]) -> Number | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _equal(a: Number | None, b: Number | None) -> bool:
    """A rule holds, or cannot be checked because a cell is blank."""
    return a is None or b is None or a == b


def _ruled_group(run: _Run, start: int, keys: Sequence[CellKey], end: int | None) -> Iterator[tuple[Reading, int]]:
    """Cells of a group whose last cell is the sum of the others (R2's row, R4's group). Counts
    are never negative, so every part has at most the total's digits, and the total at most one
    digit more than the longest part (nine parts or fewer)."""
    if end is None:  # R4's first groups: the parts first, then a total of the right length
        candidates = (
            (parts, stop, length)
            for parts, stop in run.pieces(start, keys[:-1], len(run.s) - start, None)
            for length in {max(map(len, parts)), max(map(len, parts)) + 1}
        )
    else:  # a row of table 3 (or R4's last group): the total's length first, the parts no longer
        candidates = (
            (parts, stop, length)
            for length in range(1, end - start + 1)
            if end - start - length <= (len(keys) - 1) * length
            for parts, stop in run.pieces(start, keys[:-1], length, end - length)
        )
    limit = len(run.s) if end is None else end
    for parts, stop, length in candidates:
        piece = run.s[stop : stop + length]
        if stop + length > limit or len(piece) != length or run.next_bound[stop] < stop + length:
            continue
        if not _pattern(keys[-1]).fullmatch(piece):
            continue
        values = [_value(p, k) for p, k in zip(parts, keys, strict=False)]
        total = _value(piece, keys[-1])
        if sum(values) == total:
            yield (*values, total), stop + length


def row_readings(row: GluedRow) -> list[Reading]:
    """Every reading of one glued row that satisfies the row's own rule (R2, R4, or none)."""
    run = _Run(row.text)
    n = len(run.s)
    table = row.keys[0][0]
    if table == REQUESTS:
        return [values for values, _ in _ruled_group(run, 0, row.keys, n)]
    if table == REVIEW:
        out: list[Reading] = []

        def groups(start: int, k: int, prefix: Reading) -> None:
            if k == len(row.keys):
                if start == n:
                    out.append(prefix)
                return
            end = n if k + 5 == len(row.keys) else None
            for values, stop in _ruled_group(run, start, row.keys[k : k + 5], end):
                groups(stop, k + 5, prefix + values)

        groups(0, 0, ())
        return out
    return [
        tuple(_value(p, k) for p, k in zip(pieces, row.keys, strict=True))
        for pieces, _ in run.pieces(0, row.keys, n, n)
    ]


# --- table 3 across rows -------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """Rows of table 3 read together, with their candidate readings (one tuple per row each)."""

    rows: tuple[str, ...]
    candidates: tuple[tuple[Reading, ...], ...]


def _add(a: Reading, b: Reading) -> Reading:
    return tuple(None if x is None or y is None else x + y for x, y in zip(a, b, strict=True))


def _column_sums(candidate: tuple[Reading, ...]) -> Reading:
    out: Reading = (0,) * _FIRST_SEVEN
    for reading in candidate:
        out = _add(out, reading)
    return out


def _matches(a: Reading, b: Reading) -> bool:
    return all(_equal(x, y) for x, y in zip(a, b, strict=True))


def _on_a_path(before: set[Reading], sums: Reading, after: set[Reading], total: Reading) -> bool:
    """Whether some prefix sum, this candidate and some suffix sum add up to the 总计 row."""
    if None not in total and None not in sums and all(None not in s for s in after):
        for p in before:  # the suffix is then determined: look it up
            if None in p:
                return any(_matches(_add(_add(p, sums), s), total) for s in after)
            need = tuple(t - x - y for t, x, y in zip(total, p, sums, strict=True))  # type: ignore[operator]
            if need in after:
                return True
        return False
    return any(_matches(_add(_add(p, sums), s), total) for p in before for s in after)


def _viable(units: Sequence[Unit], template: str) -> dict[str, set[Reading]]:
    """For every row of table 3, the readings used by some combination satisfying R1 and R3."""
    by_row = {row: (unit, k) for unit in units for k, row in enumerate(unit.rows)}
    results = [key for key, _label, _group in result_rows(template)]
    result_units = [unit for unit in units if unit.rows[0] in results]

    def single(row: str) -> list[Reading]:
        unit, k = by_row[row]
        return [candidate[k] for candidate in unit.candidates]

    viable: dict[str, set[Reading]] = {row: set() for row in by_row}
    # forward and backward sets of partial column sums over the result units
    forward: list[set[Reading]] = [{(0,) * _FIRST_SEVEN}]
    for unit in result_units:
        forward.append({_add(p, _column_sums(c)) for p in forward[-1] for c in unit.candidates})
    backward: list[set[Reading]] = [{(0,) * _FIRST_SEVEN}]
    for unit in reversed(result_units):
        backward.insert(0, {_add(_column_sums(c), s) for s in backward[0] for c in unit.candidates})
    for handled in single("total_handled"):
        if not any(_matches(total, handled) for total in forward[-1]):
            continue  # R3 fails for every combination with this 总计 row
        r1 = [
            (new, over, forward_)
            for new, over, forward_ in product(
                single("new_received"), single("carried_over"), single("carried_forward")
            )
            if _matches(_add(new, over), _add(handled, forward_))
        ]
        if not r1:
            continue
        viable["total_handled"].add(handled)
        for new, over, forward_ in r1:
            viable["new_received"].add(new)
            viable["carried_over"].add(over)
            viable["carried_forward"].add(forward_)
        for i, unit in enumerate(result_units):
            for candidate in unit.candidates:
                if _on_a_path(forward[i], _column_sums(candidate), backward[i + 1], handled):
                    for row, reading in zip(unit.rows, candidate, strict=True):
                        viable[row].add(reading)
    return viable


def _differing(readings: set[Reading], keys: Sequence[CellKey]) -> list[CellKey]:
    return [key for k, key in enumerate(keys) if len({r[k] for r in readings}) > 1]


def _ordered_keys(cells: set[CellKey], template: str) -> list[str]:
    return [".".join(key) for key in cell_keys(template) if key in cells]


def undecidable_glued(rows: Sequence[GluedRow], template: str) -> list[str]:
    """The cells (`table.row.column`, in printed order) of glued rows that the rules leave open."""
    out: set[CellKey] = set()
    units: list[Unit] = []
    for row in rows:
        readings = row_readings(row)
        if not readings:
            raise ValueError(f"no reading of {row.text!r} satisfies the rules: {row.keys[0][:2]}")
        if row.keys[0][0] == REQUESTS:
            units.append(Unit((row.keys[0][1],), tuple((r,) for r in readings)))
        else:
            out |= set(_differing(set(readings), row.keys))
    out |= _table3_undecidable(units, template)
    return _ordered_keys(out, template)


def _table3_undecidable(units: list[Unit], template: str) -> set[CellKey]:
    if not units:
        return set()
    out: set[CellKey] = set()
    for row, readings in _viable(units, template).items():
        if not readings:
            raise ValueError(f"no combination of readings satisfies R1 and R3 (row {row})")
        out |= set(_differing(readings, [(REQUESTS, row, c) for c in REQUEST_COLUMNS]))
    return out


# --- table 3 in reading order --------------------------------------------------------------


@dataclass(frozen=True)
class OrderedBlock:
    """Rows of table 3 printed without their labels, one after the other: their keys, and
    whether their cells were printed column by column."""

    rows: tuple[str, ...]
    column_major: bool


def _flat(rows: Sequence[Sequence[Number | None]]) -> list[Number | None]:
    return [value for row in rows for value in row]


def _r2(reading: Reading) -> bool:
    return _equal(_sum(list(reading[:-1])), reading[-1])


def _readings_of_sequence(sequence: Sequence[Number | None], n_rows: int) -> list[tuple[Reading, ...]]:
    """The block's two readings (row by row, column by column) whose rows satisfy R2."""
    by_rows = tuple(tuple(sequence[r * 7 : r * 7 + 7]) for r in range(n_rows))
    by_columns = tuple(tuple(sequence[c * n_rows + r] for c in range(7)) for r in range(n_rows))
    out: list[tuple[Reading, ...]] = []
    for candidate in (by_rows, by_columns):
        if all(_r2(reading) for reading in candidate) and candidate not in out:
            out.append(candidate)
    return out


def column_major_decidable(values: Sequence[Sequence[Number | None]]) -> bool:
    """Whether a block printed column by column is still told from its row-by-row reading by
    R2 alone (that reading breaks R2 in some row, or gives the same values)."""
    n = len(values)
    sequence = [values[r][c] for c in range(7) for r in range(n)]
    misread = [tuple(sequence[r * 7 : r * 7 + 7]) for r in range(n)]
    return misread == [tuple(v) for v in values] or not all(_r2(reading) for reading in misread)


def undecidable_ordered(
    blocks: Sequence[OrderedBlock], tables: Mapping[str, Mapping[str, Mapping[str, Number | None]]], template: str
) -> list[str]:
    """The cells of table 3 that label-less blocks printed in reading order leave open."""
    if not any(len(block.rows) > 1 for block in blocks):
        return []  # a single row reads the same either way
    requests = tables[REQUESTS]
    starts = {block.rows[0]: block for block in blocks}
    covered = {row for block in blocks for row in block.rows}
    units: list[Unit] = []
    for row, _label in request_rows(template):
        if row in starts:
            block = starts[row]
            true = [[requests[r][c] for c in REQUEST_COLUMNS] for r in block.rows]
            n = len(block.rows)
            sequence = [true[r][c] for c in range(7) for r in range(n)] if block.column_major else _flat(true)
            units.append(Unit(block.rows, tuple(_readings_of_sequence(sequence, n))))
        elif row not in covered:
            units.append(Unit((row,), ((tuple(requests[row][c] for c in REQUEST_COLUMNS),),)))
    return _ordered_keys(_table3_undecidable(units, template), template)
