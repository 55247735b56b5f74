"""The synthetic report generator: deterministic, valid for every variant, and read back by the
parser to exactly its ground truth (the round trip, marked `roundtrip`).

The round trips here cover the classic layouts; the real-publishing layouts have theirs, and
the checks of their renderings and of the oracle of undecidable cells, in
test_real_publishing_generated.py."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import opencc
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from pipelines.extract.read.report import parse_bytes
from pipelines.generate import Variant, all_variants, generate_corpus, generate_report, variants_strategy
from pipelines.generate.agencies import MUNICIPALITIES, draw_agency, printed_name
from pipelines.generate.cli import main
from pipelines.generate.compare import RIGHT, UNRESOLVED, WRONG, differences, resolution_outcome
from pipelines.generate.corpus import corpus_entry
from pipelines.generate.encode import to_script
from pipelines.generate.forms import AMOUNT_CELLS, TEMPLATE_2019, TEMPLATE_2021, cell_keys
from pipelines.generate.report import truth_json
from pipelines.generate.rules import checks
from pipelines.generate.variants import (
    ARCHIVE_GLUED,
    CLASSIC_LAYOUTS,
    CMS_HTML,
    ENCODINGS,
    LAYOUTS,
    RULED_PDF,
    SCRIPTS,
    TRADITIONAL,
)

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = all_variants()
CLASSIC = [v for v in VARIANTS if v.layout in CLASSIC_LAYOUTS]
CELLS = {TEMPLATE_2021: 200, TEMPLATE_2019: 198}  # 10 + 175 + 15; 22 + 161 + 15


t2s = opencc.OpenCC("t2s").convert


def _id(v: Variant) -> str:
    base = Variant(template=v.template, layout=v.layout)
    changed = [f"{k}={val}" for k, val in v.as_dict().items() if getattr(base, k) != val]
    return "-".join([v.template, v.layout, *changed])


def _cells(tables: dict) -> dict[tuple[str, str, str], object]:
    return {(t, r, c): v for t, rows in tables.items() for r, cols in rows.items() for c, v in cols.items()}


# --- determinism ---------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    variant = Variant(layout="paragraph", numbers="padded", blanks="marker", footer=True)
    first, again, other = generate_report(variant, 11), generate_report(variant, 11), generate_report(variant, 12)
    assert (first.data, first.name, first.truth) == (again.data, again.name, again.truth)
    assert other.data != first.data
    assert other.name != first.name


def test_corpus_is_byte_identical_for_the_same_seed(tmp_path: Path) -> None:
    a = generate_corpus(25, 3, tmp_path / "a")
    b = generate_corpus(25, 3, tmp_path / "b")
    c = generate_corpus(25, 4, tmp_path / "c")
    assert [p.name for p in a] == [p.name for p in b]
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
    assert {p.name for p in a}.isdisjoint(p.name for p in c)
    assert len(list((tmp_path / "a").iterdir())) == 50  # every report has its truth beside it
    for path in a:
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert truth["format"] == ("html" if path.suffix == ".html" else "text")
        assert truth["undecidable"] == []  # nothing a classic layout prints is left open


def test_real_publishing_corpus_is_opt_in_and_deterministic(tmp_path: Path) -> None:
    """The default corpus samples the classic layouts only (its bytes are those of corpora made
    before the real-publishing layouts existed); `real_publishing` adds them, deterministically."""
    plain = [corpus_entry(3, i)[0].layout for i in range(300)]
    assert set(plain) <= set(CLASSIC_LAYOUTS)
    a = generate_corpus(60, 3, tmp_path / "a", real_publishing=True)
    b = generate_corpus(60, 3, tmp_path / "b", real_publishing=True)
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    mixed = [corpus_entry(3, i, real_publishing=True)[0].layout for i in range(600)]
    assert set(mixed) == set(LAYOUTS) - {RULED_PDF}  # reportlab is a dev dependency: no PDFs sampled
    assert 0.1 < sum(layout not in CLASSIC_LAYOUTS for layout in mixed) / len(mixed) < 0.3


def test_corpus_does_not_depend_on_hash_randomisation(tmp_path: Path) -> None:
    """Set or dict ordering of strings must not leak into the bytes (PYTHONHASHSEED differs)."""
    code = (
        "import sys; from pathlib import Path; from pipelines.generate import generate_corpus; "
        "generate_corpus(8, 5, Path(sys.argv[1]))"
    )
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / hash_seed)], check=True, cwd=ROOT, env=env)
    one, two = sorted((tmp_path / "1").iterdir()), sorted((tmp_path / "2").iterdir())
    assert [p.name for p in one] == [p.name for p in two]
    assert all(p.read_bytes() == q.read_bytes() for p, q in zip(one, two, strict=True))


# --- every variant -------------------------------------------------------------------------


def test_the_matrix_covers_every_value_of_every_dimension() -> None:
    seen: dict[str, set[object]] = {f.name: set() for f in dataclasses.fields(Variant)}
    for v in VARIANTS:
        for key, value in v.as_dict().items():
            seen[key].add(value)
    assert seen["layout"] == set(LAYOUTS)
    assert seen["encoding"] == set(ENCODINGS)
    assert seen["script"] == set(SCRIPTS)
    assert seen["template"] == {TEMPLATE_2021, TEMPLATE_2019}
    assert seen["break_rule"] == {None, "R1", "R2", "R3", "R4"}
    assert seen["blanks"] == {"none", "empty", "marker", "unreadable"}
    assert seen["numbers"] == {"plain", "padded", "fullwidth", "thousands"}
    assert all(len(values) > 1 for values in seen.values()), seen
    assert len(set(VARIANTS)) == len(VARIANTS)


@pytest.mark.parametrize("variant", VARIANTS, ids=_id)
def test_every_variant_renders_with_a_complete_consistent_truth(variant: Variant) -> None:
    for seed in (0, 1):
        g = generate_report(variant, seed)
        truth = g.truth
        cells = _cells(truth["tables"])
        assert len(cells) == CELLS[variant.template]
        assert list(cells) == cell_keys(variant.template)

        # blank and unreadable cells are null and expected as findings; nothing else is null
        nulls = sorted(k for k, v in cells.items() if v is None)
        expected = sorted((f["table"], f["row"], f["column"]) for f in truth["expected_findings"])
        assert nulls == expected
        codes = {f["code"] for f in truth["expected_findings"]}
        wanted = {"none": set(), "empty": {"cell_blank"}, "marker": {"cell_blank"}, "unreadable": {"cell_unreadable"}}
        assert codes == wanted[variant.blanks]
        for key, value in cells.items():
            if value is not None and key not in AMOUNT_CELLS:
                assert type(value) is int, (key, value)
                assert value >= 0 or key[2] == "items_change", (key, value)

        # the bytes are the text in the named encoding (a PDF's text is what it draws); a BOM
        # where the encoding has one
        if variant.format == "pdf":
            assert g.data.startswith(b"%PDF-")
        else:
            assert g.data.decode(variant.encoding) == g.text
        assert g.data.startswith(b"\xef\xbb\xbf") == (variant.encoding == "utf-8-sig")
        assert g.data[:2] in (b"\xff\xfe", b"\xfe\xff") if variant.encoding == "utf-16" else True
        if variant.encoding in ("gb18030", "big5"):
            assert "\xa0" not in g.text
        assert g.name.endswith(variant.extension)
        assert (truth["template"], truth["encoding"], truth["script"]) == (
            variant.template,
            variant.encoding,
            variant.script,
        )
        assert truth["variant"] == variant.as_dict()
        assert truth["agency_as_written"] in g.text.replace("\n", "").replace("<br>", "").replace(" ", "")
        assert t2s(truth["agency_as_written"]) == truth["agency"]
        assert truth["report_year"] in ((2019, 2020) if variant.template == TEMPLATE_2019 else (2021, 2022, 2023, 2024))
        if truth["published_on"]:
            assert truth["published_on"][:4] == str(truth["report_year"] + 1)
            assert truth["published_on"][5:7] in ("01", "02", "03", "04")
        dated = variant.portal_header or variant.footer or variant.layout == ARCHIVE_GLUED  # the archiver's 发布时间
        assert (truth["published_on"] is None) == (not dated)
        assert (truth["title"] is None) == (variant.layout == CMS_HTML)  # a CMS fragment has no title
        # cells no reading decides: only where cells are glued or printed away from their labels
        assert set(truth["undecidable"]) <= {".".join(k) for k in cell_keys(variant.template)}
        if variant.layout not in (ARCHIVE_GLUED, "reading_order"):
            assert truth["undecidable"] == []
        if variant.layout == "html":
            assert g.text.startswith("<!DOCTYPE html>")
            charset = "utf-8" if variant.encoding == "utf-8-sig" else variant.encoding
            assert re.search(rf"<meta[^>]*charset={charset}\b|<meta charset=\"{charset}\"", g.text)
        assert json.loads(truth_json(truth)) == truth


@pytest.mark.parametrize("variant", VARIANTS, ids=_id)
def test_values_reconcile_unless_a_rule_is_broken(variant: Variant) -> None:
    for seed in (0, 1, 2):
        truth = generate_report(variant, seed).truth
        failing = [c.as_dict() for c in checks(truth["tables"], variant.template) if c.passed is False]
        for f in failing:
            del f["expected"], f["actual"]
        stated = [{k: f[k] for k in ("rule", "scope", "difference")} for f in truth["failing_checks"]]
        assert failing == stated
        if variant.break_rule is None:
            assert truth["broken_rule"] is None
            assert failing == []
        else:
            broken = truth["broken_rule"]
            assert broken["rule"] == variant.break_rule
            assert broken["difference"] != 0
            assert {"rule": broken["rule"], "scope": broken["scope"], "difference": broken["difference"]} in stated
            if variant.break_rule == "R4":
                assert len(stated) == 1  # a group total is in no other check


# --- the matrix's rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"encoding": "big5"},  # Big5 holds Traditional text only
        {"slips": True},
        {"layout": "paragraph", "blanks": "empty"},  # an empty cell leaves no trace there
        {"layout": "spaced", "blanks": "empty"},
        {"layout": "spaced", "split_cells": True},
        {"layout": "spaced", "wrapped_labels": True},
        {"layout": "html", "page_break": True},
        {"layout": "docx"},
        {"break_rule": "R9"},
        # the real-publishing layouts come as published, and refuse what their class cannot show
        {"layout": "pdf_layout", "encoding": "gb18030"},
        {"layout": "pdf_layout", "wrapped_labels": True},  # a PDF wraps labels by their cell's width
        {"layout": "reading_order", "blanks": "empty"},
        {"layout": "cms_html", "portal_header": True},  # the fragment is the article body only
        {"layout": "cms_html", "title": "two_lines"},  # and has no title
        {"layout": "cms_html", "page_break": True},
        {"layout": "archive_glued", "numbers": "padded"},
        {"layout": "archive_glued", "blanks": "marker"},
        {"layout": "archive_glued", "break_rule": "R2"},  # glued cells are split by the rules
        {"layout": "converter_md", "blanks": "empty"},  # the converter pads rows with empty cells
        {"layout": "ruled_pdf", "page_break": True},  # table 3 always breaks across pages there
    ],
)
def test_invalid_variants_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError, match="invalid variant"):
        Variant(**kwargs)


# --- agencies ----------------------------------------------------------------------------------


def _draws(n: int, with_city: bool = True, year: int = 2023):
    from random import Random

    rng = Random(5)
    for _ in range(n):
        drawn = draw_agency(rng, year, with_city)
        yield drawn, printed_name(drawn, year, with_city, True, rng)


def test_agencies_come_from_the_whole_country_at_every_level_and_kind() -> None:
    from pipelines.reference.regions import by_code

    provinces, levels, kinds = Counter(), Counter(), Counter()
    for drawn, _printed in _draws(3000):
        agency = drawn.agency
        provinces[agency.region_code[:2]] += 1
        levels[agency.level] += 1
        kinds[agency.kind] += 1
        # the expectation follows from what was drawn: a division in force that year, the key contract
        (record,) = [r for r in by_code(agency.region_code, 2023) if r.valid_to is None or r.valid_to > 2023]
        township = f"_t{agency.agency_key.split('_t')[1][:6]}" if agency.township else ""
        zone = f"_z{agency.agency_key.split('_z')[1][:6]}" if agency.zone else ""
        assert agency.agency_key == f"ag_{agency.region_code}{township}{zone}_{agency.slug}"
        if agency.township:
            assert (agency.level, record.level, agency.kind) == ("township", "county", "government")
        elif record.level == "province" or agency.region_code in MUNICIPALITIES:
            assert agency.level == "province"
        else:
            assert agency.level == record.level
        assert agency.full_name.endswith(agency.local)
    assert len(provinces) == 31 and not set(provinces) & {"71", "81", "82"}  # mainland only
    assert set(levels) == {"province", "prefecture", "county", "township"}
    assert set(kinds) == {"government", "government_office", "department", "special_zone"}
    assert levels["county"] > levels["prefecture"] > levels["province"]


def test_agencies_without_the_city_are_below_one() -> None:
    for drawn, printed in _draws(300, with_city=False):
        agency = drawn.agency
        assert agency.level in ("county", "township") and agency.city
        assert agency.city not in printed.name


def test_printed_names_vary_as_real_reports_print_them() -> None:
    """Full, with the province, without the city, a level word, an abbreviated department, the
    abbreviation in brackets, a look-alike slipped into a place; where the name leaves the place
    open, the report's text must name the agency in full."""
    import csv

    from pipelines import paths

    seeds = paths.DBT_PROJECT_DIR / "seeds"
    with (seeds / "lookalike_characters.csv").open(encoding="utf-8") as handle:
        pairs = {(row["printed"], row["intended"]) for row in csv.DictReader(handle)}
    forms = Counter()
    for drawn, printed in [*_draws(2000), *_draws(500, with_city=False)]:
        agency, name = drawn.agency, printed.name
        if printed.slipped:
            forms["slip"] += 1
            assert printed.needs_full_in_text and len(name) == len(printed.intended)
            differ = [(a, b) for a, b in zip(name, printed.intended, strict=True) if a != b]
            assert len(differ) == 1 and differ[0] in pairs, (name, agency.full_name)
        elif name in (agency.full_name, agency.with_province):
            forms["province" if name != agency.full_name else "full"] += 1
        elif name.endswith(")"):
            forms["brackets"] += 1
        elif agency.level_word and name.startswith(agency.level_word) and agency.places[-1] not in name:
            forms["level word"] += 1
            assert printed.needs_full_in_text
        elif name == agency.without_city:
            forms["without city"] += 1
        else:
            forms["abbreviated"] += 1
    assert set(forms) == {"full", "province", "without city", "level word", "abbreviated", "brackets", "slip"}, forms
    assert forms["full"] > forms["slip"]


def test_a_name_that_leaves_its_place_open_is_named_in_full_in_the_text() -> None:
    """A county's name two counties bear (朝阳区), printed without its city, needs the text to
    name the city; and the report does name the agency in full then."""
    from pipelines.reference.regions import by_name

    shared = 0
    for drawn, printed in _draws(1500, with_city=False):
        place = drawn.agency.places[-1]
        if printed.name.startswith(place) and len(by_name(place, 2023)) > 1:
            shared += 1
            assert printed.needs_full_in_text, printed
    assert shared > 5
    for seed in range(300):
        g = generate_report(Variant(agency_with_city=False), seed)
        place = g.truth["agency_full_name"].removesuffix(g.truth["agency"])
        if place and not g.truth["agency_findings"] and len(by_name(g.truth["agency"][:3], 2023)) > 1:
            assert g.truth["agency_full_name"] in g.text


def test_every_agency_name_survives_traditional_and_back() -> None:
    for variant in (Variant(script=TRADITIONAL, slips=True), Variant(script=TRADITIONAL, encoding="big5")):
        for seed in range(150):
            g = generate_report(variant, seed)
            g.data.decode(variant.encoding)
            assert t2s(g.truth["agency_as_written"]) == g.truth["agency"]
            assert to_script(g.truth["agency_full_name"], TRADITIONAL, variant.slips) in g.text or not variant.footer


def test_a_wrong_or_missing_resolution_is_a_difference() -> None:
    g = generate_report(Variant(), 3)
    parsed = parse_bytes(g.data, g.name).as_json()
    assert resolution_outcome(g.truth, parsed) == RIGHT
    assert not differences(g.truth, parsed)
    elsewhere = json.loads(json.dumps(parsed))
    elsewhere["agency_resolved"]["region_code"] = "110101"
    assert resolution_outcome(g.truth, elsewhere) == WRONG
    assert any(d.startswith("agency_resolved.region_code") for d in differences(g.truth, elsewhere))
    elsewhere["agency_resolved"] = {"key": "unresolved_x", "region_code": None, "level": None, "kind": None}
    assert resolution_outcome(g.truth, elsewhere) == UNRESOLVED


def test_keys_are_the_parsers_contract() -> None:
    from pipelines.extract.template import expected_cells

    for template in (TEMPLATE_2021, TEMPLATE_2019):
        assert cell_keys(template) == expected_cells(template)


def test_values_look_like_real_reports() -> None:
    zeros = total = 0
    busiest = 0
    for seed in range(60):
        truth = generate_report(Variant(), seed).truth
        values = [v for v in _cells(truth["tables"]).values() if isinstance(v, int)]
        zeros += sum(v == 0 for v in values)
        total += len(values)
        busiest = max(busiest, truth["tables"]["requests"]["new_received"]["total"])
    assert zeros / total > 0.6  # most cells of most reports are 0
    assert busiest >= 100  # and some agencies receive hundreds of requests

    text = generate_report(Variant(numbers="thousands"), 1).text
    assert re.search(r"\d,\d{3}", text)
    fees = generate_report(Variant(decimal_fees=True), 2).truth["tables"]["active_disclosure"]
    assert isinstance(fees["administrative_fees"]["amount"], float)


@pytest.mark.parametrize(
    ("variant", "pattern"),
    [
        (Variant(numbers="fullwidth"), r"\t[０-９]"),
        (Variant(numbers="padded", encoding="utf-8"), r"\t(?:\xa0|\u3000| )\d|\t\d(?:\xa0| )"),
        (Variant(split_cells=True), r"\t\xa0\n\n\d|\t商业\n企业|\t结果\n"),
        (Variant(wrapped_labels=True), r"\t[^\n]+\n[^\t\n]+\n\t"),
        (Variant(script=TRADITIONAL, slips=True), "行政強製"),
        (Variant(script=TRADITIONAL), "政府信息公開"),
        (Variant(layout="pipe"), r"\n\| 规章 \| \d+ \| \d+ \| \d+ \|\n"),
        (Variant(layout="pipe"), r"\n\|---\|---\|---\|---\|\n"),
        (Variant(layout="spaced"), r"\n规章 +\d+ +\d+ +\d+\n"),
        (Variant(layout="spaced"), r"\n（三）不予公开 +1\.属于国家秘密( +\d+){7}\n"),
        (Variant(layout="html"), r'<td rowspan="8">(<p>)?（三）不予公开'),
        (Variant(layout="html"), r'<td colspan="7">(<p>)?申请人情况'),
        (Variant(portal_header=True), r"索引号[:：] ?\d{9}/\d{4}-\d{5}"),
        (Variant(footer=True), r"\d{4}年\d{1,2}月\d{1,2}日|〇"),
        (Variant(title="two_lines"), r"^\n?[^\n]+局\n\n?(?:\d{4}年度?)?政府信息公开工作年度报告|^\n?[^\n]+年度\n"),
        (Variant(missing_section_numbers=True), r"\n存在的主要问题及改进情况\n"),
        (Variant(layout="tab", page_break=True), r"\n(?:- ?\d ?-|— \d —|第\d页)\n\n\f\t"),
    ],
    ids=lambda x: x if isinstance(x, str) else _id(x),
)
def test_oddities_are_printed_as_real_reports_print_them(variant: Variant, pattern: str) -> None:
    texts = [generate_report(variant, seed).text for seed in range(8)]
    assert any(re.search(pattern, t) for t in texts), pattern


def test_blanks_in_one_cell_per_paragraph_are_markers() -> None:
    """With one cell per paragraph an empty cell leaves no trace, so a blank is `-`, `—`, `/`, `无`."""
    for seed in range(10):
        g = generate_report(Variant(layout="paragraph", blanks="marker"), seed)
        body = g.text[g.text.index("二、主动公开") : g.text.index("五、存在")]
        markers = [line for line in body.split("\n") if line.strip() in ("-", "—", "/", "无")]
        assert len(markers) == len(g.truth["expected_findings"]) >= 1


# --- command line --------------------------------------------------------------------------


def test_cli_writes_a_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--n", "3", "--seed", "9", "--out", str(tmp_path / "raw"), "--truth-out", str(tmp_path / "t")]) == 0
    assert len(list((tmp_path / "raw").iterdir())) == 3
    assert len(list((tmp_path / "t").glob("*.json"))) == 3
    assert "3 reports" in capsys.readouterr().out
    (tmp_path / "file").write_text("x")
    assert main(["--n", "1", "--out", str(tmp_path / "file")]) == 2
    with pytest.raises(SystemExit):
        main(["--n", "-1", "--out", str(tmp_path / "raw")])


# --- round trip ----------------------------------------------------------------------------


@pytest.mark.roundtrip
@settings(max_examples=int(os.environ.get("GENERATE_EXAMPLES", "2000")), deadline=None, derandomize=True)
@given(variant=variants_strategy(layouts=CLASSIC_LAYOUTS), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_parser_reads_back_every_generated_report(variant: Variant, seed: int) -> None:
    generated = generate_report(variant, seed)
    note(f"variant={variant!r} seed={seed} name={generated.name}")
    parsed = parse_bytes(generated.data, generated.name).as_json()
    problems = differences(generated.truth, parsed)
    assert not problems, (
        f"generate_report({variant!r}, {seed}) read back wrongly "
        f"({len(problems)} differences): " + "; ".join(problems[:8])
    )


@pytest.mark.roundtrip
@pytest.mark.parametrize("variant", CLASSIC, ids=_id)
def test_every_variant_of_the_matrix_round_trips(variant: Variant) -> None:
    """The matrix, deterministically: one pass/fail per variant (hypothesis stops at the first)."""
    for seed in range(3):
        generated = generate_report(variant, seed)
        problems = differences(generated.truth, parse_bytes(generated.data, generated.name).as_json())
        assert not problems, f"generate_report({variant!r}, {seed}): " + "; ".join(problems[:8])


# Reports the parser once misread, found by bench/roundtrip_accuracy.py: kept as regressions.
FOUND_BY_THE_ACCURACY_BENCH = [
    # 2019 table 2 as a Markdown grid: `| 行政事业性收费 |  | 0 |  |` is a blank, a 0 and a filler
    # (the filler was taken for the blank, shifting the 0 into the wrong column). Found with seed
    # 1273111579318251048; since the agencies are drawn nationally, seed 651 prints that line.
    (
        Variant(template=TEMPLATE_2019, layout="pipe", blanks="empty", split_cells=True, footer=True),
        651,
    ),
]


@pytest.mark.parametrize(("variant", "seed"), FOUND_BY_THE_ACCURACY_BENCH)
def test_reports_once_misread_round_trip(variant: Variant, seed: int) -> None:
    generated = generate_report(variant, seed)
    assert "| 行政事业性收费 |  | 0 |  |" in generated.text  # the case is still generated
    problems = differences(generated.truth, parse_bytes(generated.data, generated.name).as_json())
    assert not problems, "; ".join(problems[:8])


def test_no_generated_report_is_rejected() -> None:
    """Whatever the parser still misreads, every generated file is recognised as a report."""
    statuses = Counter(parse_bytes(generate_report(v, 0).data, "x").status for v in CLASSIC[::7])
    assert statuses["rejected"] == 0, statuses
