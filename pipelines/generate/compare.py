"""Compare a parser's view of a generated report with its ground truth.

Used by the round-trip tests, and usable on any parser output shaped like `disclosure parse`
(Decimals or floats for amounts). Returns readable differences instead of asserting, so a
caller can report all of them at once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

COMPARED_FIELDS: tuple[str, ...] = ("agency", "report_year", "published_on", "template")


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def table_differences(truth: dict[str, Any], parsed: dict[str, Any]) -> list[str]:
    """Every truth cell must be read with its value; any other cell the parser lists must be null."""
    out: list[str] = []
    for table, rows in truth.items():
        for row, columns in rows.items():
            for column, expected in columns.items():
                got = _plain(parsed.get(table, {}).get(row, {}).get(column, "<absent>"))
                if got != expected or (got is None) != (expected is None):
                    out.append(f"{table}.{row}.{column}: expected {expected!r}, parsed {got!r}")
    for table, rows in parsed.items():
        for row, columns in rows.items():
            for column, got in columns.items():
                if column not in truth.get(table, {}).get(row, {}) and got is not None:
                    out.append(f"{table}.{row}.{column}: not in the template version, parsed {_plain(got)!r}")
    return out


def differences(truth: dict[str, Any], parsed: dict[str, Any]) -> list[str]:
    """What the parser got wrong: fields, cells, expected findings it did not raise, and
    errors or warnings it raised that the report does not deserve."""
    out = [
        f"{field}: expected {truth[field]!r}, parsed {parsed.get(field)!r}"
        for field in COMPARED_FIELDS
        if parsed.get(field) != truth[field]
    ]
    out += table_differences(truth["tables"], parsed.get("tables") or {})
    raised = {(f.get("code"), f.get("table"), f.get("row"), f.get("column")) for f in parsed.get("findings", [])}
    expected = {(f["code"], f["table"], f["row"], f["column"]) for f in truth["expected_findings"]}
    out += [f"finding {code} at {t}.{r}.{c} not raised" for code, t, r, c in sorted(expected - raised, key=str)]
    # and nothing the report does not deserve: every error or warning must be an expected one
    out += [
        f"unexpected finding {f.get('code')} ({f.get('severity')}): {f.get('message')}"
        for f in parsed.get("findings", [])
        if f.get("severity") in ("error", "warning")
        and (f.get("code"), f.get("table"), f.get("row"), f.get("column")) not in expected
    ]
    return out
