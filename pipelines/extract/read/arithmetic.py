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

from collections.abc import Callable, Sequence
from itertools import product

from pipelines.extract.read.normalize import NUMBER, read_value

Reading = tuple[str, ...]  # one text per cell

MAX_READINGS = 5000  # a run that cuts more ways than this is left undecided
_MAX_CELL_DIGITS = 9  # no count in a report comes near a billion


_SIGNS = "-－"


_UNITS = ("万元", "元")


def _without_unit(text: str) -> tuple[str, str]:
    """A number and the money unit printed after it (`73802895.90元`), if any."""
    for unit in _UNITS:
        if text.endswith(unit):
            return text[: -len(unit)], unit
    return text, ""


def splittable(text: str) -> bool:
    """A bare digit run of two or more digits, maybe signed (a change, 本年增/减: `-11580`),
    maybe ending in a decimal fraction and a unit (an amount glued after a count:
    `13575394432.52`, `39573802895.90元`): it may hold several glued cells."""
    whole, _, fraction = _without_unit(text)[0].lstrip(_SIGNS).partition(".")
    return len(whole) > 1 and whole.isascii() and whole.isdigit() and (not fraction or fraction.isdigit())


def signs_fit(signed: Sequence[bool]) -> Callable[[Reading], bool]:
    """A reading whose negative cells stand only where the template admits them (`signed`)."""
    return lambda reading: all(
        ok or not text.startswith(tuple(_SIGNS)) for text, ok in zip(reading, signed, strict=True)
    )


def readings(
    pieces: Sequence[str],
    width: int,
    accept: Callable[[Reading], bool] | None = None,
    group: int | None = None,
) -> list[Reading] | None:
    """Every way to read the printed pieces as `width` cells.

    A bare digit run may be cut into several cells (no cell starts with 0 unless it is 0, none
    longer than nine digits; a sign stays with the first cell, a decimal fraction with the
    last); anything else is one cell. With `group`, every consecutive group of that many cells
    ends in the sum of the others (R2 for a row of table 3, R4 for table 4's proceedings), which
    is enforced while cutting, so long runs stay cheap. `accept` judges whole readings. None
    when there are more than MAX_READINGS (too little is known to decide).
    """
    units: list[tuple[str, str, str] | str] = []  # (sign, digits, fraction) for a run, else the text
    for piece in pieces:
        if splittable(piece):
            number, money = _without_unit(piece)
            digits = number.lstrip(_SIGNS)
            whole, dot, fraction = digits.partition(".")
            units.append((number[: len(number) - len(digits)], whole, dot + fraction + money))
        else:
            units.append(piece)
    out: list[Reading] = []
    room = [0] * (len(units) + 1)  # the most cells the units from k on can give
    for k in range(len(units) - 1, -1, -1):
        unit = units[k]
        room[k] = room[k + 1] + (len(unit[1]) if isinstance(unit, tuple) else 1)

    def total_due(acc: tuple[str, ...]) -> int | None:
        """The sum the next cell must equal when it closes a group, else None (not a closing
        cell, or a part that cannot be judged: a blank)."""
        if not group or (len(acc) + 1) % group:
            return None
        parts = [count(t) for t in acc[len(acc) - group + 1 :]]
        known = [v for v in parts if v is not None]
        return None if len(known) < len(parts) else sum(known)

    def walk(k: int, offset: int, acc: tuple[str, ...]) -> bool:
        if k == len(units):
            if len(acc) == width and (accept is None or accept(acc)):
                out.append(acc)
            return len(out) <= MAX_READINGS
        if len(acc) >= width or width - len(acc) > room[k] - offset:
            return True
        unit = units[k]
        due = total_due(acc)
        if isinstance(unit, str):
            if due is not None and count(unit) != due:
                return True
            return walk(k + 1, 0, (*acc, unit))
        sign, digits, fraction = unit
        rest = digits[offset:]
        sizes: Sequence[int]
        if due is not None:
            sizes = [len(str(due))] if rest.startswith(str(due)) else []
        elif rest[0] == "0":
            sizes = [1]
        else:
            sizes = range(1, min(_MAX_CELL_DIGITS, len(rest)) + 1)
        for size in sizes:
            cell = (sign if offset == 0 else "") + rest[:size]
            if size == len(rest):
                if not walk(k + 1, 0, (*acc, cell + fraction)):
                    return False
            elif not walk(k, offset + size, (*acc, cell)):
                return False
        return True

    if not walk(0, 0, ()):
        return None
    return out


def count(text: str) -> int | None:
    """A cell's whole count, or None when blank or unreadable."""
    read = read_value(text)
    return read.value if read.kind == NUMBER and isinstance(read.value, int) else None


def sums_to_last(reading: Reading) -> bool:
    """R2 (a table-3 row) and R4 (a table-4 group): the last cell is the sum of the others.
    A reading with a blank or unreadable cell cannot be judged, so it is not refused; one with
    a negative count is."""
    if any(t.startswith(tuple(_SIGNS)) for t in reading):
        return False
    values = [count(t) for t in reading]
    known = [v for v in values if v is not None]
    if len(known) < len(values):
        return True
    return sum(known[:-1]) == known[-1]


def groups_sum(size: int) -> Callable[[Reading], bool]:
    """Every consecutive group of `size` cells sums to its last cell (table 4: size 5)."""
    return lambda reading: all(sums_to_last(reading[k : k + size]) for k in range(0, len(reading), size))


_FLOW = ("new_received", "carried_over", "total_handled", "carried_forward")


def column_rules_hold(rows: dict[str, Reading], result_rows: Sequence[str], width: int) -> bool:
    """R1 and R3 on every column where all their cells are known (unknown cells judge nothing)."""
    for c in range(width):
        cells = {row: count(reading[c]) for row, reading in rows.items()}
        new, over, handled, forward = (cells.get(r) for r in _FLOW)
        if (
            new is not None
            and over is not None
            and handled is not None
            and forward is not None
            and new + over != handled + forward
        ):
            return False
        results = [cells.get(r) for r in result_rows]
        known = [v for v in results if v is not None]
        if handled is not None and len(known) == len(results) and sum(known) != handled:
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
