"""The 2019/2020 template: detected, its 198 cells read, its own measures under their own keys."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pipelines.extract.read.report import parse_bytes
from pipelines.extract.template import expected_cells

FIXTURE = Path(__file__).parent / "fixtures" / "2019_template_linan_2020.txt"


# table 3's applicant columns as the template prints them (docs/report-template.md), not the parser's list
REQUEST_COLUMNS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)


def _zeros(columns: tuple[str, ...]) -> dict[str, int]:
    return dict.fromkeys(columns, 0)


def test_2019_report_parses_every_cell() -> None:
    report = parse_bytes(FIXTURE.read_bytes(), FIXTURE.name)
    assert (report.template, report.status, report.findings) == ("2019", "ok", [])
    assert (report.meta.agency, report.meta.report_year, str(report.meta.published_on)) == (
        "杭州市临安区经济和信息化局",
        2020,
        "2021-01-25",
    )
    assert len(expected_cells("2019")) == 198
    assert len(report.cells) == 198
    tables = report.tables()
    assert tables["active_disclosure"] == {
        "rules": {"produced": 0, "published": 0, "total_published": 0},
        "normative_documents": {"produced": 2, "published": 2, "total_published": 15},
        "administrative_licensing": {"items_last_year": 12, "items_change": -1, "decisions": 35},
        "other_management_services": {"items_last_year": 3, "items_change": 0, "decisions": 8},
        "administrative_penalty": {"items_last_year": 20, "items_change": 2, "decisions": 6},
        "administrative_coercion": {"items_last_year": 5, "items_change": 0, "decisions": 1},
        "administrative_fees": {"items_last_year": 1, "items_change": 0},
        "government_procurement": {
            "procurement_items": 4,
            "procurement_amount": Decimal("56.8"),
        },
    }
    requests = tables["requests"]
    assert len(requests) == 23
    assert "other" not in requests and "other_overdue_correction" not in requests
    non_zero = {
        "new_received": {"natural_person": 3, "commercial_enterprise": 1, "total": 4},
        "granted": {"natural_person": 2, "total": 2},
        "unavailable_not_held": {"natural_person": 1, "total": 1},
        "other_processing": {"commercial_enterprise": 1, "total": 1},
        "total_handled": {"natural_person": 3, "commercial_enterprise": 1, "total": 4},
    }
    for row, values in requests.items():
        assert values == _zeros(REQUEST_COLUMNS) | non_zero.get(row, {}), row
    assert tables["review_litigation"]["administrative_review"] == {
        "upheld": 1,
        "corrected": 0,
        "other": 0,
        "pending": 0,
        "total": 1,
    }


def test_fee_items_are_never_read_as_a_fee_amount() -> None:
    report = parse_bytes(FIXTURE.read_bytes(), FIXTURE.name)
    keys = {(c.row, c.column) for c in report.cells if c.table == "active_disclosure"}
    assert ("administrative_fees", "amount") not in keys
    assert ("administrative_fees", "items_last_year") in keys


def test_negative_change_only_where_the_template_allows_it() -> None:
    text = FIXTURE.read_text(encoding="utf-8").replace("\t规章\n\t0", "\t规章\n\t-1", 1)
    report = parse_bytes(text.encode(), "x")
    finding = next(f for f in report.findings if f.code == "cell_unreadable")
    assert (finding.row, finding.column) == ("rules", "produced")
