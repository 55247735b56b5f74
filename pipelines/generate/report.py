"""One generated report: bytes, a file name and the ground truth, from (variant, seed).

Pure: the same (variant, rng_seed) gives the same bytes on any machine (one `random.Random`
seeded with an int, no set or hash ordering, no clock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from random import Random
from typing import Any

from pipelines.generate import narrative, narrative_facts
from pipelines.generate.agencies import Agency, Drawn, Printed, draw_agency, printed_name
from pipelines.generate.document import BLANK, UNREADABLE, Words, compose
from pipelines.generate.encode import encode, html_charset, to_script
from pipelines.generate.forms import CellKey, cell_keys
from pipelines.generate.oracle import undecidable_glued, undecidable_ordered
from pipelines.generate.printing import THOUSANDS
from pipelines.generate.render import render, render_published
from pipelines.generate.rules import Broken, break_rule
from pipelines.generate.script import to_simplified
from pipelines.generate.values import LARGE_SCALE, SMALL_SCALE, Number, Tables, make_tables
from pipelines.generate.variants import ARCHIVE_GLUED, CMS_HTML, HTML, TRADITIONAL, Variant, report_years

FINDING_CODES = {BLANK: "cell_blank", UNREADABLE: "cell_unreadable"}


@dataclass(frozen=True)
class Generated:
    data: bytes
    name: str  # content-addressed, with the layout's extension (.txt or .html)
    text: str  # what `data` decodes to with the variant's encoding
    truth: dict[str, Any]  # JSON-ready (ints, floats for amounts, None for blank cells)
    # `text`: what `data` decodes to with the variant's encoding; for a PDF, the strings drawn
    agency: Agency | None = None  # who reports (for a copier of this report's text)


PREVIOUS_YEAR = "previous_year"
OTHER_AGENCY = "other_agency"


@dataclass(frozen=True)
class Copy:
    """A planted copy: the report takes the narrative of `sections` (1 总体情况, 5 存在的主要问题)
    from a source report, a share of its sentences replaced (`edit_share`), its own names and
    numbers filled in. `previous_year`: the source is the same agency's report on the year
    before; `other_agency`: another agency's on the same year."""

    kind: str
    source_seed: int  # the source's rng_seed: its wording is drawn from Random(f"narrative:{seed}")
    source: str  # the source's name in its corpus (file stem), for the truth
    agency: Agency  # the source's agency (the copier's own for previous_year; one to avoid otherwise)
    year: int  # the copier's year
    sections: tuple[int, ...]
    edit_share: float
    rng_seed: int  # draws which sentences are replaced


def _choose_damage(variant: Variant, tables: Tables, broken: Broken | None, rng: Random) -> dict[CellKey, str]:
    """Blank or unreadable cells, kept out of the checks a broken rule must fail (a blank there
    would make the failure not assessable)."""
    if variant.blanks == "none":
        return {}
    protected = {cell for check in broken.failing for cell in check.cells} if broken else set()
    keys = [k for k in cell_keys(variant.template) if k not in protected]
    if variant.blanks == "unreadable":
        readable = [k for k in keys if tables[k[0]][k[1]][k[2]] in (0, 1)]
        return {rng.choice(readable): UNREADABLE}
    chosen = rng.sample(keys, k=rng.randint(1, 3))
    return {k: BLANK for k in keys if k in chosen}


def _json_number(value: Number | None) -> int | float | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def truth_tables(tables: Tables, damage: dict[CellKey, str], template: str) -> dict[str, Any]:
    """Every cell of the template version, nested table → row → column; null where damaged."""
    out: dict[str, Any] = {}
    for key in cell_keys(template):
        table, row, column = key
        value = None if key in damage else _json_number(tables[table][row][column])
        out.setdefault(table, {}).setdefault(row, {})[column] = value
    return out


def _printable(variant: Variant, texts: tuple[str, ...]) -> bool:
    """The agency's names survive the variant's script and encoding: Traditional converts back to
    the same Simplified (OpenCC writes 濬縣 for 浚县, which reads back as 濬县), and Big5 holds
    every character (it has no 鲅 nor 畲)."""
    if variant.script != TRADITIONAL and variant.encoding in ("utf-8", "utf-8-sig", "gb18030", "utf-16"):
        return True
    for text in texts:
        written = to_script(text, variant.script, variant.slips, variant.encoding)
        if variant.script == TRADITIONAL and to_simplified(written) != text:
            return False
        try:
            written.encode(variant.encoding)
        except UnicodeEncodeError:
            return False
    return True


def pick_printed(variant: Variant, year: int, rng: Random, avoid: str = "") -> Printed:
    """The report's agency and its name as printed, drawn again while the variant cannot print it
    (or while it is the agency named `avoid`)."""
    while True:
        drawn = draw_agency(rng, year, variant.agency_with_city)
        if drawn.agency.full_name == avoid:
            continue
        printed = printed_name(drawn, year, variant.agency_with_city, variant.layout != CMS_HTML, rng)
        agency = printed.agency
        if _printable(variant, (printed.name, agency.full_name, agency.with_province, agency.short_name)):
            return printed


def _copier_printed(variant: Variant, copy: Copy, rng: Random) -> Printed | None:
    """A previous-year copier's name: the source's agency, printed its own way; None when the
    variant cannot print it."""
    printed = printed_name(
        Drawn(copy.agency, False), copy.year, variant.agency_with_city, variant.layout != CMS_HTML, rng
    )
    agency = printed.agency
    if _printable(variant, (printed.name, agency.full_name, agency.with_province, agency.short_name)):
        return printed
    return None


def generate_report(variant: Variant, rng_seed: int, copy: Copy | None = None) -> Generated:
    """A report and its truth. Everything random is drawn from `Random(rng_seed)`, the narrative's
    wording from `Random(f"narrative:{rng_seed}")`. With `copy`, the report copies its narrative
    from a source (its truth's `copied_sections` says what); when the variant cannot print the
    copier (a name Big5 lacks), it is the report without the copy."""
    rng = Random(rng_seed)
    year = rng.choice(report_years(variant.template))
    if copy is not None:
        year = copy.year
    if copy is not None and copy.kind == PREVIOUS_YEAR:
        copier = _copier_printed(variant, copy, rng)
        if copier is None:
            return generate_report(variant, rng_seed)
        printed = copier
    else:
        printed = pick_printed(variant, year, rng, avoid=copy.agency.full_name if copy else "")
    agency, agency_name = printed.agency, printed.name
    plan = narrative.draw_plan(Random(f"narrative:{rng_seed}"))
    copied: list[dict[str, Any]] = []
    if copy is not None:
        source_plan = narrative.draw_plan(Random(f"narrative:{copy.source_seed}"))
        plan, edits = narrative.copy_plan(plan, source_plan, copy.sections, copy.edit_share, Random(copy.rng_seed))
        copied = [
            {
                "section_no": section,
                "kind": copy.kind,
                "source": copy.source,
                "source_seed": copy.source_seed,
                "edit_share": copy.edit_share,
                "sentences_replaced": replaced,
                "sentences": total,
            }
            for section, (replaced, total) in sorted(edits.items())
        ]
    # the overview's closing sentence names the agency in full where the printed name leaves its
    # place open (as the signature does), and in half the other reports
    contact = agency.full_name if printed.needs_full_in_text or rng.random() < 0.5 else "本机关"
    scale = LARGE_SCALE if variant.numbers == THOUSANDS else SMALL_SCALE
    tables = make_tables(variant.template, rng, profile=agency.profile, scale=scale, decimal_fees=variant.decimal_fees)
    broken: Broken | None = None
    if variant.break_rule:
        tables, broken = break_rule(tables, variant.template, variant.break_rule, rng)
    damage = _choose_damage(variant, tables, broken, rng)

    published = narrative.publish_date(agency, year, rng)
    index = narrative.index_number(year, rng, agency.region_code) if variant.portal_header else None
    portal = narrative.portal_lines(agency, index, published, rng) if index else ((), ())
    signed = published - dt.timedelta(days=rng.randint(0, 3))
    cn_date = variant.encoding != "big5" and rng.random() < 0.15  # 〇 is not in Big5
    signature = narrative.signature_lines(agency, signed, rng, cn_date) if variant.footer else ()
    page_number = narrative.page_number_line(rng) if variant.footer and variant.layout != HTML else None
    site = narrative.site_name(agency)
    stated = narrative_facts.plan(tables, damage, year, Random(f"narrative-facts:{rng_seed}"))
    words = Words(
        agency, agency_name, year, portal, signature, page_number, site, published, contact, stated=stated, plan=plan
    )

    document = compose(variant, words, tables, damage, rng)
    script = (variant.script, variant.slips, variant.encoding)
    truth_values = truth_tables(tables, damage, variant.template)
    undecidable: list[str] = []
    if variant.real_publishing:
        out = render_published(document, variant, rng, lambda t: to_script(t, *script))
        text = out.text
        data = out.data if out.data is not None else encode(text, variant.encoding)
        if out.glued:
            undecidable = undecidable_glued(out.glued, variant.template)
        elif out.ordered:
            undecidable = undecidable_ordered(out.ordered, truth_values, variant.template)
    else:
        text = to_script(render(document, variant, rng, html_charset(variant.encoding)), *script)
        data = encode(text, variant.encoding)
    dated = variant.portal_header or variant.layout == ARCHIVE_GLUED  # the archiver's 发布时间
    published_on = published if dated else (signed if variant.footer else None)
    truth = {
        "agency": agency_name,
        "agency_as_written": to_script(agency_name, *script),
        "agency_full_name": agency.full_name,
        # what resolving the printed name must give (see agencies.py: the key contract)
        "agency_resolved": agency.expected(),
        "agency_findings": ["agency_name_corrected"] if printed.slipped else [],
        "report_year": year,
        "published_on": published_on.isoformat() if published_on else None,
        "index_number": index,
        "title": None if variant.layout == CMS_HTML else to_script("".join(document.title), *script),
        "template": variant.template,
        "script": variant.script,
        "encoding": variant.encoding,
        "format": variant.format,
        "variant": variant.as_dict(),
        "rng_seed": rng_seed,
        "tables": truth_values,
        # cells no reading of the rendered text decides (see oracle.py): the parser may give the
        # value or null with a `cell_ambiguous` finding
        "undecidable": undecidable,
        "expected_findings": [
            {"code": FINDING_CODES[kind], "table": k[0], "row": k[1], "column": k[2]} for k, kind in damage.items()
        ],
        "broken_rule": broken.as_dict() if broken else None,
        "failing_checks": [c.as_dict() for c in broken.failing] if broken else [],
        # the numbers the narrative states about table cells, and what R7 must say of each
        "narrative_facts": stated.truth,
        # narrative sections planted as copies of another report's (see corpus.py): none in most
        "copied_sections": copied,
    }
    name = hashlib.sha256(data).hexdigest()[:16] + variant.extension
    return Generated(data=data, name=name, text=text, truth=truth, agency=agency)


def truth_json(truth: dict[str, Any]) -> str:
    """The truth file's text: UTF-8 JSON, keys sorted, so equal truths are equal bytes."""
    return json.dumps(truth, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
