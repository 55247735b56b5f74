"""Text normalisation: the one place where script, width and whitespace are folded.

Labels are compared as *keys*: NFKC (full-width → half-width), Traditional → Simplified
(OpenCC), enumerators such as `一、`, `（三）`, `2.` removed, then every character that is not a
letter or digit removed. Values are read by `read_value`, which never turns a blank into 0.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

import opencc

SIMPLIFIED = "simplified"
TRADITIONAL = "traditional"


@cache
def opencc_converter(config: str) -> opencc.OpenCC:
    """An OpenCC converter (`t2s`, `s2t`), built on first use and then reused: building one
    costs milliseconds, and nothing heavy should run at import."""
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional → Simplified with OpenCC's `t2s`."""
    return opencc_converter("t2s").convert(text)


_SPACE = re.compile(r"\s+")
_ENUMERATOR = re.compile(r"^(?:[一二三四五六七八九十]+[、.,]|\([一二三四五六七八九十\d]+\)|\d+[.、,](?!\d))")
_NOT_WORD = re.compile(r"[\W_]+")
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")


def fold(text: str) -> str:
    """NFKC and whitespace removed (no script conversion): for numbers, dates and codes."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """The comparable key of a label: Simplified, folded, enumerators and punctuation gone.

    `（三）不予公開` → `不予公开`; `3.危及“三安全一稳定”` → `危及三安全一稳定`.
    Cached: the same few hundred labels recur in every report.
    """
    s = to_simplified(fold(text))
    while True:
        stripped = _ENUMERATOR.sub("", s, count=1)
        if stripped == s:
            break
        s = stripped
    return _NOT_WORD.sub("", s)


@cache
def _traditional_chars() -> re.Pattern[str]:
    """A character class of the CJK characters OpenCC's `t2s` changes (built once)."""
    everything = "".join(map(chr, range(0x4E00, 0xA000)))
    simplified = to_simplified(everything)
    changed = [a for a, b in zip(everything, simplified, strict=True) if a != b]
    return re.compile("[" + "".join(changed) + "]")


def detect_script(text: str, sample: int = 1500) -> str:
    """`traditional` when a noticeable share of the CJK characters are ones OpenCC would change.

    A threshold rather than "any", because Simplified reports carry the odd variant character
    that `t2s` also rewrites. Counting with a character class (in C) keeps this cheap.
    """
    head = text[:sample]
    changed = len(_traditional_chars().findall(head))
    cjk = len(_NOT_CJK.sub("", head))
    return TRADITIONAL if cjk and changed >= max(3, cjk // 100) else SIMPLIFIED


# --- cell values -------------------------------------------------------------------------

BLANK = "blank"
NUMBER = "number"
UNREADABLE = "unreadable"

MAX_DIGITS = 15  # a double holds 15 significant digits exactly; no count or amount comes near
BLANK_MARKERS = frozenset({"", "-", "—", "–", "－", "/", "无", "無", "\\", "—-", "--"})
_INTEGER = re.compile(r"^\d+$")
_SPLIT_DIGITS = re.compile(r"\d\s+\d")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL = re.compile(r"^\d+\.\d+$")
# An amount printed with its unit: 万元 as the template counts it, or 元 (converted, and said so).
_MONEY = re.compile(r"^(?P<number>.+?)(?P<unit>万元|元)$")


@dataclass(frozen=True)
class CellValue:
    kind: str  # NUMBER, BLANK or UNREADABLE
    value: int | Decimal | None
    reason: str = ""


@lru_cache(maxsize=4096)
def read_value(text: str, decimal: bool = False, signed: bool = False) -> CellValue:
    """Read one cell's text as a number.

    Blank markers (`-`, `—`, `/`, `无`, nothing) are BLANK, never 0; anything else that is not
    a number is UNREADABLE. Counts must be whole and not negative; `decimal=True` admits an
    amount (万元), `signed=True` a change (本年增/减, e.g. `-2`).
    """
    s = fold(text)
    if s in BLANK_MARKERS:
        return CellValue(BLANK, None)
    if _SPLIT_DIGITS.search(unicodedata.normalize("NFKC", text)):
        return CellValue(UNREADABLE, None, "digits separated by spaces or lines (one number or two?)")
    if sum(ch.isdigit() for ch in s) > MAX_DIGITS:
        return CellValue(UNREADABLE, None, f"more than {MAX_DIGITS} digits: no count or amount is that long")
    if _INTEGER.match(s):
        return CellValue(NUMBER, int(s))
    if signed and s[:1] in "-+－" and _INTEGER.match(s[1:]):
        return CellValue(NUMBER, -int(s[1:]) if s[0] != "+" else int(s[1:]))
    if (unit := _MONEY.match(s)) and unit["number"] and unit["number"][-1].isdigit():
        if not decimal:
            return CellValue(UNREADABLE, None, "a count printed with a unit of money")
        read = read_value(unit["number"], decimal=True)
        if read.kind != NUMBER or read.value is None or unit["unit"] == "万元":
            return read
        yuan = Decimal(read.value)
        return CellValue(NUMBER, yuan / 10000, f"printed in 元 ({unit['number']}元), stored in 万元")
    if _GROUPED.match(s) or _DECIMAL.match(s):
        try:
            number = Decimal(s.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the regexes admit only valid decimals
            return CellValue(UNREADABLE, None, "not a number")
        if number == number.to_integral_value():
            return CellValue(NUMBER, int(number))
        if decimal:
            return CellValue(NUMBER, number)
        return CellValue(UNREADABLE, None, "a count with a fraction")
    return CellValue(UNREADABLE, None, "not a number")


def is_value_like(text: str) -> bool:
    """True when the text reads as a number (count, amount or change) or a blank marker, or is
    a run of digits too long to be one (a value all the same, which reads as unreadable)."""
    return read_value(text, decimal=True, signed=True).kind != UNREADABLE or fold(text).isdigit()
