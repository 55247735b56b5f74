"""Find the six section headings of the template, numbered or not.

A heading is a short line whose label key (enumerator and punctuation removed, Simplified)
is the template's heading, possibly followed by a few characters (`…情况统计`). Headings are
searched in template order, so `四、结转下年度继续办理` inside table 3 is never taken for one.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.extract.findings import Finding
from pipelines.extract.normalize import label_key
from pipelines.extract.template import SECTIONS

_MAX_HEADING_CHARS = 40
_MAX_EXTRA_CHARS = 4


@dataclass(frozen=True)
class SectionSpan:
    number: int
    heading: str | None  # as written (stripped); None for the preamble (number 0)
    line: int  # 1-based line of the heading (of the first line for the preamble)
    start: int  # 0-based index of the first line after the heading
    end: int  # 0-based index, exclusive


def _heading_candidates(lines: list[str]) -> list[tuple[int, str]]:
    """(index, label key) of every line short enough to be a heading, keyed once."""
    candidates = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped and len(stripped) <= _MAX_HEADING_CHARS:
            candidates.append((i, label_key(stripped)))
    return candidates


def find_sections(lines: list[str]) -> tuple[list[SectionSpan], list[Finding]]:
    """Section spans in file order (preamble first, as number 0), and a finding per missing one."""
    found: list[tuple[int, int]] = []  # (section number, 0-based line index)
    findings: list[Finding] = []
    candidates = _heading_candidates(lines)
    cursor = 0  # position in candidates
    for section in SECTIONS:
        target = section.heading
        for k in range(cursor, len(candidates)):
            i, key = candidates[k]
            if key.startswith(target) and len(key) - len(target) <= _MAX_EXTRA_CHARS:
                found.append((section.number, i))
                cursor = k + 1
                break
        else:
            findings.append(
                Finding(
                    "section_missing",
                    f"section {section.number} heading '{section.heading}' not found",
                    table=section.key if section.number in (2, 3, 4) else None,
                )
            )
    spans: list[SectionSpan] = []
    first_heading = found[0][1] if found else len(lines)
    spans.append(SectionSpan(0, None, 1, 0, first_heading))
    for k, (number, i) in enumerate(found):
        end = found[k + 1][1] if k + 1 < len(found) else len(lines)
        spans.append(SectionSpan(number, lines[i].strip(), i + 1, i + 1, end))
    return spans, findings


def section_text(lines: list[str], span: SectionSpan) -> str:
    """The section's body, blank lines at either end trimmed, for full-text search."""
    return "\n".join(lines[span.start : span.end]).strip()
