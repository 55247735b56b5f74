"""Compare a parser's view of a generated report with its ground truth.

Used by the round-trip tests, and usable on any parser output shaped like `disclosure parse`
(Decimals or floats for amounts). Returns readable differences instead of asserting, so a
caller can report all of them at once.

The agency must resolve to what the generator drew (`agency_resolved`: key, region code, level
and kind), so a name resolved to the wrong region, or left unresolved, is a difference.

A cell the truth lists as `undecidable` (no reading of the rendered text settles it, see
oracle.py) may be read either with its true value or as null with a `cell_ambiguous` finding
on that cell; any other value is a wrong number. Every other cell must be exact.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

COMPARED_FIELDS: tuple[str, ...] = ("agency", "report_year", "published_on", "template")
RESOLVED_FIELDS: tuple[str, ...] = ("region_code", "level", "kind", "key")
RIGHT, WRONG, UNRESOLVED = "right", "wrong", "unresolved"
AMBIGUOUS = "cell_ambiguous"

CellKey = tuple[str, str, str]


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def undecidable_cells(truth: dict[str, Any]) -> set[CellKey]:
    """The truth's undecidable cells as (table, row, column)."""
    out: set[CellKey] = set()
    for key in truth.get("undecidable") or []:
        table, row, column = key.split(".")
        out.add((table, row, column))
    return out


def ambiguous_findings(parsed: dict[str, Any]) -> set[CellKey]:
    """The cells the parser left open with a `cell_ambiguous` finding."""
    return {
        (f.get("table"), f.get("row"), f.get("column"))
        for f in parsed.get("findings", [])
        if f.get("code") == AMBIGUOUS
    }


def table_differences(
    truth: dict[str, Any],
    parsed: dict[str, Any],
    undecidable: set[CellKey] | frozenset[CellKey] = frozenset(),
    ambiguous: set[CellKey] | frozenset[CellKey] = frozenset(),
) -> list[str]:
    """Every truth cell must be read with its value (an undecidable one may be null when the
    parser raised `cell_ambiguous` on it); any other cell the parser lists must be null."""
    out: list[str] = []
    for table, rows in truth.items():
        for row, columns in rows.items():
            for column, expected in columns.items():
                got = _plain(parsed.get(table, {}).get(row, {}).get(column, "<absent>"))
                exact = got == expected and (got is None) == (expected is None)
                if exact:
                    continue
                key = (table, row, column)
                if key in undecidable and got is None and key in ambiguous:
                    continue  # left open, and said so: the right answer for a cell no reading settles
                if key in undecidable and got is None:
                    out.append(f"{table}.{row}.{column}: undecidable, parsed null without a {AMBIGUOUS} finding")
                else:
                    out.append(f"{table}.{row}.{column}: expected {expected!r}, parsed {got!r}")
    for table, rows in parsed.items():
        for row, columns in rows.items():
            for column, got in columns.items():
                if column not in truth.get(table, {}).get(row, {}) and got is not None:
                    out.append(f"{table}.{row}.{column}: not in the template version, parsed {_plain(got)!r}")
    return out


def resolution_differences(truth: dict[str, Any], parsed: dict[str, Any]) -> list[str]:
    """The agency's resolution against the generator's expectation (none when the truth has none)."""
    expected = truth.get("agency_resolved")
    if not expected:
        return []
    got = parsed.get("agency_resolved") or {}
    return [
        f"agency_resolved.{field}: expected {expected[field]!r}, parsed {got.get(field)!r}"
        for field in RESOLVED_FIELDS
        if got.get(field) != expected[field]
    ]


def resolution_outcome(truth: dict[str, Any], parsed: dict[str, Any]) -> str | None:
    """`right` (region, level, kind and key as expected), `unresolved` (no region), or `wrong`
    (another region, or the right region with another level, kind or key); None without an
    expectation."""
    if not truth.get("agency_resolved"):
        return None
    if not resolution_differences(truth, parsed):
        return RIGHT
    return UNRESOLVED if not (parsed.get("agency_resolved") or {}).get("region_code") else WRONG


def differences(truth: dict[str, Any], parsed: dict[str, Any]) -> list[str]:
    """What the parser got wrong: fields, cells, expected findings it did not raise, and
    errors or warnings it raised that the report does not deserve."""
    out = [
        f"{field}: expected {truth[field]!r}, parsed {parsed.get(field)!r}"
        for field in COMPARED_FIELDS
        if parsed.get(field) != truth[field]
    ]
    out += resolution_differences(truth, parsed)
    undecidable = undecidable_cells(truth)
    out += table_differences(truth["tables"], parsed.get("tables") or {}, undecidable, ambiguous_findings(parsed))
    raised = {(f.get("code"), f.get("table"), f.get("row"), f.get("column")) for f in parsed.get("findings", [])}
    expected = {(f["code"], f["table"], f["row"], f["column"]) for f in truth["expected_findings"]}
    expected |= {(AMBIGUOUS, *key) for key in undecidable}  # allowed, not required
    required = expected - {(AMBIGUOUS, *key) for key in undecidable}
    out += [f"finding {code} at {t}.{r}.{c} not raised" for code, t, r, c in sorted(required - raised, key=str)]
    agency_findings = {(code, None, None, None) for code in truth.get("agency_findings") or []}
    out += [f"finding {code} on the agency's name not raised" for code, *_ in sorted(agency_findings - raised)]
    expected |= agency_findings
    # and nothing the report does not deserve: every error or warning must be an expected one
    out += [
        f"unexpected finding {f.get('code')} ({f.get('severity')}): {f.get('message')}"
        for f in parsed.get("findings", [])
        if f.get("severity") in ("error", "warning")
        and (f.get("code"), f.get("table"), f.get("row"), f.get("column")) not in expected
    ]
    return out


def wrong_numbers(truth: dict[str, Any], parsed: dict[str, Any]) -> list[str]:
    """Cells read as a number that is not the truth's: the worst outcome (a null with a finding
    tells the user to look, a wrong number misleads). An undecidable cell read with its true
    value is not one; read with any other value, it is."""
    out: list[str] = []
    tables = parsed.get("tables") or {}
    for table, rows in truth["tables"].items():
        for row, columns in rows.items():
            for column, expected in columns.items():
                got = _plain(tables.get(table, {}).get(row, {}).get(column))
                if got is not None and got != expected:
                    out.append(f"{table}.{row}.{column}: expected {expected!r}, parsed {got!r}")
    return out
