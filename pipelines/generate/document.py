"""A report as a layout-free document: preamble, sections, filled tables, signature.

`compose` takes every wording and cell-text decision; the renderers only lay the result out.
So all layouts of one (variant, seed) say the same thing, and a layout bug cannot change a
value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from random import Random

from pipelines.generate import narrative
from pipelines.generate.agencies import Agency
from pipelines.generate.forms import (
    HEADER,
    HEADER_WRAPS,
    LABEL,
    LABEL_WRAPS,
    REQUESTS,
    SECTION_HEADINGS,
    VALUE,
    CellKey,
    Grid,
    Slot,
    grids,
)
from pipelines.generate.narrative_facts import Stated
from pipelines.generate.printing import WRAP, CellText, blank_text, unreadable_text, value_cell
from pipelines.generate.values import Tables
from pipelines.generate.variants import Variant

BLANK = "blank"
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class SubHeading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    grid: Grid
    cells: Mapping[Slot, CellText]  # the text of every anchored slot
    page_break_before: int | None = None  # a grid row preceded by a page-number line
    page_line: str = ""


Block = Heading | SubHeading | Paragraph | Table


@dataclass(frozen=True)
class ComposedReport:
    title: tuple[str, ...]
    body: tuple[Block, ...]
    lead_blank: bool = False
    title_gap: bool = False  # a blank line between the two lines of a split title
    portal: tuple[str, ...] = ()  # portal header lines before the title
    after_title: tuple[str, ...] = ()  # portal lines under the title
    signature: tuple[str, ...] = ()
    page_number: str | None = None
    site: str = ""  # the portal's name (HTML pages)
    # what the real-publishing renderers state outside the title (a CMS fragment has none; an
    # archiver's header names the publish date)
    agency_name: str = ""
    year: int = 0
    published: dt.date | None = None


@dataclass(frozen=True)
class Words:
    """Everything `compose` needs besides the variant and the values: who, which year, the portal
    and signature lines."""

    agency: Agency
    agency_name: str  # as the title names it (with or without the city)
    year: int
    portal: tuple[tuple[str, ...], tuple[str, ...]]  # lines before the title, lines under it
    signature: tuple[str, ...]
    page_number: str | None
    site: str
    published: dt.date | None = None
    contact: str = ""  # who the overview's closing sentence names (the full name, or 本机关)
    stated: Stated | None = None  # the numbers the narrative states (narrative_facts.plan)
    plan: narrative.NarrativePlan | None = None  # the narrative's wording (its own stream; maybe copied)


def cell_texts(
    grid: Grid, printed: Tables, damage: Mapping[CellKey, str], variant: Variant, rng: Random
) -> dict[Slot, CellText]:
    """The text of every slot: labels (some wrapped), values in the variant's number style."""
    wrap_headers = variant.split_cells
    label_wraps = _pick_label_wraps(grid, variant, rng)
    splits = _pick_splits(grid, damage, variant, rng)
    out: dict[Slot, CellText] = {}
    for slot in grid.slots:
        if slot.role == VALUE:
            assert slot.key is not None
            table, row, column = slot.key
            value = printed[table][row][column]
            assert value is not None
            kind = damage.get(slot.key)
            if kind == BLANK:
                out[slot] = CellText((blank_text(rng, variant.blanks == "empty", variant.nbsp_ok),))
            elif kind == UNREADABLE:
                out[slot] = CellText((unreadable_text(value),))
            else:
                out[slot] = value_cell(value, variant.numbers, rng, variant.nbsp_ok, slot in splits)
        elif slot.role == HEADER and wrap_headers and slot.wrap_id and rng.random() < 0.8:
            out[slot] = CellText(HEADER_WRAPS[slot.wrap_id], WRAP)
        elif slot.role == LABEL and slot in label_wraps:
            assert slot.wrap_id is not None
            out[slot] = CellText(LABEL_WRAPS[slot.wrap_id], WRAP)
        else:
            out[slot] = CellText((slot.text,))
    return out


def _pick_label_wraps(grid: Grid, variant: Variant, rng: Random) -> set[Slot]:
    if not variant.wrapped_labels or grid.table != REQUESTS:
        return set()
    candidates = [s for s in grid.slots if s.role == LABEL and s.wrap_id]
    return set(rng.sample(candidates, k=min(len(candidates), rng.randint(1, 3))))


def _pick_splits(grid: Grid, damage: Mapping[CellKey, str], variant: Variant, rng: Random) -> set[Slot]:
    """A few value cells split over lines (tab text and HTML only: elsewhere it leaves no trace)."""
    if not variant.split_cells or variant.layout not in ("tab", "html", "cms_html"):
        return set()
    candidates = [s for s in grid.slots if s.role == VALUE and s.key not in damage]
    return set(rng.sample(candidates, k=min(len(candidates), rng.randint(1, 2))))


def compose(
    variant: Variant, words: Words, printed: Tables, damage: Mapping[CellKey, str], rng: Random
) -> ComposedReport:
    """The whole report, in Simplified, before layout and script conversion."""
    agency, year = words.agency, words.year
    title, title_gap = narrative.title_lines(words.agency_name, year, variant.title == "two_lines", rng)
    unnumbered = _unnumbered_sections(variant, rng)
    body: list[Block] = []
    tables = iter(grids(variant.template))
    requests = words.stated.requests if words.stated else int(printed[REQUESTS]["new_received"]["total"] or 0)
    facts = {"依申请公开": words.stated.sentences} if words.stated else None
    for number, (enumerator, heading) in enumerate(SECTION_HEADINGS, start=1):
        body.append(Heading(heading if number in unnumbered else f"{enumerator}{heading}"))
        if number == 1:
            overview = narrative.overview(
                agency, year, requests, rng, not unnumbered, words.contact, plan=words.plan, facts=facts
            )
            for kind, text in overview:
                body.append(SubHeading(text) if kind == "sub" else Paragraph(text))
        elif number in (2, 3, 4):
            grid = next(tables)
            cells = cell_texts(grid, printed, damage, variant, rng)
            page_row = rng.randint(8, grid.height - 3) if variant.page_break and number == 3 else None
            body.append(Table(grid, cells, page_row, narrative.page_number_line(rng, bare=False) if page_row else ""))
        elif number == 5:
            body += [Paragraph(t) for t in narrative.problems(agency, year, rng, plan=words.plan)]
        else:
            body += [Paragraph(t) for t in narrative.other_matters(agency, year, rng)]
    before, after = words.portal
    return ComposedReport(
        title=title,
        body=tuple(body),
        lead_blank=rng.random() < 0.3,
        title_gap=title_gap,
        portal=before,
        after_title=after,
        signature=words.signature,
        page_number=words.page_number,
        site=words.site,
        agency_name=words.agency_name,
        year=year,
        published=words.published,
    )


def _unnumbered_sections(variant: Variant, rng: Random) -> set[int]:
    """Sections printed without their number (a missing 五、 is the common case)."""
    if not variant.missing_section_numbers:
        return set()
    return {5} | set(rng.sample((1, 2, 3, 4, 6), k=rng.randint(0, 2)))
