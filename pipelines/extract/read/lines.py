"""Source lines: split a report into numbered lines and blank out stray ones.

Line numbers are 1-based over `text.split("\\n")` and never shift: a stray line (a page
number such as `-4-`, a form feed) becomes an empty string in place, and markers such as
`[bookmark: _GoBack]` are cut out of the line that carries them.
"""

from __future__ import annotations

import re

_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]")
_PAGE_NUMBER = re.compile(
    r"^[^\S\n]*(?:[-—–－][^\S\n]*\d{1,3}[^\S\n]*[-—–－]|第[^\S\n]*\d{1,3}[^\S\n]*[页頁](?:[^\S\n]*[，,]?[^\S\n]*共[^\S\n]*\d{1,3}[^\S\n]*[页頁])?"
    r"|\d{1,3}[^\S\n]*/[^\S\n]*\d{1,3})[^\S\n]*$",
    re.MULTILINE,
)


def clean_text(text: str) -> str:
    """The report's text cleaned of stray content, its line numbering kept.

    Whole-text substitutions (one pass each, in C) rather than per-line work: this runs on
    every report.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "")
    if "\f" in text:
        text = text.replace("\f", "")
    if "[bookmark:" in text:
        text = _BOOKMARK.sub("", text)
    return _PAGE_NUMBER.sub("", text)


def source_lines(text: str) -> list[str]:
    """The report's cleaned lines (1-based line n is index n - 1)."""
    return clean_text(text).split("\n")


def is_blank(line: str) -> bool:
    return not line.strip()
