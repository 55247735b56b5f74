"""Table plans: how a table's cells map to template keys, worked out once per table shape.

Which cell holds which value depends only on the table's *shape*: the sequence of its cells,
each a label (its text), a value or an empty cell, and where rows start. Thousands of reports
exported by the same systems share a handful of shapes, so the table readers (tables.py) run
once per shape, on stand-in cells, and every report of that shape is read from the plan: its
values are then looked up cell by cell, with no label matching at all.

A plan is the reader's output on the stand-ins, as a sequence of events in the reader's order:
"cell k is (table, row, column)" (the stand-in always reads as blank, so every cell read
leaves an event) or "finding F" (structural: a row missing, a wrong cell count, …). Replaying
the events with a report's real cells gives exactly what the reader would have given.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pipelines.extract.findings import Finding
from pipelines.extract.read.cells import Cell, CellStream
from pipelines.extract.read.tables import read_active_disclosure, read_requests, read_review_litigation

READERS = {
    2: ("active_disclosure", read_active_disclosure),
    3: ("requests", read_requests),
    4: ("review_litigation", read_review_litigation),
}
HEADING = -1  # stand-in line number: "the line of the table's section heading"
# Cell shapes: a value, an empty cell, a stray text no table knows (`O`), or a label (LABEL +
# its label key). Each has a stand-in the readers treat exactly as they treat the real cell:
# for a label, its key behind a `·` (never a value, same key).
VALUE, EMPTY, STRAY, LABEL = "\x00V", "\x00E", "\x00U", "\x00L"
_STAND_INS = {VALUE: "-", EMPTY: "", STRAY: "O"}


def _stand_in(shape: str) -> str:
    return "·" + shape[len(LABEL) :] if shape.startswith(LABEL) else _STAND_INS[shape]


_CELL_CODES = frozenset({"cell_blank", "cell_unreadable"})


@dataclass(frozen=True)
class CellEvent:
    index: int  # the cell's position in the table's cell stream
    table: str
    row: str
    column: str


@dataclass(frozen=True)
class Plan:
    events: tuple[CellEvent | Finding, ...]  # Finding.line: HEADING, or cell index + 1

    @property
    def cells(self) -> tuple[CellEvent, ...]:
        return tuple(e for e in self.events if isinstance(e, CellEvent))

    @property
    def counts_match(self) -> bool:
        """True when every row had as many cells as the template: then whether a value cell
        was empty or not could not have changed the plan (only surplus empty cells are
        dropped as fillers), so one plan serves every pattern of empty cells."""
        return not any(isinstance(e, Finding) and e.code == "row_cell_count" for e in self.events)


@lru_cache(maxsize=4096)
def plan_for(
    number: int, template: str, rows_known: bool, rows_wrap: bool, shapes: tuple[tuple[str, bool], ...]
) -> Plan:
    """The plan of table `number` for cells of these (shape, row_start) pairs."""
    table, reader = READERS[number]
    stand_ins = tuple(
        Cell(text=_stand_in(shape), line=k + 1, row_start=row_start) for k, (shape, row_start) in enumerate(shapes)
    )
    found, findings = reader(CellStream(stand_ins, rows_known, rows_wrap), HEADING, template)
    if not found and not any(f.code == "row_cell_count" for f in findings):
        findings = [Finding("table_missing", f"table '{table}' not found", line=HEADING, table=table)]
    keys = {(c.table, c.row, c.column): c.line - 1 for c in found}
    events: list[CellEvent | Finding] = []
    for finding in findings:
        if finding.code in _CELL_CODES:  # every cell read: the real value decides its finding
            assert (
                finding.table is not None and finding.row is not None and finding.column is not None
            )  # names its cell
            key = (finding.table, finding.row, finding.column)
            events.append(CellEvent(keys[key], *key))
        else:
            events.append(finding)
    return Plan(tuple(events))
