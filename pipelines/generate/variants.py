"""The variant matrix: every way a generated report can differ from another, as data.

A `Variant` fixes the structural choices (template, layout, script, encoding, oddities); the
rng seed fixes the rest (agency, values, wording). Invalid combinations (Big5 Simplified text,
an empty cell in a layout where it leaves no trace) are refused at construction, so every
variant that exists can be rendered and parsed back.

Two families of layouts: the classic ones (how the Hangzhou seed reports were exported) and the
real-publishing ones, each imitating a class of real files (`pdftotext -layout` and reading-order
text of a PDF, a portal CMS fragment, a web archiver's glued text, a PDF converter's Markdown, a
PDF with ruled tables). The latter come as published: UTF-8, and each refuses the oddities its
class cannot show (see `_problems`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from random import Random
from typing import TYPE_CHECKING, Any

from pipelines.generate.forms import TEMPLATE_2019, TEMPLATE_2021, TEMPLATES
from pipelines.generate.printing import NUMBER_STYLES, PLAIN
from pipelines.generate.rules import RULES

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

TAB = "tab"
PARAGRAPH = "paragraph"
PIPE = "pipe"
SPACED = "spaced"
HTML = "html"
CLASSIC_LAYOUTS: tuple[str, ...] = (TAB, PARAGRAPH, PIPE, SPACED, HTML)

# Real publishing (issue 10): one layout per class of real files, see the module docstring.
PDF_LAYOUT = "pdf_layout"  # `pdftotext -layout`: aligned columns, wrapped labels, vertical group labels
READING_ORDER = "reading_order"  # `pdftotext`: one cell per line, labels printed away from their numbers
CMS_HTML = "cms_html"  # a portal CMS article body: one-line fragment, <p> in every cell, no title
ARCHIVE_GLUED = "archive_glued"  # a web archiver's text: header lines, table cells glued together
CONVERTER_MD = "converter_md"  # a PDF converter's Markdown: broken pipe tables, loose label lines
RULED_PDF = "ruled_pdf"  # a PDF with ruled tables, merged cells and page breaks (reportlab)
REAL_PUBLISHING_LAYOUTS: tuple[str, ...] = (PDF_LAYOUT, READING_ORDER, CMS_HTML, ARCHIVE_GLUED, CONVERTER_MD, RULED_PDF)
LAYOUTS: tuple[str, ...] = CLASSIC_LAYOUTS + REAL_PUBLISHING_LAYOUTS

# Layouts that print an empty cell visibly (a tab, `|  |`, `<td></td>`, a ruled box); in the
# others an empty cell leaves no trace, so a blank must be a marker there. (A converter's
# Markdown pads rows with empty cells of its own, so an empty value cell is no trace there.)
EMPTY_CELL_LAYOUTS: tuple[str, ...] = (TAB, PIPE, HTML, CMS_HTML, RULED_PDF)
# Layouts where a cell's text can run over lines when the variant says so (spaced text has one
# line per table row; the PDF-made layouts wrap labels by their cell width whatever the variant).
MULTILINE_LAYOUTS: tuple[str, ...] = (TAB, PARAGRAPH, PIPE, HTML, CMS_HTML)
# Layouts with page-number lines between table rows (text exported from a paginated document).
PAGED_LAYOUTS: tuple[str, ...] = (TAB, PARAGRAPH, SPACED, PDF_LAYOUT, READING_ORDER)
# Layouts whose text comes as published: pdftotext, archivers, converters and CMS pages write UTF-8
# (a PDF has no text encoding to vary).
UTF8_ONLY_LAYOUTS: tuple[str, ...] = REAL_PUBLISHING_LAYOUTS
# A web page's own metadata is outside what these keep: the CMS fragment is the article body only,
# and the archiver writes its own header (title, 发布时间) instead of the portal's lines.
NO_PORTAL_LAYOUTS: tuple[str, ...] = (CMS_HTML, ARCHIVE_GLUED)

SIMPLIFIED = "simplified"
TRADITIONAL = "traditional"
SCRIPTS: tuple[str, ...] = (SIMPLIFIED, TRADITIONAL)

ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "gb18030", "big5", "utf-16")
NBSP_ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "utf-16")

BLANKS: tuple[str, ...] = ("none", "empty", "marker", "unreadable")
TITLES: tuple[str, ...] = ("one_line", "two_lines")


@dataclass(frozen=True)
class Variant:
    """The structural choices of one generated report (defaults: a plain 2021 tab report)."""

    template: str = TEMPLATE_2021
    layout: str = TAB
    script: str = SIMPLIFIED
    slips: bool = False  # Traditional only: real mis-conversions such as 行政強製
    encoding: str = "utf-8"
    numbers: str = PLAIN  # plain | padded | fullwidth | thousands
    decimal_fees: bool = False  # fee / procurement amounts with decimals (12.35)
    blanks: str = "none"  # none | empty | marker | unreadable
    split_cells: bool = False  # value cells over lines, header labels wrapped (商业 / 企业)
    wrapped_labels: bool = False  # long row labels over two lines
    missing_section_numbers: bool = False
    portal_header: bool = False  # 索引号 / 发布单位 / 发布时间 lines before the title
    footer: bool = False  # signature block (agency, date) and a page-number line
    title: str = "one_line"
    agency_with_city: bool = True
    page_break: bool = False  # a page-number line and a form feed between two rows of table 3
    halfwidth_punctuation: bool = False  # `(一)`, `:` and `,` as web pages copied as text print them
    break_rule: str | None = None  # R1–R4: one printed total changed so that the rule fails

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise ValueError(f"invalid variant: {'; '.join(problems)}")

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def format(self) -> str:
        if self.layout in (HTML, CMS_HTML):
            return "html"
        return "pdf" if self.layout == RULED_PDF else "text"

    @property
    def extension(self) -> str:
        return {HTML: ".html", CMS_HTML: ".html", RULED_PDF: ".pdf", CONVERTER_MD: ".md"}.get(self.layout, ".txt")

    @property
    def nbsp_ok(self) -> bool:
        """NBSP only where the bytes can hold it (Big5 and GBK cannot); HTML writes `&nbsp;`."""
        return self.encoding in NBSP_ENCODINGS or self.layout in (HTML, CMS_HTML)

    @property
    def real_publishing(self) -> bool:
        return self.layout in REAL_PUBLISHING_LAYOUTS


def _problems(v: Variant) -> list[str]:
    checks = [
        (v.template in TEMPLATES, f"template {v.template!r}"),
        (v.layout in LAYOUTS, f"layout {v.layout!r}"),
        (v.script in SCRIPTS, f"script {v.script!r}"),
        (v.encoding in ENCODINGS, f"encoding {v.encoding!r}"),
        (v.numbers in NUMBER_STYLES, f"numbers {v.numbers!r}"),
        (v.blanks in BLANKS, f"blanks {v.blanks!r}"),
        (v.title in TITLES, f"title {v.title!r}"),
        (v.break_rule is None or v.break_rule in RULES, f"break_rule {v.break_rule!r}"),
        (v.encoding != "big5" or v.script == TRADITIONAL, "big5 holds Traditional text only"),
        (not v.slips or v.script == TRADITIONAL, "slips are mis-conversions of Traditional text"),
        (v.blanks != "empty" or v.layout in EMPTY_CELL_LAYOUTS, f"an empty cell leaves no trace in {v.layout}"),
        (not v.split_cells or v.layout in MULTILINE_LAYOUTS, f"{v.layout} cells cannot run over lines"),
        (not v.wrapped_labels or v.layout in MULTILINE_LAYOUTS, f"{v.layout} labels cannot wrap"),
        (not v.page_break or v.layout in PAGED_LAYOUTS, f"{v.layout} has no pages"),
        *_real_publishing_problems(v),
    ]
    return [message for ok, message in checks if not ok]


def _real_publishing_problems(v: Variant) -> list[tuple[bool, str]]:
    """What each real-publishing class cannot show (or what would make its truth unknowable)."""
    layout = v.layout
    if layout not in REAL_PUBLISHING_LAYOUTS:
        return []
    glued = layout == ARCHIVE_GLUED
    return [
        (v.encoding == "utf-8", f"{layout} is published as UTF-8"),
        (layout != RULED_PDF or not v.page_break, "ruled_pdf always breaks table 3 across pages"),
        (layout not in NO_PORTAL_LAYOUTS or not v.portal_header, f"{layout} keeps no portal header lines"),
        (layout not in NO_PORTAL_LAYOUTS or v.title == "one_line", f"{layout} prints no title of its own to split"),
        # glued cells: the oracle of undecidable cells reads plain digits and needs every rule to
        # hold (a broken rule, a blank or an unreadable cell would leave no reading standing)
        (not glued or v.numbers == PLAIN, "glued cells are plain digits (archived pages print them so)"),
        (not glued or v.blanks == "none", "a blank or unreadable cell glued to its neighbours is unknowable"),
        (not glued or v.break_rule is None, "glued cells are split by the rules, so every rule must hold"),
    ]


def encodings_for(script: str, layout: str = TAB) -> tuple[str, ...]:
    if layout in UTF8_ONLY_LAYOUTS:
        return ("utf-8",)
    return ENCODINGS if script == TRADITIONAL else tuple(e for e in ENCODINGS if e != "big5")


def blanks_for(layout: str) -> tuple[str, ...]:
    if layout == ARCHIVE_GLUED:
        return ("none",)
    return BLANKS if layout in EMPTY_CELL_LAYOUTS else tuple(b for b in BLANKS if b != "empty")


def numbers_for(layout: str) -> tuple[str, ...]:
    return (PLAIN,) if layout == ARCHIVE_GLUED else NUMBER_STYLES


def rules_for(layout: str) -> tuple[str, ...]:
    """Rules a variant of this layout may break."""
    return () if layout == ARCHIVE_GLUED else RULES


def page_break_ok(layout: str) -> bool:
    return layout in PAGED_LAYOUTS


def report_years(template: str) -> tuple[int, ...]:
    """Reports for 2019 and 2020 used the 2019 template; later ones the 2021 template."""
    return (2019, 2020) if template == TEMPLATE_2019 else (2021, 2022, 2023, 2024)


def _replaced(base: Variant, change: dict[str, Any]) -> Variant | None:
    """The base with `change` applied, or None when the result is not a valid variant."""
    try:
        return dataclasses.replace(base, **change)
    except ValueError:
        return None


def _one_change_each(base: Variant) -> Iterator[Variant]:
    """The base variant with each other dimension moved off its default, one at a time (the
    changes a layout refuses are skipped)."""
    layout = base.layout
    changes: list[dict[str, Any]] = [
        {"numbers": "padded"},
        {"numbers": "fullwidth"},
        {"numbers": "thousands"},
        {"decimal_fees": True},
        {"numbers": "thousands", "decimal_fees": True},
        *({"blanks": b} for b in blanks_for(layout) if b != "none"),
        {"missing_section_numbers": True},
        {"portal_header": True},
        {"footer": True},
        {"title": "two_lines"},
        {"agency_with_city": False},
        {"halfwidth_punctuation": True},
        *({"break_rule": r} for r in RULES),
        {"encoding": "utf-8-sig"},
        {"encoding": "gb18030"},
        {"encoding": "utf-16"},
        {"script": TRADITIONAL},
        {"script": TRADITIONAL, "slips": True},
        {"script": TRADITIONAL, "encoding": "big5"},
        {"template": TEMPLATE_2019},
    ]
    if layout in MULTILINE_LAYOUTS:
        changes += [{"split_cells": True}, {"wrapped_labels": True}]
    if layout in PAGED_LAYOUTS:
        changes.append({"page_break": True})
    for change in changes:
        variant = _replaced(base, change)
        if variant is not None:
            yield variant


def _everything(layout: str, template: str, script: str, encoding: str) -> Variant:
    """One variant per layout with every oddity at once (those the layout allows)."""
    wanted: dict[str, Any] = {
        "encoding": encoding,
        "numbers": "padded",
        "decimal_fees": True,
        "blanks": "empty" if layout in EMPTY_CELL_LAYOUTS else "marker",
        "split_cells": layout in MULTILINE_LAYOUTS,
        "wrapped_labels": layout in MULTILINE_LAYOUTS,
        "missing_section_numbers": True,
        "portal_header": True,
        "footer": True,
        "title": "two_lines",
        "agency_with_city": False,
        "page_break": layout in PAGED_LAYOUTS,
        "halfwidth_punctuation": True,
        "break_rule": "R2",
    }
    variant = Variant(template=template, layout=layout, script=script, slips=script == TRADITIONAL)
    for field, value in wanted.items():  # one field at a time, keeping what the layout allows
        variant = _replaced(variant, {field: value}) or variant
    return variant


def all_variants() -> list[Variant]:
    """A representative matrix: every layout × template × script, each dimension moved off its
    default once per layout and template, and every oddity at once. Deterministic order."""
    seen: dict[Variant, None] = {}
    for layout in LAYOUTS:
        for template in TEMPLATES:
            for script in SCRIPTS:
                seen[Variant(template=template, layout=layout, script=script)] = None
            for variant in _one_change_each(Variant(template=template, layout=layout)):
                seen[variant] = None
            seen[_everything(layout, template, SIMPLIFIED, "utf-8")] = None
            seen[_everything(layout, template, TRADITIONAL, "big5")] = None
            seen[_everything(layout, template, SIMPLIFIED, "gb18030")] = None
    return list(seen)


# Realistic frequencies when real publishing is sampled too: PDF text dumps and CMS pages are the
# common real shapes, archived and converted copies rarer. The ruled PDF is left out of sampled
# corpora (reportlab is a dev dependency only; tests and hypothesis strategies cover it).
SAMPLED_LAYOUT_WEIGHTS: dict[str, int] = {
    TAB: 35,
    PARAGRAPH: 30,
    PIPE: 8,
    SPACED: 10,
    HTML: 17,
    PDF_LAYOUT: 6,
    READING_ORDER: 4,
    CMS_HTML: 6,
    ARCHIVE_GLUED: 3,
    CONVERTER_MD: 3,
}


def sample_variant(rng: Random, real_publishing: bool = False) -> Variant:
    """A variant drawn with realistic frequencies (most reports: 2021, tab or paragraph, UTF-8).

    `real_publishing` adds the real-publishing layouts (`SAMPLED_LAYOUT_WEIGHTS`); without it the
    draws are exactly those of the classic matrix, so existing corpora keep their bytes.
    """
    template = TEMPLATE_2019 if rng.random() < 0.2 else TEMPLATE_2021
    if real_publishing:
        layout = rng.choices(list(SAMPLED_LAYOUT_WEIGHTS), weights=list(SAMPLED_LAYOUT_WEIGHTS.values()))[0]
    else:
        layout = rng.choices(CLASSIC_LAYOUTS, weights=(35, 30, 8, 10, 17))[0]
    script = TRADITIONAL if rng.random() < 0.12 else SIMPLIFIED
    encoding_weights = {"utf-8": 70, "utf-8-sig": 8, "gb18030": 12, "big5": 25, "utf-16": 4}
    encodings = encodings_for(script, layout)
    encoding = rng.choices(encodings, weights=[encoding_weights[e] for e in encodings])[0]
    blanks = blanks_for(layout)
    blank_weights = {"none": 80, "empty": 8, "marker": 8, "unreadable": 4}
    numbers = numbers_for(layout)
    number_weights = {"plain": 60, "padded": 20, "fullwidth": 8, "thousands": 12}
    multiline = layout in MULTILINE_LAYOUTS
    portal = layout not in NO_PORTAL_LAYOUTS
    rules = rules_for(layout)
    # every draw below happens whatever the layout (the `and` after it only masks the result), so
    # a classic variant draws exactly as before
    return Variant(
        template=template,
        layout=layout,
        script=script,
        slips=script == TRADITIONAL and rng.random() < 0.5,
        encoding=encoding,
        numbers=rng.choices(numbers, weights=[number_weights[n] for n in numbers])[0],
        decimal_fees=rng.random() < 0.2,
        blanks=rng.choices(blanks, weights=[blank_weights[b] for b in blanks])[0],
        split_cells=multiline and rng.random() < 0.25,
        wrapped_labels=multiline and rng.random() < 0.2,
        missing_section_numbers=rng.random() < 0.15,
        portal_header=rng.random() < 0.35 and portal,
        footer=rng.random() < 0.4,
        title="two_lines" if rng.random() < 0.3 and portal else "one_line",
        agency_with_city=rng.random() < 0.75,
        page_break=layout in PAGED_LAYOUTS and rng.random() < 0.1,
        halfwidth_punctuation=rng.random() < (0.5 if layout == PARAGRAPH else 0.1),
        break_rule=rng.choice(RULES) if rng.random() < 0.1 and rules else None,
    )


def variants_strategy(
    layouts: tuple[str, ...] = LAYOUTS,
    templates: tuple[str, ...] = TEMPLATES,
    scripts: tuple[str, ...] = SCRIPTS,
) -> SearchStrategy[Variant]:
    """A hypothesis strategy over every valid variant (narrow it with the arguments)."""
    from hypothesis import strategies as st

    @st.composite
    def variants(draw: st.DrawFn) -> Variant:
        layout = draw(st.sampled_from(layouts))
        script = draw(st.sampled_from(scripts))
        multiline = layout in MULTILINE_LAYOUTS
        portal = layout not in NO_PORTAL_LAYOUTS
        return Variant(
            template=draw(st.sampled_from(templates)),
            layout=layout,
            script=script,
            slips=script == TRADITIONAL and draw(st.booleans()),
            encoding=draw(st.sampled_from(encodings_for(script, layout))),
            numbers=draw(st.sampled_from(numbers_for(layout))),
            decimal_fees=draw(st.booleans()),
            blanks=draw(st.sampled_from(blanks_for(layout))),
            split_cells=multiline and draw(st.booleans()),
            wrapped_labels=multiline and draw(st.booleans()),
            missing_section_numbers=draw(st.booleans()),
            portal_header=portal and draw(st.booleans()),
            footer=draw(st.booleans()),
            title=draw(st.sampled_from(TITLES)) if portal else "one_line",
            agency_with_city=draw(st.booleans()),
            page_break=page_break_ok(layout) and draw(st.booleans()),
            halfwidth_punctuation=draw(st.booleans()),
            break_rule=draw(st.sampled_from((None, *rules_for(layout)))),
        )

    return variants()
