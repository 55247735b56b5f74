"""The static report site (`disclosure report`), built from the seeds' warehouse: real numbers in
the pages and data files, nothing fetched from the network, and an atomic build."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from samples import RAW, SEED_NAMES, golden

from pipelines.extract.corpus import extract
from pipelines.site import build as site_build
from pipelines.site.build import SiteError, build_site
from pipelines.site.queries import TOTALS_SQL, fnv_shard
from pipelines.warehouse import run_dbt

pytestmark = pytest.mark.slow  # seconds to minutes a test: run by `make test-full`, not `make test`

S002 = SEED_NAMES[2]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("site")
    lake, db = root / "lake", root / "warehouse.duckdb"
    extract(RAW, lake, progress=False)
    outcome = run_dbt(["build"], lake_dir=lake, database=db, strict=False, quiet=True)
    assert outcome.success, outcome.failures
    site = root / "site"
    summary = build_site(db, site, lake=lake)
    assert summary.reports == 5 and summary.path == site.resolve()
    return db, lake, site


def _one(db: Path, sql: str, *params: object) -> object:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchone()[0]


def _metric(html: str, name: str, **attrs: str) -> str:
    extra = "".join(rf'[^>]*data-{k}="{re.escape(v)}"' for k, v in attrs.items())
    match = re.search(rf'<[^>]*data-metric="{name}"{extra}[^>]*>([^<]*)<', html)
    assert match, f"no {name} {attrs}"
    return match.group(1)


def _shard(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    prefix, suffix = "window.SITE_DATA=Object.assign(window.SITE_DATA||{},", ");"
    assert text.startswith(prefix) and text.endswith(suffix)
    return json.loads(text[len(prefix) : -len(suffix)])


def test_overview_totals_equal_sql(built: tuple[Path, Path, Path]) -> None:
    db, _, site = built
    html = (site / "index.html").read_text(encoding="utf-8")
    for name, sql in TOTALS_SQL.items():
        if name == "reports_failing_checks":
            continue
        assert _metric(html, name) == str(_one(db, sql)), name
    assert _metric(html, "reports_ok") == "5"
    assert _metric(html, "reports_by_year", year="2023", status="ok") == str(
        _one(db, "select count(*) from dim_report where report_year = 2023 and status = 'ok'")
    )
    assert _metric(html, "agencies_by_level", key="county") == str(
        _one(db, "select count(*) from dim_agency where report_count > 0 and level = 'county'")
    )
    assert _metric(html, "agencies_by_province", key="330000") == "5"
    assert "杭州市余杭区商务局" in html  # the coverage grid, in Chinese
    assert 'class="cov missing"' in html  # an agency's years without a report are shown


def test_quality_and_requests_pages_equal_sql(built: tuple[Path, Path, Path]) -> None:
    db, _, site = built
    quality = (site / "quality.html").read_text(encoding="utf-8")
    assert _metric(quality, "checks_passed", rule="R2") == str(
        _one(db, "select count(*) from reconciliation_results where rule_id = 'R2' and passed")
    )
    code, severity, count = (
        duckdb.connect(str(db), read_only=True)
        .execute("select finding_code, severity, count(*) from report_findings group by all order by 1 limit 1")
        .fetchone()
    )
    assert _metric(quality, "findings", code=code, severity=severity) == str(count)

    requests = (site / "requests.html").read_text(encoding="utf-8")
    assert _metric(requests, "new_received", year="2022") == str(
        _one(
            db,
            """select sum(new_received)::bigint from fct_request_flow
               where is_printed_total and is_current_edition and report_year = 2022""",
        )
    )
    granted_2022 = _one(
        db,
        """select sum(request_count)::bigint from fct_request_outcomes f join dim_request_outcome o using (outcome_key)
           where f.is_printed_total and f.is_current_edition and f.report_year = 2022
             and o.outcome_group_key = 'granted'""",
    )
    assert _metric(requests, "requests", group="granted", year="2022") == str(granted_2022)
    assert _metric(requests, "requests_new_received") != ""  # the province table
    assert 'data-metric="cases"' in requests


def test_report_data_holds_the_printed_cells(built: tuple[Path, Path, Path]) -> None:
    db, _, site = built
    report_id = _one(db, "select report_id from dim_report where source_path = ?", S002)
    data = _shard(site / "reports" / "data" / f"{report_id[:3]}.js")[report_id]
    assert data["path"] == S002 and data["status"] == "ok" and data["agency"] == "杭州市余杭区商务局"
    template = json.loads(
        re.search(r"var TEMPLATE = (.*?);</script>", (site / "reports" / "view.html").read_text(encoding="utf-8"))[1]
    )
    rows, cols = template["rows"], template["columns"]
    cells = {
        (rows[c[0]]["row_key"], cols[c[1]]["column_key"]): c
        for c in data["cells"]
        if rows[c[0]]["table_key"] == "requests"
    }
    expected = golden(S002)["tables"]["requests"]["new_received"]
    assert {k: cells[("new_received", k)][2] for k in expected} == expected
    line = cells[("new_received", "natural_person")][3]
    assert (RAW / S002).read_text(encoding="utf-8").split("\n")[line - 1].strip() == "4"
    assert line == _one(
        db,
        """select source_line from fct_request_outcomes f join dim_report r using (report_id)
           where r.source_path = ? and outcome_key = 'granted' and applicant_type_key = 'natural_person'""",
        S002,
    ) - (cells[("granted", "natural_person")][3] - line)
    assert [c[0] for c in data["rule_counts"]] == ["R1", "R2", "R3", "R4", "R7"]  # R7: its narrative's number


def test_agency_data_has_its_years_and_cross_year_checks(built: tuple[Path, Path, Path]) -> None:
    db, _, site = built
    key = "ag_330110_commerce"
    data = _shard(site / "agencies" / "data" / f"{fnv_shard(key)}.js")[key]
    assert data["name"] == "杭州市余杭区商务局"
    assert [y["report_year"] for y in data["years"]] == [
        r[0]
        for r in duckdb.connect(str(db), read_only=True)
        .execute("select report_year from agency_year_summary where agency_key = ? order by 1", [key])
        .fetchall()
    ]
    handled = _one(
        db, "select requests_handled from agency_year_summary where agency_key = ? and report_year = 2022", key
    )
    assert [y["requests_handled"] for y in data["years"] if y["report_year"] == 2022] == [handled]
    # every agency with reports is in the shard its key hashes to
    with duckdb.connect(str(db), read_only=True) as con:
        for (agency_key,) in con.execute("select agency_key from dim_agency where report_count > 0").fetchall():
            assert agency_key in _shard(site / "agencies" / "data" / f"{fnv_shard(agency_key)}.js")


def test_no_page_loads_anything_from_the_network(built: tuple[Path, Path, Path]) -> None:
    _, _, site = built
    pages = list(site.rglob("*.html"))
    assert {p.relative_to(site).as_posix() for p in pages} >= {
        "index.html",
        "quality.html",
        "requests.html",
        "reports/page-1.html",
        "reports/view.html",
        "agencies/page-1.html",
        "agencies/view.html",
    }
    for page in [*pages, site / "assets" / "site.css"]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text), page
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), page
        assert "https://" not in text and "http://" not in text, page
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert 'src="assets/plotly.min.js"' in (site / "index.html").read_text(encoding="utf-8")


def test_the_build_is_atomic(built: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    db, lake, site = built
    before = (site / "index.html").read_text(encoding="utf-8")

    def broken(*args: object) -> None:
        raise RuntimeError("the warehouse went away")

    monkeypatch.setattr(site_build.queries, "agency_shards", broken)
    with pytest.raises(RuntimeError):
        build_site(db, site, lake=lake)
    assert (site / "index.html").read_text(encoding="utf-8") == before  # the previous site, whole
    assert sorted(p.name for p in site.parent.iterdir() if p.name.startswith(".site")) == []  # no half-built folder
    monkeypatch.undo()
    build_site(db, site, lake=lake)
    assert sorted(p.name for p in site.parent.iterdir() if p.name.startswith(".site")) == []
    with pytest.raises(SiteError):
        build_site(site.parent / "missing.duckdb", site)


def test_a_rebuild_swaps_the_site_in_one_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where renameat2 can exchange folders (Linux), the site's path never goes missing: no
    rename moves the old site aside."""
    out, built = tmp_path / "site", tmp_path / ".site-building"
    out.mkdir()
    (out / "index.html").write_text("old", encoding="utf-8")
    built.mkdir()
    (built / "index.html").write_text("new", encoding="utf-8")
    if not site_build._exchange(tmp_path / "site", tmp_path / "site"):
        pytest.skip("renameat2 RENAME_EXCHANGE is not available here")
    renamed: list[tuple[str, str]] = []
    monkeypatch.setattr(site_build.os, "rename", lambda a, b: renamed.append((str(a), str(b))))
    site_build._swap_into_place(built, out)
    assert renamed == []
    assert (out / "index.html").read_text(encoding="utf-8") == "new"
    assert not built.exists()  # the previous site, swapped out, removed


def test_without_the_lake_the_viewer_has_the_warehouse_values(built: tuple[Path, Path, Path], tmp_path: Path) -> None:
    db, _, _ = built
    site = tmp_path / "site"
    build_site(db, site, lake=None)
    report_id = _one(db, "select report_id from dim_report where source_path = ?", S002)
    data = _shard(site / "reports" / "data" / f"{report_id[:3]}.js")[report_id]
    assert len(data["cells"]) == _one(db, "select cell_count from dim_report where report_id = ?", report_id)
