"""The template's arithmetic as a judge between readings of the same printed numbers.

Text that lost its cell boundaries (`713000074` for a row of seven cells) can be cut many ways;
the template's own rules say which cuts are possible: a cell is `0` or starts with 1–9 (no
leading zeros), a row of table 3 sums to its 总计 (R2), table 3's columns add up (R1: new +
carried over = handled + carried forward; R3: handled = the sum of the result rows), and each
group of table 4 sums to its total (R4). Cells on which every surviving reading agrees are
decided; the others are not, and the reader says so instead of guessing.

Pure functions over cell texts (strings as printed, a blank as "").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import product

from pipelines.extract.normalize import NUMBER, read_value

Reading = tuple[str, ...]  # one text per cell

MAX_READINGS = 5000  # a run that cuts more ways than this is left undecided
_MAX_CELL_DIGITS = 9  # no count in a report comes near a billion


def _cuts(run: str, parts: int) -> Iterator[tuple[str, ...]]:
    """Every cut of a digit run into `parts` cells without leading zeros."""
    if parts == 1:
        if (run == "0" or run[0] != "0") and len(run) <= _MAX_CELL_DIGITS:
            yield (run,)
        return
    if run[0] == "0":  # a cell starting with 0 is exactly 0
        for rest in _cuts(run[1:], parts - 1):
            yield ("0", *rest)
        return
    for size in range(1, min(_MAX_CELL_DIGITS, len(run) - parts + 1) + 1):
        for rest in _cuts(run[size:], parts - 1):
            yield (run[:size], *rest)


def splittable(text: str) -> bool:
    """A bare digit run of two or more digits, maybe ending in a decimal fraction (an amount
    glued after a count: `13575394432.52`): it may hold several glued cells."""
    whole, _, fraction = text.partition(".")
    return len(whole) > 1 and whole.isascii() and whole.isdigit() and (not fraction or fraction.isdigit())


def _cuts_of(piece: str, parts: int) -> Iterator[tuple[str, ...]]:
    """Cuts of a piece; a decimal fraction stays with the last cell."""
    whole, dot, fraction = piece.partition(".")
    for cut in _cuts(whole, parts):
        yield (*cut[:-1], cut[-1] + dot + fraction) if dot else cut


def readings(
    pieces: Sequence[str], width: int, accept: Callable[[Reading], bool] | None = None
) -> list[Reading] | None:
    """Every way to read the printed pieces as `width` cells, keeping those `accept` admits:
    a bare digit run may be cut into several cells, anything else is one cell. None when the
    pieces cut more than MAX_READINGS ways (too little is known to decide)."""
    out: list[Reading] = []
    seen = 0

    def walk(k: int, left: int, acc: tuple[str, ...]) -> bool:
        nonlocal seen
        if k == len(pieces):
            if left == 0:
                seen += 1
                if accept is None or accept(acc):
                    out.append(acc)
            return seen <= MAX_READINGS
        remaining = len(pieces) - k - 1
        piece = pieces[k]
        most = min(len(piece.partition(".")[0]), left - remaining) if splittable(piece) else 1
        for parts in range(1, most + 1):
            if left - parts < remaining:
                break
            for cut in _cuts_of(piece, parts) if splittable(piece) else [(piece,)]:
                if not walk(k + 1, left - parts, acc + cut):
                    return False
        return True

    if not walk(0, width, ()):
        return None
    return out


def count(text: str) -> int | None:
    """A cell's whole count, or None when blank or unreadable."""
    read = read_value(text)
    return read.value if read.kind == NUMBER and isinstance(read.value, int) else None


def sums_to_last(reading: Reading) -> bool:
    """R2 (a table-3 row) and R4 (a table-4 group): the last cell is the sum of the others.
    A reading with a blank or unreadable cell cannot be judged, so it is not refused."""
    values = [count(t) for t in reading]
    if any(v is None for v in values):
        return True
    return sum(values[:-1]) == values[-1]


def groups_sum(size: int) -> Callable[[Reading], bool]:
    """Every consecutive group of `size` cells sums to its last cell (table 4: size 5)."""
    return lambda reading: all(sums_to_last(reading[k : k + size]) for k in range(0, len(reading), size))


_FLOW = ("new_received", "carried_over", "total_handled", "carried_forward")


def column_rules_hold(rows: dict[str, Reading], result_rows: Sequence[str], width: int) -> bool:
    """R1 and R3 on every column where all their cells are known (unknown cells judge nothing)."""
    for c in range(width):
        cells = {row: count(reading[c]) for row, reading in rows.items()}
        new, over, handled, forward = (cells.get(r) for r in _FLOW)
        if None not in (new, over, handled, forward) and new + over != handled + forward:
            return False
        results = [cells.get(r) for r in result_rows]
        if handled is not None and None not in results and sum(results) != handled:
            return False
    return True


def decide(
    options: dict[str, list[Reading]], holds: Callable[[dict[str, Reading]], bool], limit: int = 20000
) -> tuple[dict[str, Reading], dict[str, list[Reading]]]:
    """Choose among each row's readings with a rule over whole tables.

    Returns (decided rows, undecided rows with their surviving readings). Rows with one reading
    are fixed; the combinations of the others that satisfy `holds` are enumerated (up to
    `limit`); a row is decided when every surviving combination gives it the same reading.
    When no combination satisfies the rule (the report breaks it), nothing more is decided.
    """
    fixed = {row: rs[0] for row, rs in options.items() if len(rs) == 1}
    open_rows = [row for row, rs in options.items() if len(rs) > 1]
    if not open_rows:
        return fixed, {}
    total = 1
    for row in open_rows:
        total *= len(options[row])
    if total > limit:
        return fixed, {row: options[row] for row in open_rows}
    surviving: dict[str, set[Reading]] = {row: set() for row in open_rows}
    found = False
    for combo in product(*(options[row] for row in open_rows)):
        table = dict(fixed)
        table.update(zip(open_rows, combo, strict=True))
        if holds(table):
            found = True
            for row, reading in zip(open_rows, combo, strict=True):
                surviving[row].add(reading)
    if not found:
        return fixed, {row: options[row] for row in open_rows}
    decided = dict(fixed)
    undecided: dict[str, list[Reading]] = {}
    for row in open_rows:
        if len(surviving[row]) == 1:
            decided[row] = next(iter(surviving[row]))
        else:
            undecided[row] = sorted(surviving[row])
    return decided, undecided
