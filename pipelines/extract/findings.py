"""Findings: every problem the parser sees, as a record with a stable code.

Codes are part of the lake's contract (users filter on them), so they live in one registry
with their severity and what they mean. A report's status follows from its findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"

# code -> (severity, what it means). Never rename a code: add a new one.
CODES: dict[str, tuple[str, str]] = {
    "empty_file": (ERROR, "the file is empty"),
    "not_text": (ERROR, "the file is not readable text (binary, or no encoding decodes it)"),
    "not_a_report": (ERROR, "no table of the annual-report template was found"),
    "file_too_large": (ERROR, "the file is far larger than any report; not parsed"),
    "unreadable_file": (ERROR, "the file could not be read (permissions, I/O error)"),
    "file_too_complex": (
        ERROR,
        "beyond a limit no report reaches (a container's size or nesting, a worker's memory or time); not parsed",
    ),
    "reader_failed": (ERROR, "the reader crashed or failed on this file; not parsed (a bug: please report it)"),
    "duplicate_file": (ERROR, "the same bytes as another file in the raw folder"),
    "encoding_detected": (INFO, "the file is not UTF-8; its encoding was detected"),
    "encoding_damaged": (WARNING, "a few bytes are not valid UTF-8 (damaged): read as U+FFFD, the rest as written"),
    "agency_not_found": (ERROR, "no agency could be read from the title"),
    "agency_from_text": (INFO, "no title names the agency; a publisher line or the narrative did"),
    "agency_from_context": (INFO, "the agency's name leaves its place open; the report's own text settled it"),
    "agency_name_corrected": (
        WARNING,
        "a place in the agency's name is no division that year; read with one character corrected, or as its successor",
    ),
    "agency_unresolved": (WARNING, "the agency resolves to no region; loaded under a key of its own"),
    "year_not_found": (ERROR, "no report year could be read from the title or the text"),
    "year_from_period": (INFO, "the title names no year; the statistics period gave it"),
    "year_mismatch": (WARNING, "the title's year differs from the statistics period's"),
    "publish_date_not_found": (INFO, "the report states no publish or signature date"),
    "date_invalid": (WARNING, "a stated date is not a calendar date"),
    "section_missing": (WARNING, "a section heading of the template was not found"),
    "table_missing": (ERROR, "a table of the template was not found"),
    "table_header_mismatch": (WARNING, "a table's header lacks labels the template prints"),
    "row_missing": (ERROR, "a row of the template was not found in its table"),
    "row_duplicate": (WARNING, "a row label appears twice; the first is kept"),
    "row_cell_count": (ERROR, "a row has more or fewer cells than the template; not aligned"),
    "other_processing_combined": (WARNING, "（六）其他处理 printed as one row without sub-rows"),
    "cell_blank": (WARNING, "a cell is blank or holds a blank marker (-, —, /, 无)"),
    "cell_unreadable": (ERROR, "a cell holds text that is not a number"),
    "amount_in_yuan": (INFO, "an amount printed in 元 was stored in 万元, the template's unit"),
    "cell_ambiguous": (WARNING, "more than one reading of the printed numbers satisfies every rule; kept null"),
    "cells_split_by_rules": (INFO, "digits printed without separators were cut into cells by the template's rules"),
    "value_from_narrative": (INFO, "a choice between readings was settled by a number the narrative states"),
    "row_placed_by_order": (INFO, "a row printed without a readable label was placed by its position among the rows"),
    "values_reordered": (INFO, "values printed out of order were placed by the template's rules and their labels"),
    "values_unplaced": (INFO, "numbers in a table's region that fit no cell of the template"),
    "reading_conflict": (WARNING, "the two readers disagree on a cell; kept null"),
}

# Findings that mean the file holds no usable report at all.
REJECTING = frozenset(
    {
        "empty_file",
        "not_text",
        "not_a_report",
        "duplicate_file",
        "unreadable_file",
        "file_too_large",
        "file_too_complex",
        "reader_failed",
    }
)

OK = "ok"
PARTIAL = "partial"
REJECTED = "rejected"


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    line: int | None = None
    table: str | None = None
    row: str | None = None
    column: str | None = None

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "line": self.line,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


def status_of(codes: Iterable[str]) -> str:
    """A report's status from its findings' codes: the one place status is decided."""
    severities = set()
    for code in codes:
        if code in REJECTING:
            return REJECTED
        severities.add(CODES[code][0])
    return PARTIAL if severities & {ERROR, WARNING} else OK
