"""Read the three tables of the 2021 template, and of the 2019 one, from their cell streams.

Every value is anchored on a label: a row's values are the cells that follow its label (up to
the row's end where the layout shows rows), and table 4's fifteen values follow a header whose
labels are checked. A value is never placed by counting numbers across the table alone, a
blank is never read as 0, and a row whose cell count is wrong is not aligned by guesswork.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from pipelines.extract.findings import Finding
from pipelines.extract.read.cells import Cell, CellStream
from pipelines.extract.read.normalize import BLANK, NUMBER, is_value_like, label_key, read_value
from pipelines.extract.template import (
    ACTIVE_ROWS,
    ACTIVE_ROWS_2019,
    DECIMAL_CELLS,
    OTHER_PROCESSING_PARTS,
    PADDED_AT_ROW_END,
    REQUEST_COLUMNS,
    REQUEST_GROUPS,
    REQUEST_ROWS,
    REQUEST_ROWS_2019,
    REVIEW_GROUPS,
    REVIEW_HEADER,
    REVIEW_RESULTS,
    SIGNED_COLUMNS,
    TEMPLATE_2019,
    TEMPLATE_2021,
    Row,
    active_layout,
    request_rows,
)

_REVIEW_HEADER_TEXT = "".join(REVIEW_HEADER) + "未经复议直接起诉复议后起诉"

# A text cell this short that is no known label, met where a value belongs, is a value that
# cannot be read (`O`, `3件`), not the start of something else.
_MAX_VALUE_TEXT = 3


@dataclass(frozen=True)
class ParsedCell:
    table: str
    row: str
    column: str
    value: int | Decimal | None
    text: str
    line: int


@lru_cache(maxsize=16384)
def _match(key: str, rows: tuple[Row, ...]) -> Row | None:
    """The row whose signature the label key carries (exact signatures must equal it)."""
    best: Row | None = None
    best_len = 0
    for row in rows:
        for sig in row.signatures:
            hit = key == sig if row.exact else sig in key
            if hit and len(sig) > best_len:
                best, best_len = row, len(sig)
    return best


_EVERY_LABEL: tuple[Row, ...] = tuple(
    {id(r): r for r in (*ACTIVE_ROWS, *ACTIVE_ROWS_2019, *REQUEST_ROWS, *REQUEST_ROWS_2019, *REQUEST_GROUPS)}.values()
)


@lru_cache(maxsize=65536)
def is_stray_value(text: str) -> bool:
    """A short text that no table knows as a label or header word (`O`, `l`, `3件`): every
    reader takes it for a value it cannot read, whatever the table."""
    if is_value_like(text):
        return False
    key = label_key(text)
    return (
        len(key) <= _MAX_VALUE_TEXT and not (key and key in _REVIEW_HEADER_TEXT) and _match(key, _EVERY_LABEL) is None
    )


def _is_value_cell(cell: Cell, known: tuple[Row, ...]) -> bool:
    if is_value_like(cell.text):
        return True
    key = label_key(cell.text)
    return len(key) <= _MAX_VALUE_TEXT and _match(key, known) is None


def _row_values(stream: CellStream, i: int, width: int, known: tuple[Row, ...]) -> tuple[list[Cell], int]:
    """The value cells after the label at index `i`, and the index after them.

    Text cells met before any value continue the label (a label wrapped over paragraphs).
    """
    cells = stream.cells
    values: list[Cell] = []
    j = i + 1
    while j < len(cells):
        cell = cells[j]
        if stream.rows_known and cell.row_start and (values or not stream.rows_wrap):
            break
        if not stream.rows_known and len(values) == width:
            break
        if not _is_value_cell(cell, known):
            if values or _match(label_key(cell.text), known):
                break
            j += 1  # continuation of a wrapped label
            continue
        values.append(cell)
        j += 1
    return values, j


def _read_cells(
    table: str, row: str, columns: tuple[str, ...], values: list[Cell], label: Cell, findings: list[Finding]
) -> list[ParsedCell]:
    """Turn a row's value cells into parsed cells; a wrong count aligns nothing."""
    values = _drop_fillers(values, len(columns), trailing_first=table in PADDED_AT_ROW_END)
    if len(values) != len(columns):
        findings.append(
            Finding(
                "row_cell_count",
                f"{table}.{row}: {len(values)} cells where the template has {len(columns)}; values left null",
                line=label.line,
                table=table,
                row=row,
            )
        )
        return []
    out: list[ParsedCell] = []
    for column, cell in zip(columns, values, strict=True):
        out.append(_read_cell(table, row, column, cell, findings))
    return out


def _drop_fillers(values: list[Cell], width: int, trailing_first: bool = False) -> list[Cell]:
    """Empty cells a grid layout adds for merged cells (a Markdown row is as wide as the
    widest), dropped only while there are more cells than columns: after the label first, or
    at the row's end first where the table pads short rows there (`PADDED_AT_ROW_END`:
    `| 行政事业性收费 |  | 0 |  |` is a blank, a 0 and a filler)."""
    values = list(values)
    ends = (-1, 0) if trailing_first else (0, -1)
    for end in ends:
        while len(values) > width and not values[end].text.strip():
            values.pop(end)
    return values


def _read_cell(table: str, row: str, column: str, cell: Cell, findings: list[Finding]) -> ParsedCell:
    decimal = (table, row, column) in DECIMAL_CELLS
    read = read_value(cell.text, decimal, column in SIGNED_COLUMNS)
    if read.kind == BLANK:
        findings.append(
            Finding(
                "cell_blank",
                f"{table}.{row}.{column} is blank ({cell.text.strip()!r}); kept as null, not 0",
                line=cell.line,
                table=table,
                row=row,
                column=column,
            )
        )
    elif read.kind != NUMBER:
        findings.append(
            Finding(
                "cell_unreadable",
                f"{table}.{row}.{column} holds {cell.text.strip()!r}: {read.reason}; kept as null",
                line=cell.line,
                table=table,
                row=row,
                column=column,
            )
        )
    return ParsedCell(table, row, column, read.value, cell.text, cell.line)


def _missing_rows(table: str, rows: tuple[Row, ...], seen: set[str], line: int | None, findings: list[Finding]) -> None:
    for row in rows:
        if row.key not in seen:
            findings.append(
                Finding("row_missing", f"{table}: row '{row.label}' not found", line=line, table=table, row=row.key)
            )


def read_active_disclosure(
    stream: CellStream, heading_line: int | None, template: str = TEMPLATE_2021
) -> tuple[list[ParsedCell], list[Finding]]:
    """Table 2: six rows under four `第二十条第（x）项` sub-headers (eight under five in 2019)."""
    table = "active_disclosure"
    active_rows, active_columns = active_layout(template)
    findings: list[Finding] = []
    out: list[ParsedCell] = []
    seen: set[str] = set()
    cells = stream.cells
    i = 0
    while i < len(cells):
        row = _match(label_key(cells[i].text), active_rows)
        if row is None or _is_value_cell(cells[i], active_rows):
            i += 1
            continue
        columns = active_columns[row.key]
        values, j = _row_values(stream, i, len(columns), active_rows)
        if row.key in seen:
            findings.append(_duplicate(table, row, cells[i]))
        else:
            seen.add(row.key)
            out += _read_cells(table, row.key, columns, values, cells[i], findings)
        i = max(j, i + 1)
    _missing_rows(table, active_rows, seen, heading_line, findings)
    return out, findings


def _duplicate(table: str, row: Row, cell: Cell) -> Finding:
    return Finding(
        "row_duplicate",
        f"{table}: row '{row.label}' appears again; the first is kept",
        line=cell.line,
        table=table,
        row=row.key,
    )


def read_requests(
    stream: CellStream, heading_line: int | None, template: str = TEMPLATE_2021
) -> tuple[list[ParsedCell], list[Finding]]:
    """Table 3: 25 rows × 7 columns (23 in 2019), with group labels (（三）不予公开 …) that
    hold no values.

    The header also prints `其他` and `总计` (as column labels), so rows matched only by an
    exact short label count once the body has begun, i.e. after a longer row or group label.
    """
    table = "requests"
    findings: list[Finding] = []
    out: list[ParsedCell] = []
    seen: set[str] = set()
    rows = request_rows(template)
    groups = tuple(g for g in REQUEST_GROUPS if template != TEMPLATE_2019 or g.key != "other_processing")
    known = rows + groups
    cells = stream.cells
    body = False
    i = 0
    while i < len(cells):
        cell = cells[i]
        key = label_key(cell.text)
        row = _match(key, rows)
        group = _match(key, groups) if row is None else None
        if (row is None and group is None) or _is_value_cell(cell, known):
            i += 1
            continue
        target = row or group
        assert target is not None
        if not body and target.exact:
            i += 1
            continue
        body = True
        width = len(REQUEST_COLUMNS)
        values, j = _row_values(stream, i, width, known)
        if group is not None:
            if group.key == "other_processing" and values:
                findings.append(
                    Finding(
                        "other_processing_combined",
                        "（六）其他处理 is printed as one row; its three sub-rows are left null",
                        line=cell.line,
                        table=table,
                        row="other_processing",
                    )
                )
                seen.add("other_processing")
                out += _read_cells(table, "other_processing", REQUEST_COLUMNS, values, cell, findings)
                i = j
            else:
                i += 1
            continue
        assert row is not None  # a label that is no group is a row (neither: skipped above)
        if row.key in seen:
            findings.append(_duplicate(table, row, cell))
        else:
            seen.add(row.key)
            out += _read_cells(table, row.key, REQUEST_COLUMNS, values, cell, findings)
        i = max(j, i + 1)
    expected = rows
    if "other_processing" in seen and template != TEMPLATE_2019:
        expected = tuple(r for r in rows if r.key not in OTHER_PROCESSING_PARTS or r.key in seen)
    _missing_rows(table, expected, seen, heading_line, findings)
    return out, findings


def read_review_litigation(
    stream: CellStream, heading_line: int | None, template: str = TEMPLATE_2021
) -> tuple[list[ParsedCell], list[Finding]]:
    """Table 4: a two-level header (proceeding × result), then 15 values in header order."""
    table = "review_litigation"
    findings: list[Finding] = []
    cells = stream.cells
    last_label = -1
    for k, cell in enumerate(cells):
        if _is_review_header(cell):
            last_label = k
    header = "".join(label_key(c.text) for c in cells[: last_label + 1])
    missing = _missing_in_order(header, REVIEW_HEADER)
    if last_label < 0 or {"行政复议", "结果维持"} <= set(missing):
        return [], findings  # no header of table 4 here: the caller reports the table missing
    if missing:
        findings.append(
            Finding(
                "table_header_mismatch",
                f"table 4 header lacks {', '.join(missing)}; values read in template order",
                line=cells[last_label].line,
                table=table,
            )
        )
    columns = [(g, r) for g in REVIEW_GROUPS for r in REVIEW_RESULTS]
    values = _drop_fillers(list(cells[last_label + 1 :]), len(columns))
    if len(values) != len(columns):
        findings.append(
            Finding(
                "row_cell_count",
                f"table 4 has {len(values)} values after its header where the template has 15; values left null",
                line=values[0].line if values else cells[last_label].line,
                table=table,
            )
        )
        return [], findings
    out = [_read_cell(table, g, r, cell, findings) for (g, r), cell in zip(columns, values, strict=True)]
    return out, findings


def _is_review_header(cell: Cell) -> bool:
    """Header text of table 4, whole or a piece of a wrapped label (`结果` / `纠正`)."""
    if read_value(cell.text, decimal=True).kind != "unreadable":
        return False
    key = label_key(cell.text)
    return len(key) > _MAX_VALUE_TEXT or (bool(key) and key in _REVIEW_HEADER_TEXT)


def _missing_in_order(text: str, words: tuple[str, ...]) -> list[str]:
    """Words not found in `text` in the given order (each searched after the previous hit)."""
    missing: list[str] = []
    pos = 0
    for word in words:
        hit = text.find(word, pos)
        if hit < 0:
            missing.append(word)
        else:
            pos = hit + len(word)
    return missing
