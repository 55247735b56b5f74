"""The report site as users see it: pages opened in headless Chromium, numbers checked against SQL.

The corpus is the five seeds plus what makes every part of the site show something: 002 with one
cell changed (so R1 and R2 fail and the cell is marked), 001's agency a year later (so its agency
page has two years and R5 compares them) and a file that is no report (rejected).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from browser import open_page
from samples import RAW, SEED_NAMES

from pipelines.extract.corpus import extract
from pipelines.publish import publish
from pipelines.site.build import build_site
from pipelines.warehouse import run_dbt

pytestmark = pytest.mark.slow  # seconds to minutes a test: run by `make test-full`, not `make test`

S000, S001, S002, S003, S004 = SEED_NAMES


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("site")
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    lines = (RAW / S002).read_text(encoding="utf-8").split("\n")
    assert lines[110] == "4"
    lines[110] = "5"  # new_received.natural_person: R1 and R2 now fail
    (raw / S002).write_text("\n".join(lines), encoding="utf-8")
    nxt = (RAW / S001).read_text(encoding="utf-8").split("\n")
    assert nxt[1] == "2021年政府信息公开工作年度报告"
    nxt[1] = "2022年政府信息公开工作年度报告"
    (raw / "linan_2022.txt").write_text("\n".join(nxt), encoding="utf-8")
    (raw / "not_a_report.txt").write_text("会议通知\n请各单位准时参加。\n", encoding="utf-8")
    lake, build, db = root / "lake", root / "build.duckdb", root / "warehouse.duckdb"
    extract(raw, lake, progress=False)
    outcome = run_dbt(["build"], lake_dir=lake, database=build, strict=False, quiet=True)
    assert outcome.success, outcome.failures
    publish(build, db, root / "marts")
    site = root / "site"
    build_site(db, site, lake)
    return db, site


def _sql(db: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _number(text: str) -> int:
    return int(text.strip().replace(",", ""))


def _report_id(db: Path, source_path: str) -> str:
    return _sql(db, "select report_id from dim_report where source_path = ?", source_path)[0][0]


def test_overview_shows_the_warehouse_totals_and_draws_its_charts(browser, built) -> None:
    db, site = built
    result = open_page(site / "index.html")
    assert not result.problems, result.problems
    assert result.charts >= 2
    page = result.page
    [(total, ok, partial, rejected)] = _sql(
        db,
        """select count(*), count(*) filter (where status = 'ok'), count(*) filter (where status = 'partial'),
                  count(*) filter (where status = 'rejected') from dim_report""",
    )
    assert (total, rejected) == (7, 1)
    shown = {key: _number(page.locator(f"#total-{key}").inner_text()) for key in ("reports_total", "reports_rejected")}
    assert shown == {"reports_total": total, "reports_rejected": rejected}
    assert _number(page.locator("#total-reports_ok").inner_text()) == ok
    assert _number(page.locator("#total-reports_partial").inner_text()) == partial
    for year, count in _sql(
        db, "select report_year, count(*) from dim_report where report_year is not null group by 1"
    ):
        cell = page.locator(f'td[data-metric="reports_by_year"][data-year="{year}"][data-status="total"]')
        assert _number(cell.inner_text()) == count, year
    [(agencies,)] = _sql(db, "select count(*) from dim_agency where report_count > 0 and province_code = '330000'")
    cell = page.locator('td[data-metric="agencies_by_province"][data-key="330000"]')
    assert _number(cell.inner_text()) == agencies == 5
    assert "浙江省" in page.locator("body").inner_text()


def test_quality_page_lists_findings_failures_and_the_rejected_file(browser, built) -> None:
    db, site = built
    result = open_page(site / "quality.html")
    assert not result.problems, result.problems
    page = result.page
    for code, severity, count in _sql(db, "select finding_code, severity, count(*) from report_findings group by all"):
        cell = page.locator(f'td[data-metric="findings"][data-code="{code}"][data-severity="{severity}"]')
        assert _number(cell.inner_text()) == count, code
    failed = dict(_sql(db, "select rule_id, count(*) from reconciliation_results where not passed group by 1"))
    assert failed == {"R1": 1, "R2": 1, "R6": 1}  # R6: 001 copied a year on, documents in force unchanged
    for rule, count in failed.items():
        assert _number(page.locator(f'td[data-metric="checks_failed"][data-rule="{rule}"]').inner_text()) == count
    assert _number(page.locator('[data-metric="reports_rejected"]').first.inner_text()) == 1
    assert "not_a_report.txt" in page.locator("body").inner_text()


def test_requests_page_shows_received_requests_by_year(browser, built) -> None:
    db, site = built
    result = open_page(site / "requests.html")
    assert not result.problems, result.problems
    assert result.charts >= 2
    page = result.page
    by_year = _sql(
        db,
        """select report_year, sum(requests_new_received) from agency_year_summary
           group by 1 order by 1""",
    )
    assert by_year
    for year, received in by_year:
        cell = page.locator(f'td[data-metric="new_received"][data-year="{year}"]').first
        assert _number(cell.inner_text()) == received, year


def test_report_page_shows_its_cells_their_lines_and_the_failing_rule(browser, built) -> None:
    db, site = built
    report_id = _report_id(db, S002)
    result = open_page(site / "reports" / "view.html", query={"id": report_id}, charts=False)
    page = result.page
    page.wait_for_selector('#report[data-state="loaded"]')
    assert not result.problems, result.problems
    cell = page.locator('table.grid[data-table="requests"] td[data-row="new_received"][data-col="natural_person"]')
    assert cell.get_attribute("data-state") == "failing"
    assert cell.inner_text().strip() == "5"
    assert cell.get_attribute("data-line") == "111"  # line 111 of the file: lines[110] above
    for row_key, column_key, value in _sql(
        db,
        """select f.outcome_key, f.applicant_type_key, f.request_count from fct_request_outcomes f
           where f.report_id = ? and f.request_count is not null and f.applicant_type_key = 'total'""",
        report_id,
    ):
        shown = page.locator(f'table.grid[data-table="requests"] td[data-row="{row_key}"][data-col="{column_key}"]')
        assert float(shown.get_attribute("data-value")) == value, (row_key, column_key)
    rules = page.locator('tr[data-rule="R1"] td[data-metric="checks_failed"]')
    assert _number(rules.inner_text()) == 1


def test_agency_page_sets_its_years_side_by_side(browser, built) -> None:
    db, site = built
    key = "ag_330112_economy_it"
    rows = _sql(
        db,
        "select report_year, requests_handled from agency_year_summary where agency_key = ? order by 1",
        key,
    )
    assert [year for year, _ in rows] == [2021, 2022]
    result = open_page(site / "agencies" / "view.html", query={"key": key}, charts=False)
    page = result.page
    page.wait_for_selector('#agency[data-state="loaded"]')
    assert not result.problems, result.problems
    for year, handled in rows:
        cell = page.locator(f'td[data-metric="requests_handled"][data-year="{year}"]')
        assert _number(cell.inner_text()) == handled, year
    assert page.locator('tr[data-rule="R5"]').count() >= 1
    assert "杭州市临安区经济和信息化局" in page.locator("body").inner_text()
