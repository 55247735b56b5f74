"""Source lines: split a report into numbered lines and blank out stray ones.

Line numbers are 1-based over `text.split("\\n")` and never shift: a stray line (a page
number such as `-4-`, a form feed) becomes an empty string in place, and markers such as
`[bookmark: _GoBack]` are cut out of the line that carries them.
"""

from __future__ import annotations

import re

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[，,]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)


def source_lines(text: str) -> list[str]:
    """The report's lines, cleaned of stray content but with their numbering kept."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        line = line.rstrip("\r").replace("\f", "")
        if "[bookmark:" in line:
            line = _BOOKMARK.sub("", line)
        if _PAGE_NUMBER.match(line):
            line = ""
        out.append(line)
    return out


def is_blank(line: str) -> bool:
    return not line.strip()
