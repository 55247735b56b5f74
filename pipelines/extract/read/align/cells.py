"""What the reader makes of its rows: cells with their source lines, and findings.

A template row with one observed row is read (its glued cuts settled by the column rules R1
and R3 where the row's own sum left a choice); a template row several observed rows fit
equally well gets the cells on which they agree, and the others are null with a finding that
names the candidates; a blank is null with `cell_blank`, never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pipelines.extract.findings import Finding
from pipelines.extract.read import arithmetic
from pipelines.extract.read.align.rows import Observed
from pipelines.extract.read.arithmetic import Reading
from pipelines.extract.read.labels import WEAK
from pipelines.extract.read.normalize import BLANK, NUMBER, read_value
from pipelines.extract.read.tables import ParsedCell
from pipelines.extract.template import DECIMAL_CELLS, REQUESTS, SIGNED_COLUMNS, Row


@dataclass
class Aligned:
    """What the reader made of one report."""

    template: str
    cells: list[ParsedCell] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)  # tables whose region was found


def place(
    table: str,
    rows: tuple[Row, ...],
    columns: tuple[str, ...],
    observed: list[Observed],
    choices: list[list[int | None]],
    out: Aligned,
) -> None:
    """Cells from an alignment: decided rows read, ambiguous cells null with their candidates,
    glued rows settled by the column rules (R1, R3) where their row sums left a choice."""
    options: dict[str, list[Reading]] = {}
    where: dict[str, Observed] = {}
    for j, row in enumerate(rows):
        here = choices[j]
        if here == [None]:
            out.findings.append(
                Finding("row_missing", f"{table}: row '{row.label}' not found", table=table, row=row.key)
            )
            continue
        if len(here) == 1 and (only := here[0]) is not None:  # (here == [None] was taken above)
            o = observed[only]
            where[row.key] = o
            if not o.options:
                out.findings.append(
                    Finding(
                        "row_cell_count",
                        f"{table}.{row.key}: {len(o.lines)} values where the template has {len(columns)}, and no cut "
                        "of them satisfies the template's rules; values left null",
                        line=o.line,
                        table=table,
                        row=row.key,
                    )
                )
                continue
            options[row.key] = o.options
            if not o.own or o.best < WEAK:
                out.findings.append(
                    Finding(
                        "row_placed_by_order",
                        f"{table}.{row.key}: no label beside its numbers; placed by its position among the rows",
                        line=o.line,
                        table=table,
                        row=row.key,
                    )
                )
            continue
        # several observed rows (or none) fit this template row equally well
        texts: list[Reading | None] = []
        for i in here:
            texts.append(None if i is None or len(observed[i].options) != 1 else observed[i].options[0])
        line = next((observed[i].line for i in here if i is not None), None)
        for c, column in enumerate(columns):
            values = {t[c] if t is not None else None for t in texts}
            if len(values) == 1 and None not in values and all(i is not None for i in here):
                first, reading = here[0], texts[0]
                assert first is not None and reading is not None  # every row found, all read alike
                cell(table, row.key, column, reading[c], observed[first].lines[c], out)
            else:
                shown = " / ".join("absent" if v is None else repr(v) for v in sorted(values, key=str))
                out.findings.append(
                    Finding(
                        "cell_ambiguous",
                        f"{table}.{row.key}.{column}: the rows around it fit more than one way ({shown}); kept null",
                        line=line,
                        table=table,
                        row=row.key,
                        column=column,
                    )
                )
    if table == REQUESTS:
        results = [
            r.key for r in rows if r.key not in ("new_received", "carried_over", "total_handled", "carried_forward")
        ]
        decided, undecided = arithmetic.decide(
            options, lambda t: arithmetic.column_rules_hold(t, results, len(columns))
        )
    else:
        decided, undecided = (
            {k: v[0] for k, v in options.items() if len(v) == 1},
            {k: v for k, v in options.items() if len(v) > 1},
        )
    for row_key, reading in decided.items():
        o = where[row_key]
        if o.printed:
            out.findings.append(
                Finding(
                    "cells_split_by_rules",
                    f"{table}.{row_key}: glued digits {o.printed} read as {' | '.join(reading)} "
                    "(the only cut the template's rules allow)",
                    line=o.line,
                    table=table,
                    row=row_key,
                )
            )
        for c, column in enumerate(columns):
            cell(table, row_key, column, reading[c], o.lines[c], out)
    for row_key, readings in undecided.items():
        ambiguous(table, row_key, columns, readings, where[row_key], out)


def ambiguous(table: str, row: str, columns: Sequence[str], readings: list[Reading], o: Observed, out: Aligned) -> None:
    """Cells on which the surviving readings agree are read; the others are null, named."""
    for c, column in enumerate(columns):
        values = sorted({r[c] for r in readings}, key=lambda v: (len(v), v))
        if len(values) == 1:
            cell(table, row, column, values[0], o.lines[c], out)
            continue
        shown = ", ".join(values[:6]) + (f" … ({len(values)} in all)" if len(values) > 6 else "")
        out.findings.append(
            Finding(
                "cell_ambiguous",
                f"{table}.{row}.{column}: the printed digits cut {len(readings)} ways that satisfy every rule "
                f"(this cell {shown}); kept null",
                line=o.line,
                table=table,
                row=row,
                column=column,
            )
        )


def cell(table: str, row: str, column: str, text: str, line: int, out: Aligned) -> None:
    decimal = (table, row, column) in DECIMAL_CELLS
    read = read_value(text, decimal, column in SIGNED_COLUMNS)
    if read.kind == BLANK:
        out.findings.append(
            Finding(
                "cell_blank",
                f"{table}.{row}.{column} is blank ({text.strip()!r}); kept as null, not 0",
                line=line,
                table=table,
                row=row,
                column=column,
            )
        )
    elif read.kind != NUMBER:
        out.findings.append(
            Finding(
                "cell_unreadable",
                f"{table}.{row}.{column} holds {text.strip()!r}: {read.reason}; kept as null",
                line=line,
                table=table,
                row=row,
                column=column,
            )
        )
    elif read.reason:  # an amount printed in 元, stored in 万元
        out.findings.append(
            Finding("amount_in_yuan", f"{table}.{row}.{column}: {read.reason}", line, table, row, column)
        )
    out.cells.append(ParsedCell(table, row, column, read.value, text, line))
