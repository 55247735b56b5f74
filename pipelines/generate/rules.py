"""Reconciliation rules R1–R4 over a truth table, and breaking one of them on purpose.

The same arithmetic as the warehouse (`reconciliation_results`: difference = actual −
expected; a check with a blank cell is not assessable), so a generated corpus states exactly
which checks the warehouse must report as failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from pipelines.generate.forms import (
    APPLICANT_COLUMNS,
    REQUEST_COLUMNS,
    REQUESTS,
    REVIEW,
    REVIEW_GROUPS,
    CellKey,
    request_rows,
    result_rows,
)
from pipelines.generate.values import Number, Tables, copy_tables

RULES: tuple[str, ...] = ("R1", "R2", "R3", "R4")


@dataclass(frozen=True)
class Check:
    rule: str
    scope: str
    expected: Number | None
    actual: Number | None
    cells: tuple[CellKey, ...]  # the cells the check reads

    @property
    def difference(self) -> Number | None:
        if self.expected is None or self.actual is None:
            return None
        return self.actual - self.expected

    @property
    def passed(self) -> bool | None:
        """None when not assessable (a cell it needs is blank)."""
        d = self.difference
        return None if d is None else d == 0

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "scope": self.scope,
            "expected": self.expected,
            "actual": self.actual,
            "difference": self.difference,
        }


def _sum(values: list[Number | None]) -> Number | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def checks(tables: Tables, template: str) -> list[Check]:
    """Every R1–R4 check of one report, in a stable order."""
    req = tables[REQUESTS]
    results = [key for key, _label, _group in result_rows(template)]
    out: list[Check] = []
    for c in REQUEST_COLUMNS:
        cells = tuple((REQUESTS, r, c) for r in ("new_received", "carried_over", "total_handled", "carried_forward"))
        out.append(
            Check(
                "R1",
                c,
                _sum([req["new_received"][c], req["carried_over"][c]]),
                _sum([req["total_handled"][c], req["carried_forward"][c]]),
                cells,
            )
        )
    for row, _label in request_rows(template):
        cells = tuple((REQUESTS, row, c) for c in REQUEST_COLUMNS)
        out.append(Check("R2", row, _sum([req[row][c] for c in APPLICANT_COLUMNS]), req[row]["total"], cells))
    for c in REQUEST_COLUMNS:
        cells = tuple((REQUESTS, r, c) for r in (*results, "total_handled"))
        out.append(Check("R3", c, _sum([req[r][c] for r in results]), req["total_handled"][c], cells))
    for group, _label in REVIEW_GROUPS:
        g = tables[REVIEW][group]
        cells = tuple((REVIEW, group, k) for k in ("upheld", "corrected", "other", "pending", "total"))
        out.append(Check("R4", group, _sum([g["upheld"], g["corrected"], g["other"], g["pending"]]), g["total"], cells))
    return out


def failing(tables: Tables, template: str) -> list[Check]:
    return [c for c in checks(tables, template) if c.passed is False]


@dataclass(frozen=True)
class Broken:
    rule: str
    scope: str
    difference: Number
    cell: CellKey  # the printed total that was changed
    failing: tuple[Check, ...]  # every check that now fails (the rule's own and its collateral)

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "scope": self.scope, "difference": self.difference}


def break_rule(tables: Tables, template: str, rule: str, rng: Random) -> tuple[Tables, Broken]:
    """Change exactly one printed total so that `rule` fails.

    One cell of table 3 takes part in a column rule and a row rule at once, so a changed total
    also breaks one or two other checks (listed in `Broken.failing`); only R4 fails alone.
    R1: the 总计 of 一、/二、/四、; R2: a row's 总计; R3: （七）总计 in one column; R4: a group's 总计.
    """
    rows = [key for key, _label in request_rows(template)]
    if rule == "R1":
        cell = (REQUESTS, rng.choice(("new_received", "carried_over", "carried_forward")), "total")
        scope = "total"
    elif rule == "R2":
        row = rng.choice([r for r in rows if r != "total_handled"])
        cell, scope = (REQUESTS, row, "total"), row
    elif rule == "R3":
        column = rng.choice(REQUEST_COLUMNS)
        cell, scope = (REQUESTS, "total_handled", column), column
    elif rule == "R4":
        group = rng.choice([g for g, _label in REVIEW_GROUPS])
        cell, scope = (REVIEW, group, "total"), group
    else:
        raise ValueError(f"unknown rule {rule!r}")
    table, row_key, column = cell
    out = copy_tables(tables)
    old = out[table][row_key][column]
    assert isinstance(old, int)
    step = rng.choice((1, 1, 2, 3, 5, 10))
    out[table][row_key][column] = old + step if old < step or rng.random() < 0.5 else old - step
    now_failing = tuple(failing(out, template))
    own = next(c for c in now_failing if c.rule == rule and c.scope == scope)
    assert own.difference is not None
    return out, Broken(rule, scope, own.difference, cell, now_failing)
