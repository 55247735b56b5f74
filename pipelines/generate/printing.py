"""How one table cell is printed: number styles, padding, blanks, unreadable text, splits.

Kept apart from the layouts: a cell's text is decided once (`CellText`), then each renderer
lays it out its own way (a split cell is a continuation line in tab text, `<br>` in HTML).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from random import Random

from pipelines.generate.values import Number

PLAIN = "plain"
PADDED = "padded"
FULLWIDTH = "fullwidth"
THOUSANDS = "thousands"
NUMBER_STYLES: tuple[str, ...] = (PLAIN, PADDED, FULLWIDTH, THOUSANDS)

BLANK_MARKERS: tuple[str, ...] = ("-", "—", "/", "无")
NBSP = "\xa0"
IDEOGRAPHIC_SPACE = "\u3000"

_FULLWIDTH = str.maketrans("0123456789.-,", "０１２３４５６７８９．－，")

# Modes of a cell's text.
ONE = "one"  # one piece of text
WRAP = "wrap"  # a label over two lines: (head, tail)
SPLIT = "split"  # a value under an empty first line: (pad, value), as Word cells with an empty paragraph


@dataclass(frozen=True)
class CellText:
    pieces: tuple[str, ...]
    mode: str = ONE

    @property
    def joined(self) -> str:
        return "".join(self.pieces)


def number_text(value: Number, style: str) -> str:
    """The digits of a value in a number style (padding is added separately)."""
    if isinstance(value, Decimal):
        text = format(value, ",f") if style == THOUSANDS else format(value, "f")
    else:
        text = f"{value:,}" if style == THOUSANDS else str(value)
    return text.translate(_FULLWIDTH) if style == FULLWIDTH else text


def pad(text: str, rng: Random, nbsp_ok: bool) -> str:
    """Spaces around a number inside its cell, never between its digits (seed 000: `\\xa00`)."""
    options = [f" {text} ", f"{text} ", f" {text}", f"{IDEOGRAPHIC_SPACE}{text}"]
    if nbsp_ok:
        options += [f"{NBSP}{text}", f"{text}{NBSP}", f"{NBSP}{text}", f"{NBSP} {text}"]
    return rng.choice(options)


def blank_text(rng: Random, empty: bool, nbsp_ok: bool) -> str:
    """A blank cell: empty (only where the layout keeps an empty cell), or a blank marker."""
    if empty:
        return rng.choice(["", "", " "] + ([NBSP] if nbsp_ok else []))
    return rng.choice(BLANK_MARKERS)


def unreadable_text(value: Number) -> str:
    """A letter where a digit belongs, as OCR and hasty typing leave it: `O` for 0, `l` for 1."""
    return "O" if value == 0 else "l"


def value_cell(value: Number, style: str, rng: Random, nbsp_ok: bool, split: bool) -> CellText:
    text = number_text(value, style)
    if style == PADDED and rng.random() < 0.8:
        text = pad(text, rng, nbsp_ok)
    if split:
        return CellText((NBSP if nbsp_ok else " ", text), SPLIT)
    return CellText((text,))
