"""A section's text as the comparison sees it, and its shingles.

Copying a report and changing its numbers, its punctuation, its script or its line breaks must
not hide the copy: the text is put in Simplified, stripped of whitespace and punctuation, and
every run of digits (Arabic, full-width or Chinese numerals standing for a number) becomes one
placeholder. What is left is compared as a set of overlapping character n-grams (shingles).
"""

from __future__ import annotations

import re
import unicodedata

from pipelines.extract.read.normalize import to_simplified

SHINGLE_SIZE = 5  # characters: a Chinese word is 2–4, so a 5-gram spans a word and a half
MIN_CHARS = 50  # normalised characters: shorter sections (无其他需要报告的事项) are not compared
NUMBER = "#"
_DIGITS = re.compile(r"[0-9]+(?:[.][0-9]+)?|[〇零一二三四五六七八九十百千万亿两]{2,}")


def normalize(text: str | None) -> str:
    """Simplified, NFKC (full-width digits and letters to ASCII), digit runs to `#`, and only
    letters, digits' placeholder and CJK characters kept."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", to_simplified(text))
    text = _DIGITS.sub(NUMBER, text)
    return "".join(ch for ch in text if ch == NUMBER or ch.isalnum())


def shingles(normalized: str, size: int = SHINGLE_SIZE) -> list[str]:
    """The distinct character n-grams of a normalised text, in first-seen order (a text shorter
    than `size` is its own single shingle; an empty one has none)."""
    if not normalized:
        return []
    if len(normalized) <= size:
        return [normalized]
    return list(dict.fromkeys(normalized[i : i + size] for i in range(len(normalized) - size + 1)))


def comparable(normalized: str) -> bool:
    """Long enough to tell a copy from a shared formula."""
    return len(normalized) >= MIN_CHARS
