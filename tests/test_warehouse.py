"""The dbt warehouse built from the lake: dimensions, facts, reconciliation and its tests."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from samples import RAW, SEED_NAMES

from pipelines import paths
from pipelines.extract.corpus import extract
from pipelines.warehouse import run_dbt

pytestmark = pytest.mark.slow  # seconds to minutes a test: run by `make test-full`, not `make test`

S000, S001, S002, S003, S004 = SEED_NAMES


def _build(tmp: Path, raw: Path, strict: bool):
    lake, db = tmp / "lake", tmp / "warehouse.duckdb"
    if not lake.exists():
        extract(raw, lake, progress=False)
    return run_dbt(["build"], lake_dir=lake, database=db, strict=strict, quiet=True), db


def _rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outcome, db = _build(tmp_path_factory.mktemp("seeds"), RAW, strict=True)
    assert outcome.success, outcome.failures
    assert outcome.warnings == []
    return db


def test_report_timeliness_of_the_seeds(seeds_db: Path) -> None:
    """Hand-checked: the three dated seeds are departments that published in January, before
    their 31 January deadline; two state no publish date."""
    rows = _rows(
        seeds_db,
        "select source_path, deadline_rule, deadline, timeliness, days_late, note from report_timeliness order by 1",
    )
    assert rows == [
        (S000, "department", dt.date(2024, 1, 31), "unknown", None, "no publish date in the report"),
        (S001, "department", dt.date(2022, 1, 31), "on_time", None, None),
        (S002, "department", dt.date(2023, 1, 31), "on_time", None, None),
        (S003, "department", dt.date(2024, 1, 31), "on_time", None, None),
        (S004, "department", dt.date(2025, 1, 31), "unknown", None, "no publish date in the report"),
    ]


def test_dim_agency_has_the_five_agencies_with_regions(seeds_db: Path) -> None:
    rows = _rows(
        seeds_db,
        """select agency_key, agency_name, region_code, level, kind, department_key, government_key,
                  prefecture_name, province_name, is_resolved
           from dim_agency where report_count > 0 order by agency_key""",
    )
    assert rows == [
        (
            "ag_330100_investment_promotion",
            "杭州市投资促进局",
            "330100",
            "prefecture",
            "department",
            "investment_promotion",
            "ag_330100_government",
            "杭州市",
            "浙江省",
            True,
        ),
        *[
            (
                f"ag_{code}_{slug}",
                name,
                code,
                "county",
                "department",
                slug,
                f"ag_{code}_government",
                "杭州市",
                "浙江省",
                True,
            )
            for code, slug, name in [
                ("330110", "commerce", "杭州市余杭区商务局"),
                ("330110", "economy_it", "杭州市余杭区经济和信息化局"),
                ("330110", "science_technology", "杭州市余杭区科学技术局"),
                ("330112", "economy_it", "杭州市临安区经济和信息化局"),
            ]
        ],
    ]


def test_dim_agency_and_dim_region_cover_the_whole_country(seeds_db: Path) -> None:
    in_force = _rows(
        seeds_db, "select region_level, count(*) from dim_region where valid_to is null group by 1 order by 1"
    )
    assert in_force == [("county", 2845), ("prefecture", 333), ("province", 34)]
    # every division's government is an agency (Hong Kong, Macau and Taiwan aside), reports or not
    governments = _rows(
        seeds_db,
        """select count(*) from dim_region as r
           left join dim_agency as a on a.agency_key = 'ag_' || r.region_code || '_government'
           where a.agency_key is null and r.province_code not in ('710000', '810000', '820000')""",
    )
    assert governments == [(0,)]
    named = _rows(
        seeds_db,
        """select agency_key, agency_name, level, prefecture_name, province_name from dim_agency
           where agency_key in ('ag_110105_government', 'ag_220104_government', 'ag_419001_government',
                                'ag_320800_government', 'ag_650000_government', 'ag_330104_government')
           order by agency_key""",
    )
    assert named == [
        ("ag_110105_government", "北京市朝阳区人民政府", "county", None, "北京市"),
        ("ag_220104_government", "长春市朝阳区人民政府", "county", "长春市", "吉林省"),
        ("ag_320800_government", "淮安市人民政府", "prefecture", "淮安市", "江苏省"),
        ("ag_330104_government", "杭州市江干区人民政府", "county", "杭州市", "浙江省"),  # abolished 2021
        ("ag_419001_government", "济源市人民政府", "county", None, "河南省"),
        ("ag_650000_government", "新疆维吾尔自治区人民政府", "province", None, "新疆维吾尔自治区"),
    ]


def test_reports_named_without_city_or_in_traditional_resolve(seeds_db: Path) -> None:
    rows = _rows(seeds_db, "select reported_agency, agency_as_written, agency_key from dim_report order by source_path")
    assert rows[2] == ("余杭区商务局", "余杭区商务局", "ag_330110_commerce")
    assert rows[3] == ("杭州市投资促进局", "杭州市投資促進局", "ag_330100_investment_promotion")


def test_dim_year_covers_2021_to_2024(seeds_db: Path) -> None:
    assert _rows(seeds_db, "select report_year from dim_year order by 1") == [(2021,), (2022,), (2023,), (2024,)]


def test_request_outcomes_of_yuhang_commerce_2022(seeds_db: Path) -> None:
    sql = """
        select outcome_key, applicant_type_key, request_count
        from fct_request_outcomes join dim_agency using (agency_key)
        where agency_name = '杭州市余杭区商务局' and report_year = 2022 and request_count > 0
        order by outcome_key, applicant_type_key
    """
    assert _rows(seeds_db, sql) == [
        ("granted", "natural_person", 3),
        ("granted", "total", 3),
        ("unavailable_not_held", "commercial_enterprise", 1),
        ("unavailable_not_held", "natural_person", 2),
        ("unavailable_not_held", "social_welfare_org", 1),
        ("unavailable_not_held", "total", 4),
    ]
    parts = _rows(
        seeds_db,
        """select sum(request_count) from fct_request_outcomes join dim_agency using (agency_key)
           where agency_name = ? and outcome_key = 'unavailable_not_held' and not is_printed_total""",
        "杭州市余杭区商务局",
    )
    assert parts == [(4,)]


def test_fact_grains_and_sizes(seeds_db: Path) -> None:
    assert _rows(seeds_db, "select count(*) from fct_request_outcomes") == [(5 * 21 * 7,)]
    assert _rows(seeds_db, "select count(*) from fct_request_flow") == [(5 * 7,)]
    assert _rows(seeds_db, "select count(*) from fct_active_disclosure") == [(5 * 6,)]
    assert _rows(seeds_db, "select count(*) from fct_review_litigation") == [(5 * 15,)]
    flow = _rows(
        seeds_db,
        """select new_received, carried_over, total_handled, carried_forward from fct_request_flow
           join dim_agency using (agency_key) where agency_name = ? and applicant_type_key = 'total'""",
        "杭州市余杭区商务局",
    )
    assert flow == [(6, 1, 7, 0)]
    licensing = _rows(
        seeds_db,
        """select decisions from fct_active_disclosure join dim_agency using (agency_key)
           where agency_name = '杭州市余杭区科学技术局' and item_key = 'administrative_licensing'""",
    )
    assert licensing == [(5,)]


def test_seeds_reconcile_on_every_rule(seeds_db: Path) -> None:
    rows = _rows(
        seeds_db,
        """select rule_id, count(*), count(*) filter (where passed) from reconciliation_results
           group by rule_id order by rule_id""",
    )
    # R7: each seed states its requests received (test_narrative.py), and each agrees
    assert rows == [("R1", 35, 35), ("R2", 125, 125), ("R3", 35, 35), ("R4", 15, 15), ("R7", 5, 5)]


def test_agency_year_summary(seeds_db: Path) -> None:
    rows = _rows(
        seeds_db,
        """select agency_name, report_year, requests_new_received, requests_handled, requests_granted,
                  share_granted_in_full_or_part, share_not_held, reconciliation_checks_failed
           from agency_year_summary order by agency_name""",
    )
    assert rows[1] == ("杭州市余杭区商务局", 2022, 6, 7, 3, 0.4286, 0.5714, 0)
    assert len(rows) == 5
    hangzhou = _rows(
        seeds_db,
        "select agencies_reporting, requests_handled from region_year_summary where region_code = '330100'"
        " and report_year = 2023",
    )
    assert hangzhou == [(2, 1)]  # the city's own agency and a district agency, both for 2023
    narrative = _rows(
        seeds_db,
        "select narrative_numbers_checked, narrative_numbers_disagreeing from agency_year_summary order by agency_name",
    )
    assert narrative == [(1, 0)] * 5  # each seed states its requests received, as its table prints it


def test_every_model_column_is_documented(seeds_db: Path) -> None:
    manifest = json.loads((paths.DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert len(models) >= 25
    for node in models:
        assert node["description"], node["name"]
        documented = {name for name, col in node["columns"].items() if col.get("description")}
        actual = {
            r[0]
            for r in _rows(
                seeds_db,
                "select column_name from information_schema.columns where table_name = ? and table_schema = ?",
                node["alias"],
                node["schema"],
            )
        }
        assert actual, node["name"]
        assert actual <= documented, f"{node['name']}: undocumented {sorted(actual - documented)}"


@pytest.fixture(scope="module")
def broken_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds, with one cell of 002 changed (new_received.natural_person 4 → 5), a report by
    an agency elsewhere in Hangzhou, one by an agency whose name no region fits, and a next-year
    report of 001's agency that carries over a request its previous year did not carry forward."""
    root = tmp_path_factory.mktemp("broken")
    raw = root / "raw"
    shutil.copytree(RAW, raw)
    lines = (RAW / S002).read_text(encoding="utf-8").split("\n")
    assert lines[110] == "4"
    lines[110] = "5"
    (raw / S002).write_text("\n".join(lines), encoding="utf-8")
    text = (RAW / S001).read_text(encoding="utf-8")
    (raw / "new_agency_2021.txt").write_text(
        text.replace("杭州市临安区经济和信息化局", "杭州市西湖区民政局", 1), encoding="utf-8"
    )
    (raw / "unknown_agency_2021.txt").write_text(
        text.replace("杭州市临安区经济和信息化局", "星海市民政局", 1), encoding="utf-8"
    )
    nxt = text.split("\n")
    assert nxt[1] == "2021年政府信息公开工作年度报告" and nxt[93] == "\t0"
    nxt[1] = "2022年政府信息公开工作年度报告"
    nxt[93] = "\t1"  # carried_over.natural_person
    (raw / "linan_2022.txt").write_text("\n".join(nxt), encoding="utf-8")
    # the same agency's 2020 report, in the 2019 template
    shutil.copy(Path(__file__).parent / "fixtures" / "2019_template_linan_2020.txt", raw / "linan_2020.txt")
    # 002 republished two weeks later with the broken cell corrected: a revised edition
    fixed = (RAW / S002).read_text(encoding="utf-8").replace("发布时间:2023-01-19", "发布时间:2023-02-03")
    (raw / "002_revised.txt").write_text(fixed, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def broken_db(broken_corpus: Path) -> Path:
    outcome, db = _build(broken_corpus, broken_corpus / "raw", strict=False)
    assert outcome.success, outcome.failures
    assert any("reconciliation_r1_holds" in w for w in outcome.warnings)
    return db


def test_non_reconciling_report_is_named_with_rule_column_and_difference(broken_db: Path) -> None:
    rows = _rows(
        broken_db,
        """select source_path, rule_id, scope_key, expected, actual, difference from reconciliation_results
           where passed = false and source_path = ? order by rule_id, scope_key""",
        S002,
    )
    assert rows == [
        (S002, "R1", "natural_person", 6, 5, -1),
        (S002, "R2", "new_received", 7, 6, -1),
    ]


def test_across_year_rule_compares_consecutive_reports(broken_db: Path) -> None:
    rows = _rows(
        broken_db,
        """select source_path, scope_key, expected, actual, difference, compared_report_id is not null
           from reconciliation_results where rule_id = 'R5' and passed = false""",
    )
    assert rows == [("linan_2022.txt", "natural_person", 0, 1, 1, True)]
    r6 = _rows(
        broken_db,
        """select scope_key, expected, actual, passed from reconciliation_results
           where rule_id = 'R6' and source_path = 'linan_2022.txt' order by scope_key""",
    )
    assert r6 == [("normative_documents", 8, 6, False), ("rules", 0, 0, True)]  # 6 + 3 - 1 expected, 6 printed


def test_2019_template_report_lines_up_beside_2021_years(broken_db: Path) -> None:
    agency = "ag_330112_economy_it"
    years = _rows(
        broken_db,
        "select report_year, template_version from dim_report where agency_key = ? order by 1",
        agency,
    )
    assert years == [(2020, "2019"), (2021, "2021"), (2022, "2021")]
    licensing = _rows(
        broken_db,
        """select report_year, decisions, items_last_year_2019, items_change_2019, issued
           from fct_active_disclosure where agency_key = ? and item_key = 'administrative_licensing'
           order by 1""",
        agency,
    )
    assert licensing == [(2020, 35, 12, -1, None), (2021, 0, None, None, None), (2022, 0, None, None, None)]
    procurement = _rows(
        broken_db,
        """select procurement_items_2019, procurement_amount_wan_yuan_2019, fee_amount_wan_yuan
           from fct_active_disclosure where agency_key = ? and item_key = 'government_procurement'""",
        agency,
    )
    assert [(n, float(amount), fee) for n, amount, fee in procurement] == [(4, 56.8, None)]
    fees = _rows(
        broken_db,
        """select report_year, fee_amount_wan_yuan, items_last_year_2019 from fct_active_disclosure
           where agency_key = ? and item_key = 'administrative_fees' order by 1""",
        agency,
    )
    assert [(y, None if a is None else float(a), i) for y, a, i in fees] == [
        (2020, None, 1),
        (2021, 0.0, None),
        (2022, 0.0, None),
    ]  # a count of fee items is never an amount
    handled = _rows(
        broken_db,
        """select report_year, request_count from fct_request_outcomes where agency_key = ?
           and outcome_key = 'other_processing' and applicant_type_key = 'total'""",
        agency,
    )
    assert handled == [(2020, 1)]
    r3 = _rows(
        broken_db,
        """select count(*), count(*) filter (where passed) from reconciliation_results
           where rule_id = 'R3' and source_path = 'linan_2020.txt'""",
    )
    assert r3 == [(7, 7)]  # 19 result rows summed, other_processing in place of its three
    across = _rows(
        broken_db,
        """select rule_id, count(*), count(*) filter (where passed), count(*) filter (where not is_assessable)
           from reconciliation_results where source_path = ? and rule_id in ('R5', 'R6') group by 1 order by 1""",
        S001,
    )
    assert across == [("R5", 7, 7, 0), ("R6", 2, 0, 2)]  # 2020 states no documents in force: not assessable


def test_revised_edition_replaces_the_original(broken_db: Path) -> None:
    editions = _rows(
        broken_db,
        """select source_path, is_current_edition from dim_report
           where agency_key = 'ag_330110_commerce' order by source_path""",
    )
    assert editions == [(S002, False), ("002_revised.txt", True)]
    summary = _rows(
        broken_db,
        """select d.source_path, s.requests_new_received, s.reconciliation_checks_failed
           from agency_year_summary s join dim_report d using (report_id)
           where s.agency_key = 'ag_330110_commerce'""",
    )
    assert summary == [("002_revised.txt", 6, 0)]


def test_strict_build_fails_on_the_same_corpus(broken_corpus: Path, broken_db: Path) -> None:
    outcome = run_dbt(
        ["build"],
        lake_dir=broken_corpus / "lake",
        database=broken_corpus / "strict.duckdb",
        strict=True,
        quiet=True,
    )
    assert not outcome.success
    failed = " ".join(outcome.failures)
    assert "reconciliation_r1_holds" in failed and "reconciliation_r2_holds" in failed
    assert "reconciliation_r3_holds" not in failed


def test_an_agency_anywhere_resolves_and_rolls_up(broken_db: Path) -> None:
    agency = _rows(
        broken_db,
        "select agency_key, agency_name, region_code, kind, aliases from dim_agency where report_count > 0"
        " and region_code = '330106'",
    )
    assert agency == [("ag_330106_civil_affairs", "杭州市西湖区民政局", "330106", "department", ["杭州市西湖区民政局"])]
    rollup = _rows(
        broken_db,
        """select region_code, region_level, agencies_reporting, departments_reporting from region_year_summary
           where report_year = 2021 and region_code in ('330106', '330100', '330000') order by region_code""",
    )
    assert rollup == [("330000", "province", 2, 2), ("330100", "prefecture", 2, 2), ("330106", "county", 1, 1)]


def test_unresolved_agency_loads_under_its_own_key_with_a_finding(broken_db: Path) -> None:
    agency = _rows(
        broken_db,
        "select agency_key, is_resolved, region_code, level, kind from dim_agency where agency_name = ?",
        "星海市民政局",
    )
    assert len(agency) == 1
    key, resolved, *nothing = agency[0]
    assert key.startswith("unresolved_") and resolved is False and nothing == [None, None, None]
    findings = _rows(
        broken_db,
        "select finding_code, severity, message from report_findings"
        " where source_path = 'unknown_agency_2021.txt' and finding_code like 'agency%'",
    )
    assert [(code, severity) for code, severity, _ in findings] == [("agency_unresolved", "warning")]
    assert "星海市民政局" in findings[0][2] and "resolves to no region" in findings[0][2]
    counts = _rows(broken_db, "select count(*) from fct_request_outcomes where agency_key = ?", key)
    assert counts == [(21 * 7,)]


def test_generated_reports_fail_exactly_the_rules_they_were_made_to_break(tmp_path: Path) -> None:
    """End to end on a synthetic corpus: every reconciliation failure of R1–R4 in the warehouse
    is one the generator planted (and every planted one is found), value for value."""
    from pipelines.generate.corpus import generate_corpus

    raw, truths = tmp_path / "raw", tmp_path / "truth"
    generate_corpus(80, 2024, raw, truths)
    outcome, db = _build(tmp_path, raw, strict=False)
    assert outcome.success, outcome.failures
    planted = set()
    for path in sorted(raw.iterdir()):
        truth = json.loads((truths / f"{path.stem}.json").read_text(encoding="utf-8"))
        planted |= {
            (path.name, c["rule"], c["scope"], c["expected"], c["actual"], c["difference"])
            for c in truth.get("failing_checks") or []
        }
    found = set(
        _rows(
            db,
            """select source_path, rule_id, scope_key, expected, actual, difference from reconciliation_results
               where passed = false and rule_id in ('R1', 'R2', 'R3', 'R4')""",
        )
    )
    assert len(planted) > 5
    assert found == planted


def test_generated_narratives_disagree_exactly_where_planted(tmp_path: Path) -> None:
    """R7 on a synthetic corpus: every number the narrative states is read (none from its
    sentences about another year), and R7 fails exactly where the generator planted a mismatch."""
    from pipelines.generate.corpus import generate_corpus

    raw, truths = tmp_path / "raw", tmp_path / "truth"
    generate_corpus(120, 2031, raw, truths)
    outcome, db = _build(tmp_path, raw, strict=False)
    assert outcome.success, outcome.failures
    stated, planted, agreeing = set(), set(), set()
    for path in sorted(raw.iterdir()):
        truth = json.loads((truths / f"{path.stem}.json").read_text(encoding="utf-8"))
        for fact in truth["narrative_facts"]:
            stated.add((path.name, fact["measure"], float(fact["stated"])))
            if fact["r7"] == "disagrees":
                planted.add((path.name, fact["measure"], float(fact["table"]), float(fact["stated"])))
            elif fact["r7"] == "agrees":
                agreeing.add((path.name, fact["measure"]))
    read = set(
        _rows(
            db,
            """select source_path, measure_key, stated_value from staging.stg_lake__report_narrative_facts
               join dim_report using (report_id)
               where measure_key in ('requests_received', 'requests_handled', 'reviews_total')""",
        )
    )
    failed = set(
        _rows(
            db,
            """select source_path, scope_key, expected, actual from reconciliation_results
               where rule_id = 'R7' and not passed""",
        )
    )
    passed = set(_rows(db, "select source_path, scope_key from reconciliation_results where rule_id = 'R7' and passed"))
    assert len(planted) >= 3
    assert read == stated
    assert failed == planted
    assert agreeing <= passed
    summary = dict(
        _rows(
            db,
            """select r.source_path, s.narrative_numbers_disagreeing
               from agency_year_summary as s join dim_report as r on r.report_id = s.report_id""",
        )
    )
    per_report = Counter(path for path, *_ in planted)
    assert {p: n for p, n in summary.items() if n} == {p: n for p, n in per_report.items() if p in summary}
