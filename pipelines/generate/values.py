"""Realistic table values that reconcile: the ground truth before anything is printed.

Most agencies receive a handful of requests and print tables of zeros; a few receive hundreds
(a district government), and licensing or enforcement bureaus decide thousands of cases. The
values are built so that R1–R4 hold by construction: the six applicant columns are drawn
first, every total is their sum, and each column's handled requests are split over the result
rows.
"""

from __future__ import annotations

from decimal import Decimal
from random import Random

from pipelines.generate.agencies import ENFORCEMENT, GOVERNMENT, LICENSING
from pipelines.generate.forms import (
    ACTIVE,
    APPLICANT_COLUMNS,
    REQUESTS,
    REVIEW,
    REVIEW_GROUPS,
    TEMPLATE_2019,
    result_rows,
)

Number = int | Decimal
Tables = dict[str, dict[str, dict[str, Number | None]]]

# How often a request ends in each result (real annual reports, roughly).
_RESULT_WEIGHTS: dict[str, float] = {
    "granted": 40,
    "partially_granted": 8,
    "denied_state_secret": 0.3,
    "denied_prohibited_by_law": 1,
    "denied_security_stability": 0.5,
    "denied_third_party_rights": 2,
    "denied_internal_affairs": 2,
    "denied_process_info": 3,
    "denied_enforcement_files": 1,
    "denied_query_matters": 2,
    "unavailable_not_held": 25,
    "unavailable_needs_creation": 3,
    "unavailable_unclear_after_correction": 2,
    "not_processed_petition": 5,
    "not_processed_duplicate": 3,
    "not_processed_publication": 0.5,
    "not_processed_excessive": 1,
    "not_processed_confirmation": 1,
    "other_overdue_correction": 2,
    "other_unpaid_fee": 0.2,
    "other": 3,
}
_RESULT_WEIGHTS["other_processing"] = sum(
    _RESULT_WEIGHTS[k] for k in ("other_overdue_correction", "other_unpaid_fee", "other")
)
# Who asks: mostly natural persons.
_APPLICANT_WEIGHTS: tuple[float, ...] = (78, 10, 0.5, 1.5, 4, 6)

SMALL_SCALE = "small"
LARGE_SCALE = "large"  # values in the thousands (the `thousands` number style needs them)


def _split(rng: Random, total: int, keys: tuple[str, ...], weights: tuple[float, ...]) -> dict[str, int]:
    """A multinomial split of `total` over keys (deterministic for a given rng state)."""
    counts = dict.fromkeys(keys, 0)
    for key in rng.choices(keys, weights=weights, k=total):
        counts[key] += 1
    return counts


def _requests_received(rng: Random, profile: str, scale: str) -> int:
    if scale == LARGE_SCALE:
        return rng.randint(1000, 3200)
    if profile == GOVERNMENT:
        return rng.choice((rng.randint(20, 90), rng.randint(90, 600)))
    roll = rng.random()
    if roll < 0.35:
        return 0
    if roll < 0.8:
        return rng.randint(1, 6)
    if roll < 0.95:
        return rng.randint(7, 40)
    return rng.randint(41, 250)


def _requests(rng: Random, template: str, profile: str, scale: str) -> dict[str, dict[str, Number | None]]:
    received = _split(rng, _requests_received(rng, profile, scale), APPLICANT_COLUMNS, _APPLICANT_WEIGHTS)
    rows = [key for key, _label, _group in result_rows(template)]
    weights = tuple(_RESULT_WEIGHTS[k] for k in rows)
    table: dict[str, dict[str, Number | None]] = {
        k: {} for k in ("new_received", "carried_over", *rows, "total_handled", "carried_forward")
    }
    for column in APPLICANT_COLUMNS:
        new = received[column]
        over = rng.randint(1, max(1, new // 8)) if new and rng.random() < 0.25 else 0
        available = new + over
        forward = rng.randint(1, max(1, available // 6)) if available and rng.random() < 0.25 else 0
        handled = available - forward
        table["new_received"][column] = new
        table["carried_over"][column] = over
        table["carried_forward"][column] = forward
        table["total_handled"][column] = handled
        for key, count in _split(rng, handled, tuple(rows), weights).items():
            table[key][column] = count
    for row in table.values():
        row["total"] = sum(int(row[c] or 0) for c in APPLICANT_COLUMNS)
    return table


def _review(rng: Random, profile: str, scale: str, busy: bool) -> dict[str, dict[str, Number | None]]:
    table: dict[str, dict[str, Number | None]] = {}
    odds = {"administrative_review": 0.35, "litigation_direct": 0.15, "litigation_after_review": 0.1}
    top = 40 if scale == LARGE_SCALE or profile == GOVERNMENT else 4
    for group, _label in REVIEW_GROUPS:
        active = busy and rng.random() < odds[group]
        parts = [rng.randint(0, top) if active else 0 for _ in range(4)]
        if active and not any(parts):
            parts[0] = 1
        upheld, corrected, other, pending = parts
        table[group] = {
            "upheld": upheld,
            "corrected": corrected // 3,
            "other": other // 2,
            "pending": pending // 2,
        }
        table[group]["total"] = sum(int(v or 0) for v in table[group].values())
    return table


def _amount(rng: Random, decimal: bool, large: bool) -> Decimal:
    """An amount in 万元: with decimals (never a whole number) when asked, else whole."""
    if decimal:
        cents = rng.randint(100_000, 2_500_000) if large else rng.randint(1, 60_000)
        if cents % 100 == 0:
            cents += rng.randint(1, 99)
        places = 1 if cents % 10 == 0 else 2
        return (Decimal(cents) / 100).quantize(Decimal(1).scaleb(-places))
    return Decimal(rng.randint(1000, 9000) if large else rng.randint(1, 300))


def _busy(rng: Random, profile: str, wanted: str, scale: str, low: int, high: int) -> int:
    """A decision count: in volume for the agencies whose business it is, else mostly zero."""
    if scale == LARGE_SCALE and profile == wanted:
        return rng.randint(1000, 30_000)
    if profile == wanted:
        return rng.randint(low, high)
    return 0 if rng.random() < 0.75 else rng.randint(1, max(1, high // 50))


def _active_2021(rng: Random, profile: str, scale: str, decimal_fees: bool) -> dict[str, dict[str, Number | None]]:
    large = scale == LARGE_SCALE
    gov = profile == GOVERNMENT
    rules_issued = rng.randint(0, 3) if gov else 0
    rules_repealed = rng.randint(0, rules_issued) if gov else 0
    docs_issued = rng.randint(0, 25 if gov else 6)
    docs_repealed = rng.randint(0, max(1, docs_issued // 2)) if rng.random() < 0.3 else 0
    fees = _amount(rng, decimal_fees, large) if decimal_fees or rng.random() < 0.1 else Decimal(0)
    return {
        "rules": {
            "issued": rules_issued,
            "repealed": rules_repealed,
            "in_force": rules_issued + (rng.randint(5, 60) if gov else 0),
        },
        "normative_documents": {
            "issued": docs_issued,
            "repealed": docs_repealed,
            "in_force": docs_issued + rng.randint(0, 120 if gov else 30),
        },
        "administrative_licensing": {
            "decisions": rng.randint(1000, 30_000) if large else _busy(rng, profile, LICENSING, scale, 50, 8000)
        },
        "administrative_penalty": {"decisions": _busy(rng, profile, ENFORCEMENT, scale, 20, 3000)},
        "administrative_coercion": {"decisions": _busy(rng, profile, ENFORCEMENT, scale, 0, 200)},
        "administrative_fees": {"amount": _int_if_whole(fees)},
    }


def _items(rng: Random, profile: str, wanted: str, scale: str, top: int) -> dict[str, Number | None]:
    last = rng.randint(0, top) if profile == wanted or rng.random() < 0.4 else 0
    change = rng.randint(-min(last, 8), 8) if last or rng.random() < 0.2 else 0
    return {
        "items_last_year": last,
        "items_change": change,
        "decisions": _busy(rng, profile, wanted, scale, 10, 6000) if last + change > 0 else 0,
    }


def _active_2019(rng: Random, profile: str, scale: str, decimal_fees: bool) -> dict[str, dict[str, Number | None]]:
    gov = profile == GOVERNMENT
    rules_new = rng.randint(0, 3) if gov else 0
    docs_new = rng.randint(0, 20 if gov else 6)
    docs_published = docs_new - (rng.randint(0, docs_new) if rng.random() < 0.2 else 0)
    fees = _items(rng, profile, LICENSING, scale, 20)
    procurement_items = rng.randint(0, 60) if rng.random() < 0.5 else 0
    amount = _amount(rng, decimal_fees, scale == LARGE_SCALE) if procurement_items else Decimal(0)
    return {
        "rules": {
            "produced": rules_new,
            "published": rules_new,
            "total_published": rules_new + (rng.randint(5, 60) if gov else 0),
        },
        "normative_documents": {
            "produced": docs_new,
            "published": docs_published,
            "total_published": docs_published + rng.randint(0, 120 if gov else 30),
        },
        "administrative_licensing": _items(rng, profile, LICENSING, scale, 300),
        "other_management_services": _items(rng, profile, LICENSING, scale, 80),
        "administrative_penalty": _items(rng, profile, ENFORCEMENT, scale, 600),
        "administrative_coercion": _items(rng, profile, ENFORCEMENT, scale, 40),
        "administrative_fees": {"items_last_year": fees["items_last_year"], "items_change": fees["items_change"]},
        "government_procurement": {"procurement_items": procurement_items, "procurement_amount": _int_if_whole(amount)},
    }


def _int_if_whole(amount: Decimal) -> Number:
    """A whole amount is printed (and read back) as an integer, like the parser reads `0`."""
    return int(amount) if amount == amount.to_integral_value() else amount


def make_tables(template: str, rng: Random, *, profile: str, scale: str, decimal_fees: bool) -> Tables:
    """The three tables of one report, reconciling (R1–R4 hold)."""
    active = (_active_2019 if template == TEMPLATE_2019 else _active_2021)(rng, profile, scale, decimal_fees)
    requests = _requests(rng, template, profile, scale)
    busy = bool(requests["new_received"]["total"]) or rng.random() < 0.05
    return {ACTIVE: active, REQUESTS: requests, REVIEW: _review(rng, profile, scale, busy)}


def copy_tables(tables: Tables) -> Tables:
    return {t: {r: dict(cols) for r, cols in rows.items()} for t, rows in tables.items()}
