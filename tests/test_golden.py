"""Golden tests: every value of the five seed reports, read by hand, asserted exactly."""

from __future__ import annotations

from samples import RAW, SEED_NAMES, golden

from pipelines.extract.read.report import parse_bytes
from pipelines.extract.template import expected_cells


def test_five_seeds_with_their_golden_files() -> None:
    assert len(SEED_NAMES) == 5
    for name in SEED_NAMES:
        assert len(expected_cells()) == 200
        assert sum(len(cols) for rows in golden(name)["tables"].values() for cols in rows.values()) == 200


def test_every_cell_value_and_line(seed_name: str) -> None:
    expected = golden(seed_name)
    report = parse_bytes((RAW / seed_name).read_bytes(), seed_name)
    got = {(c.table, c.row, c.column): c for c in report.cells}
    assert len(got) == len(report.cells) == 200
    for table, row, column in expected_cells():
        cell = got[(table, row, column)]
        where = f"{seed_name} {table}.{row}.{column}"
        assert cell.value == expected["tables"][table][row][column], where
        assert cell.line == expected["lines"][f"{table}.{row}.{column}"], where


def test_nested_tables_match_golden(seed_name: str) -> None:
    report = parse_bytes((RAW / seed_name).read_bytes(), seed_name)
    assert report.tables() == golden(seed_name)["tables"]


def test_metadata(seed_name: str) -> None:
    expected = golden(seed_name)
    got = parse_bytes((RAW / seed_name).read_bytes(), seed_name).as_json()
    for key in ("agency", "agency_as_written", "report_year", "published_on", "index_number", "script"):
        assert got[key] == expected[key], f"{seed_name} {key}"
    assert got["template"] == "2021"
    assert got["encoding"] == "utf-8"


def test_non_zero_values_are_where_the_reports_put_them() -> None:
    """The figures a reader sees first, spelled out so a regression reads plainly."""
    r001 = parse_bytes((RAW / SEED_NAMES[1]).read_bytes(), "001").tables()
    assert r001["active_disclosure"]["normative_documents"] == {"issued": 3, "repealed": 1, "in_force": 6}
    assert r001["requests"]["unavailable_not_held"]["natural_person"] == 1
    r002 = parse_bytes((RAW / SEED_NAMES[2]).read_bytes(), "002").tables()
    assert r002["requests"]["new_received"] == {
        "natural_person": 4,
        "commercial_enterprise": 1,
        "research_institution": 0,
        "social_welfare_org": 1,
        "legal_service_org": 0,
        "other_org": 0,
        "total": 6,
    }
    assert r002["requests"]["granted"]["natural_person"] == 3
    assert r002["requests"]["unavailable_not_held"]["total"] == 4
    assert r002["requests"]["total_handled"]["total"] == 7
    r004 = parse_bytes((RAW / SEED_NAMES[4]).read_bytes(), "004").tables()
    assert r004["active_disclosure"]["administrative_licensing"]["decisions"] == 5
    assert r004["active_disclosure"]["normative_documents"] == {"issued": 1, "repealed": 2, "in_force": 1}


def test_seed_findings_and_status() -> None:
    """The seeds are clean: the only findings are the two reports that state no date."""
    for name in SEED_NAMES:
        report = parse_bytes((RAW / name).read_bytes(), name)
        codes = [f.code for f in report.findings]
        if golden(name)["published_on"] is None:
            assert codes == ["publish_date_not_found"], name
        else:
            assert codes == [], name
        assert report.status == "ok", name


def test_split_cell_in_seed_000_is_one_cell() -> None:
    report = parse_bytes((RAW / SEED_NAMES[0]).read_bytes(), SEED_NAMES[0])
    cell = next(c for c in report.cells if (c.row, c.column) == ("other_unpaid_fee", "total"))
    assert cell.text == "\xa0\n\n0"
    assert (cell.value, cell.line) == (0, 327)


def test_sections_found_even_unnumbered(seed_name: str) -> None:
    report = parse_bytes((RAW / seed_name).read_bytes(), seed_name)
    assert [s.number for s in report.sections] == [0, 1, 2, 3, 4, 5, 6]
    assert all(s.text for s in report.sections[1:])


def test_section_headings_as_written() -> None:
    r004 = parse_bytes((RAW / SEED_NAMES[4]).read_bytes(), "004")
    assert r004.sections[5].heading == "存在的主要问题及改进情况"  # printed without 五、
    assert r004.sections[5].line == 418
    r003 = parse_bytes((RAW / SEED_NAMES[3]).read_bytes(), "003")
    assert r003.sections[4].heading == "四、政府信息公開行政複議、行政訴訟情況"
    assert "本年度我局未收取信息處理費" in r003.sections[6].text
