"""Find the six section headings of the template, numbered or not.

A heading is a short line whose label key (enumerator and punctuation removed, Simplified)
is the template's heading, possibly followed by a few characters (`…情况统计`). Headings are
searched in template order, so `四、结转下年度继续办理` inside table 3 is never taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pipelines.extract.findings import Finding
from pipelines.extract.read.normalize import label_key
from pipelines.extract.template import SECTIONS, Section

_MAX_HEADING_CHARS = 40
_MAX_EXTRA_CHARS = 4


@dataclass(frozen=True)
class SectionSpan:
    number: int
    heading: str | None  # as written (stripped); None for the preamble (number 0)
    line: int  # 1-based line of the heading (of the first line for the preamble)
    start: int  # 0-based index of the first line after the heading
    end: int  # 0-based index, exclusive


@lru_cache(maxsize=65536)
def heading_number(stripped: str) -> int | None:
    """The number of the section this short line heads, or None."""
    key = label_key(stripped)
    for section in SECTIONS:
        if key.startswith(section.heading) and len(key) - len(section.heading) <= _MAX_EXTRA_CHARS:
            return section.number
    return None


def select_headings(hits: list[tuple[int, int, str]], line_count: int) -> tuple[list[SectionSpan], list[Finding]]:
    """Section spans from the heading-like lines of a report, `(index, section, text)` in file
    order: each section is the first of its kind after the previous one found, so a table's
    `四、结转下年度继续办理` is never taken for a heading. Preamble first, as number 0."""
    found: list[tuple[int, int, str]] = []  # (section number, 0-based line index, text)
    findings: list[Finding] = []
    cursor = 0
    for section in SECTIONS:
        for k in range(cursor, len(hits)):
            if hits[k][1] == section.number:
                found.append((section.number, hits[k][0], hits[k][2]))
                cursor = k + 1
                break
        else:
            findings.append(_missing(section))
    first_heading = found[0][1] if found else line_count
    spans = [SectionSpan(0, None, 1, 0, first_heading)]
    for k, (number, i, text) in enumerate(found):
        end = found[k + 1][1] if k + 1 < len(found) else line_count
        spans.append(SectionSpan(number, text, i + 1, i + 1, end))
    return spans, findings


def _missing(section: Section) -> Finding:
    return Finding(
        "section_missing",
        f"section {section.number} heading '{section.heading}' not found",
        table=section.key if section.number in (2, 3, 4) else None,
    )


def missing_sections(found: set[int]) -> list[Finding]:
    """A `section_missing` finding for each template section not among `found`."""
    return [_missing(section) for section in SECTIONS if section.number not in found]


def find_sections(lines: list[str]) -> tuple[list[SectionSpan], list[Finding]]:
    """Section spans of one report's lines (preamble first, as number 0), and a finding per
    missing heading."""
    hits = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped and len(stripped) <= _MAX_HEADING_CHARS and (number := heading_number(stripped)):
            hits.append((i, number, stripped))
    return select_headings(hits, len(lines))


_HEADING_KEYS = {s.number: s.heading for s in SECTIONS}
_NUMERALS = "一二三四五六七八九十"


_LIST_MARKS = "、，,；;：:"


def _unnumbered(key: str, where: list[int], text: str, heading: str, cursor: int) -> int:
    """The first place from `cursor` where the heading does not stand in a list (`总体情况、
    主动公开…` in the preamble's list of parts): not after or before a list's punctuation."""
    hit = key.find(heading, cursor)
    while hit >= 0:
        start, end = where[hit], where[hit + len(heading) - 1] + 1
        before = text[start - 1] if start else "\n"
        after = text[end] if end < len(text) else "\n"
        if before not in _LIST_MARKS and after not in _LIST_MARKS:
            return hit
        hit = key.find(heading, hit + 1)
    return -1


def inline_sections(text: str) -> list[tuple[int, str | None, int, str]]:
    """Sections whose headings stand inside lines (an archiver's text with the whole body on
    one line): (number, heading as written, line, text), the preamble as number 0.

    Headings are found in template order on the text's key (punctuation and spaces dropped),
    each after the previous, led by their numeral (`二、`) or, without it, outside a list,
    so that a heading named in the preamble's list of parts is not taken for one; a misspelt 4th
    heading (`行政法复议`) is accepted when it still names both proceedings.
    """
    keys: list[str] = []
    where: list[int] = []  # index in `text` of each key character
    for i, ch in enumerate(text):
        if ch.isalnum():
            keys.append(ch)
            where.append(i)
    key = "".join(keys)
    found: list[tuple[int, int, int]] = []  # (number, start in text, end in text)
    cursor = 0
    for number, heading in _HEADING_KEYS.items():
        numeral = _NUMERALS[number - 1]
        hit = key.find(numeral + heading, cursor)
        length = len(numeral + heading)
        if hit < 0:  # printed without its numeral: then it must open a sentence, not sit in a list
            hit, length = _unnumbered(key, where, text, heading, cursor), len(heading)
        if hit < 0 and number == 4:
            loose = re.compile(numeral + r"政府信息公开行政.{0,3}复议.{0,3}行政诉讼情况")
            m = loose.search(key, cursor)
            hit, length = (m.start(), m.end() - m.start()) if m else (-1, 0)
        if hit < 0:
            continue
        found.append((number, where[hit], where[hit + length - 1] + 1))
        cursor = hit + length
    out: list[tuple[int, str | None, int, str]] = []
    starts = [0] + [end for _, _, end in found]
    ends = [start for _, start, _ in found] + [len(text)]
    for k, (begin, stop) in enumerate(zip(starts, ends, strict=True)):
        number = found[k - 1][0] if k else 0
        written = text[found[k - 1][1] : found[k - 1][2]] if k else None
        line = text.count("\n", 0, found[k - 1][1] if k else 0) + 1
        out.append((number, written, line, text[begin:stop].strip()))
    return out
