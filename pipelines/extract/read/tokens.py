"""A layout's pieces as a stream of label and value tokens: what the aligner reads.

A grid cell that holds a number or a blank is one value token (an empty cell is a blank at its
column, never nothing). Any other text is scanned into runs: numbers, labels, blank markers.
That is what reads text without structure: a PDF's text dump (`规章  1  0  11`), one cell per
line, or an archiver's text where every cell is glued to the next (`规章000行政规范性文件8855698`,
`…国家秘密00000002.其他法律…`). A digit run glued to the next label keeps its last digit as that
label's enumerator (`00000005.属于三类…` is `0000000` and `5.属于三类…`); a glued run of several
cells stays one token, for the aligner to split by the template's arithmetic.

Pure functions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from pipelines.extract.read.layout import Layout
from pipelines.extract.read.normalize import BLANK_MARKERS, UNREADABLE, read_value

LABEL = "label"
VALUE = "value"


@dataclass(frozen=True)
class Token:
    kind: str  # LABEL or VALUE
    text: str  # NFKC-folded; a value's digits as printed (a glued run may hold several cells)
    line: int  # source line (see layout.Piece.line)
    seq: int  # position in the document's token stream
    row: int  # the visual row: index of its layout Line
    col: int | None = None  # grid column, where the source has a grid
    x: float | None = None
    grid: int | None = None
    cell: bool = False  # a whole grid cell (its count is its own: never split)
    # digits that show they were glued: touching text with no space (`数量230`, `…74二、`), or
    # led by a zero (`00`, `023`); such a run may hold several cells
    glued: bool = False

    @property
    def is_value(self) -> bool:
        return self.kind == VALUE

    @property
    def digits(self) -> bool:
        """A bare run of digits (no separators, no decimal point): may hold glued cells."""
        return self.text.isdigit() and len(self.text) > 1 and self.text.isascii()


# A number: thousands-grouped or plain, maybe with decimals, maybe signed (本年增/减); a blank
# marker standing alone; an enumerator opening a label (`1.`, `2、`, `（三）`, `四、`); other text.
_SCAN = re.compile(
    r"(?P<num>(?<![\w.])[-－]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|[-－](?=\d)\d+(?:\.\d+)?|(?<![.．])\d+(?:\.\d+)?)"
    r"|(?P<space>\s+)"
    r"|(?P<text>[^\d\s]+)"
)
_ENUM_AFTER_DIGIT = re.compile(r"^[.．、](?=[^\d\s.．、])")
# Where a glued label run starts a new label: before an enumerator.
_LABEL_BREAK = re.compile(r"(?<=\S)(?=[（(][一二三四五六七八九十]{1,2}[）)]|[一二三四五六七八九十]{1,2}、)")
_WORDLESS = re.compile(r"^[\W_]+$")
_MONEY_UNIT = re.compile(r"^(?:万元|元)")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=65536)
def scan(text: str) -> tuple[tuple[str, str, bool], ...]:
    """(kind, text, glued) runs of a piece of text: numbers as VALUE, blank markers as VALUE,
    the rest as LABEL runs split at whitespace and before enumerators; `glued` marks digits
    touching text or led by a zero (see Token.glued). Cached: labels recur."""
    folded = _fold(text)
    raw: list[tuple[str, str]] = []
    for m in _SCAN.finditer(folded):
        if m.lastgroup == "num":
            raw.append(("num", m.group()))
        elif m.lastgroup == "text":
            raw.append(("text", m.group()))
        else:
            raw.append(("space", ""))
    out: list[tuple[str, str, bool]] = []
    k = 0
    while k < len(raw):
        kind, piece = raw[k]
        nxt = raw[k + 1] if k + 1 < len(raw) else None
        if kind == "num":
            if nxt and nxt[0] == "text" and "." not in piece and piece.isdigit() and _ENUM_AFTER_DIGIT.match(nxt[1]):
                # the last digit opens the next label: `00000005.属于…` / `5.属于…`
                if len(piece) > 1:
                    out.append((VALUE, piece[:-1], True))
                raw[k + 1] = ("text", piece[-1] + nxt[1])
                k += 1
                continue
            if nxt is not None and nxt[0] == "text" and nxt[1] in (".", "．"):
                # `96171.` before a space: a number cut short (a decimal lost?), read as printed
                piece += nxt[1]
                raw[k + 1] = nxt = ("text", "")
            if nxt is not None and nxt[0] == "text" and (unit := _MONEY_UNIT.match(nxt[1])):
                # an amount keeps its unit (`73802895.90元`): it decides the amount's scale
                piece += unit.group()
                raw[k + 1] = nxt = ("text", nxt[1][unit.end() :])
            touching = (k > 0 and raw[k - 1][0] == "text") or (nxt is not None and nxt[0] == "text" and bool(nxt[1]))
            out.append((VALUE, piece, touching or (len(piece) > 1 and piece[0] == "0" and piece[1] != ".")))
        elif kind == "text":
            if piece in BLANK_MARKERS and (k == 0 or raw[k - 1][0] == "space") and (nxt is None or nxt[0] == "space"):
                out.append((VALUE, piece, False))
            else:
                for part in _LABEL_BREAK.split(piece):
                    if part and not _WORDLESS.match(part):
                        out.append((LABEL, part, False))
        k += 1
    return tuple(out)


def _is_cell_value(text: str) -> bool:
    return read_value(text, decimal=True, signed=True).kind != UNREADABLE


def tokens_of(layout: Layout, is_stray: Callable[[str], bool] = lambda _text: False) -> list[Token]:
    """The layout's tokens in order.

    In a grid row, every cell after the row's last label is one value token: a number, a
    blank (an empty cell is a blank at its column), or, in a row that holds numbers, a short
    text no table knows (`O`, `3件`: `is_stray`), which reads as unreadable. An empty cell
    before a label is nothing (a merged label column), and a short text there is part of the
    labels (`三、` beside `（一）予以公开`).
    """
    out: list[Token] = []
    for row, line in enumerate(layout):
        if line.grid is not None:
            texts = [p.text.strip() for p in line.pieces]
            numbers = [_is_cell_value(t) and bool(t) for t in texts]
            labels = [bool(t) and not _is_cell_value(t) and not (any(numbers) and is_stray(t)) for t in texts]
            last_label = max((k for k, is_label in enumerate(labels) if is_label), default=-1)
        for k, piece in enumerate(line.pieces):
            text = piece.text.strip()
            if line.grid is not None and k > last_label:
                out.append(
                    Token(VALUE, _fold(text).strip(), piece.line, len(out), row, piece.col, piece.x, line.grid, True)
                )
                continue
            if line.grid is not None and not text:
                continue
            for kind, run, glued in scan(text):
                out.append(Token(kind, run, piece.line, len(out), row, piece.col, piece.x, line.grid, glued=glued))
    _misprinted_digits(out)
    return out


# Letters typed or recognised where a digit belongs (`O` for 0, `l` for 1).
_LOOKALIKE = re.compile(r"^[OoIl|]$")


def _misprinted_digits(tokens: list[Token]) -> None:
    """Outside grids, a lone digit look-alike beside a value (on its line, or on a line of its
    own between values printed one per line) is a value that cannot be read, not a label: it
    keeps its cell in the row."""
    per_row: dict[int, int] = {}
    for t in tokens:
        per_row[t.row] = per_row.get(t.row, 0) + 1
    for k, t in enumerate(tokens):
        if t.kind != LABEL or t.grid is not None or not _LOOKALIKE.match(t.text):
            continue
        for j in (k - 1, k + 1):
            if 0 <= j < len(tokens) and tokens[j].kind == VALUE and (tokens[j].row == t.row or per_row[t.row] == 1):
                tokens[k] = Token(VALUE, t.text, t.line, t.seq, t.row, t.col, t.x, t.grid)
                break
