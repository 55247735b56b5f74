"""One renderer per layout: a `ComposedReport` → the report's text, as real exports print it.

- tab: Word tables saved as text (seeds 000/001/004): every cell a line starting with a tab,
  rows separated by a blank line, a merged cell continuing from above printed as a bare tab.
- paragraph: web pages copied as text (seeds 002/003): every cell its own paragraph.
- pipe: Markdown pipe tables, one table row per line, merged cells left empty.
- spaced: text taken from a PDF: one table row per line, cells separated by spaces.
- html: a whole portal page, the tables with rowspan/colspan as in the Word table.

The real-publishing layouts have modules of their own (`pdftext`, `portal`, `converter`,
`ruled_pdf`), reached through `render_published`, which also returns what the oracle of
undecidable cells needs (the glued rows, the label-less blocks and their order).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random

from pipelines.generate.document import ComposedReport, Heading, Paragraph, SubHeading, Table
from pipelines.generate.forms import REVIEW, row_items
from pipelines.generate.oracle import GluedRow, OrderedBlock
from pipelines.generate.printing import NBSP, SPLIT, WRAP, CellText
from pipelines.generate.variants import (
    ARCHIVE_GLUED,
    CMS_HTML,
    CONVERTER_MD,
    HTML,
    PARAGRAPH,
    PDF_LAYOUT,
    PIPE,
    READING_ORDER,
    RULED_PDF,
    SPACED,
    TAB,
    Variant,
)


def _head(doc: ComposedReport) -> list[str]:
    lines = [""] if doc.lead_blank else []
    lines += doc.portal
    lines.append(doc.title[0])
    if len(doc.title) > 1:
        lines += [""] if doc.title_gap else []
        lines += doc.title[1:]
    lines += doc.after_title
    return lines


def _tail(doc: ComposedReport, rng: Random) -> list[str]:
    lines: list[str] = []
    if doc.signature:
        lines += ["", "", *doc.signature]
    if doc.page_number:
        lines.append(doc.page_number)
    return lines + [""] * rng.randint(0, 3)


def _text_document(doc: ComposedReport, rng: Random, table: Callable[[Table], list[str]], airy: bool) -> str:
    """Narrative and tables of a text layout; `airy` puts a blank line after every paragraph."""
    lines = _head(doc)
    if airy:
        lines.append("")
    for block in doc.body:
        if isinstance(block, Table):
            lines += ([""] if airy or rng.random() < 0.5 else []) + table(block) + ["", ""]
        elif isinstance(block, Heading):
            lines.append(block.text)
            lines += [""] if airy else []
        else:
            lines.append(block.text)
            lines += [""] if airy or (isinstance(block, Paragraph) and rng.random() < 0.3) else []
    lines += _tail(doc, rng)
    return "\n".join(lines)


# --- tab -----------------------------------------------------------------------------------


def _tab_cell(cell: CellText) -> list[str]:
    if cell.mode == SPLIT:  # seed 000: `\t\xa0`, a blank line, then the value on a line of its own
        pad, value = cell.pieces
        return [f"\t{pad}", "", value]
    if cell.mode == WRAP:  # seed 000: `\t商业` then `企业` (a line without a tab continues the cell)
        head, tail = cell.pieces
        return [f"\t{head}", tail]
    return [f"\t{cell.joined}"]


def _tab_table(table: Table) -> list[str]:
    lines: list[str] = []
    for r in range(table.grid.height):
        row: list[str] = []
        for item in row_items(table.grid, r):
            row += ["\t"] if item.placeholder else _tab_cell(table.cells[item.slot])
        if r:
            lines.append("")
        if r == table.page_break_before:
            lines += [table.page_line, ""]
            row[0] = "\f" + row[0]
        lines += row
    return lines


# --- paragraph -----------------------------------------------------------------------------


def _paragraph_cell(cell: CellText, table: str, nbsp_ok: bool) -> list[str]:
    if cell.mode == WRAP:
        head, tail = cell.pieces
        if table == REVIEW:  # seed 002: `结果` / `\xa0 纠正` in one paragraph
            return [head, f"{NBSP if nbsp_ok else ' '} {tail}", ""]
        return [head, "", tail, ""]  # seed 002: `商业` and `企业` as paragraphs of their own
    return [cell.joined, ""]


def _paragraph_table(table: Table, nbsp_ok: bool) -> list[str]:
    lines: list[str] = []
    for r in range(table.grid.height):
        if r == table.page_break_before:
            lines += [table.page_line, "", "\f"]
        for item in row_items(table.grid, r):
            if not item.placeholder:
                lines += _paragraph_cell(table.cells[item.slot], table.grid.table, nbsp_ok)
    return lines[:-1]


# --- pipe ----------------------------------------------------------------------------------


def _inline(cell: CellText) -> str:
    """A cell on one line, its line breaks as `<br>` (Markdown and HTML)."""
    return "<br>".join(cell.pieces) if cell.mode in (WRAP, SPLIT) else cell.joined


def _pipe_table(table: Table) -> list[str]:
    grid = table.grid
    lines: list[str] = []
    for r in range(grid.height):
        texts = [""] * grid.width
        for item in row_items(grid, r):
            if not item.placeholder:
                texts[item.slot.col] = _inline(table.cells[item.slot])
        lines.append("| " + " | ".join(texts) + " |")
        if r == 0:
            lines.append("|" + "---|" * grid.width)
    return lines


# --- spaced --------------------------------------------------------------------------------


def _spaced_table(table: Table, sep: str) -> list[str]:
    lines: list[str] = []
    for r in range(table.grid.height):
        texts = [table.cells[i.slot].joined for i in row_items(table.grid, r) if not i.placeholder]
        if r == table.page_break_before:
            lines += [table.page_line, "\f"]
        lines.append(sep.join(texts))
    return lines


# --- html ----------------------------------------------------------------------------------

_NAV = ("首页", "政务公开", "政务服务", "互动交流", "走进{place}")


def _esc(text: str) -> str:
    return html.escape(text, quote=False).replace(NBSP, "&nbsp;")


def _html_cell(cell: CellText, in_p: bool) -> str:
    text = "<br>".join(_esc(p) for p in cell.pieces) if cell.mode in (WRAP, SPLIT) else _esc(cell.joined)
    return f"<p>{text}</p>" if in_p and text else text


def _html_table(table: Table, rng: Random) -> list[str]:
    in_p = rng.random() < 0.4  # Word pastes wrap every cell's text in a <p>
    lines = ['<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse;width:100%">']
    lines.append("<tbody>")
    for r in range(table.grid.height):
        lines.append("<tr>")
        for item in row_items(table.grid, r):
            if item.placeholder:
                continue
            slot = item.slot
            attrs = (f' rowspan="{slot.rowspan}"' if slot.rowspan > 1 else "") + (
                f' colspan="{slot.colspan}"' if slot.colspan > 1 else ""
            )
            lines.append(f"<td{attrs}>{_html_cell(table.cells[slot], in_p)}</td>")
        lines.append("</tr>")
    lines += ["</tbody>", "</table>"]
    return lines


def _html_document(doc: ComposedReport, rng: Random, charset: str, lang: str) -> str:
    place = doc.site.removesuffix("人民政府门户网站")
    title = "".join(doc.title)
    meta = (
        f'<meta charset="{charset}">'
        if rng.random() < 0.6
        else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    )
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        meta,
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}_{_esc(doc.site)}</title>",
        "<style>.article-content p{text-indent:2em;line-height:1.8}</style>",
        "</head>",
        "<body>",
        '<div class="site-header">',
        f'<div class="logo"><a href="/">{_esc(doc.site)}</a></div>',
        '<ul class="nav">' + "".join(f'<li><a href="#">{_esc(n.format(place=place))}</a></li>' for n in _NAV) + "</ul>",
        "</div>",
        '<div class="breadcrumb">您当前的位置：<a href="/">首页</a> &gt; <a href="#">政务公开</a> &gt; '
        '<a href="#">政府信息公开年度报告</a></div>',
        '<div class="article">',
    ]
    if doc.portal:
        out.append('<div class="article-info">')
        out += [f"<p>{_esc(line)}</p>" for line in doc.portal]
        out.append("</div>")
    out.append(f'<h1 class="article-title">{"<br>".join(_esc(t) for t in doc.title)}</h1>')
    out += [f'<div class="article-meta">{_esc(line)}</div>' for line in doc.after_title]
    out.append('<div class="article-content">')
    for block in doc.body:
        if isinstance(block, Table):
            out += _html_table(block, rng)
        elif isinstance(block, Heading):
            out.append(f"<p><strong>{_esc(block.text)}</strong></p>")
        elif isinstance(block, SubHeading):
            out.append(f"<p>{_esc(block.text)}</p>")
        else:
            out.append(f"<p>{_esc(block.text)}</p>")
    for line in doc.signature:
        out.append(f'<p style="text-align:right">{_esc(line.strip())}</p>')
    out += ["</div>", "</div>"]
    out += [
        '<div class="site-footer">',
        f"<p>主办：{_esc(place)}人民政府办公室　承办：{_esc(place)}大数据发展管理局</p>",
        f"<p>网站标识码：{abs(sum(map(ord, doc.site))) % 10**10:010d}　浙ICP备{rng.randint(10**7, 10**8 - 1)}号</p>",
        "</div>",
        "<script>var _hmt = _hmt || [];</script>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


_HALFWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";"})


def render(doc: ComposedReport, variant: Variant, rng: Random, charset: str) -> str:
    """The report's text in the variant's layout (still Simplified: the script comes after)."""
    text = _render(doc, variant, rng, charset)
    return text.translate(_HALFWIDTH) if variant.halfwidth_punctuation else text


def _render(doc: ComposedReport, variant: Variant, rng: Random, charset: str) -> str:
    if variant.layout == TAB:
        return _text_document(doc, rng, _tab_table, airy=False)
    if variant.layout == PARAGRAPH:
        return _text_document(doc, rng, lambda t: _paragraph_table(t, variant.nbsp_ok), airy=True)
    if variant.layout == PIPE:
        return _text_document(doc, rng, _pipe_table, airy=True)
    if variant.layout == SPACED:
        sep = rng.choice((" ", " ", "  ", "   "))
        return _text_document(doc, rng, lambda t: _spaced_table(t, sep), airy=False)
    if variant.layout == HTML:
        lang = "zh-Hant" if variant.script == "traditional" else "zh-CN"
        return _html_document(doc, rng, charset, lang)
    raise ValueError(f"unknown layout {variant.layout!r}")


# --- real publishing -----------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """A real-publishing rendering: its text (in the report's script), its bytes when the format
    is binary (a PDF), and what the oracle needs to find the cells no reading decides."""

    text: str
    data: bytes | None = None
    glued: list[GluedRow] = field(default_factory=list)
    ordered: list[OrderedBlock] = field(default_factory=list)


def _archiver_line(line: str, convert: Callable[[str], str]) -> str:
    """An archiver's header line: its key in its own words, the value (title, column) the page's."""
    key, sep, value = line.partition(": ")
    return f"{key}{sep}{convert(value)}" if sep else line


def render_published(doc: ComposedReport, variant: Variant, rng: Random, convert: Callable[[str], str]) -> Published:
    """The report in a real-publishing layout; `convert` puts text into the report's script."""
    from pipelines.generate import converter, pdftext, portal

    def finish(text: str) -> str:
        return convert(text.translate(_HALFWIDTH) if variant.halfwidth_punctuation else text)

    if variant.layout == PDF_LAYOUT:
        return Published(finish(pdftext.render_pdf_layout(doc, rng).text))
    if variant.layout == READING_ORDER:
        printed = pdftext.render_reading_order(doc, rng, rule_broken=variant.break_rule is not None)
        return Published(finish(printed.text), ordered=printed.blocks)
    if variant.layout == CMS_HTML:
        return Published(finish(portal.render_cms_html(doc, rng)))
    if variant.layout == ARCHIVE_GLUED:
        glued = portal.render_archive_glued(doc, rng)
        header = [_archiver_line(line, convert) for line in glued.header]
        return Published("\n".join([*header, finish(glued.body)]), glued=glued.rows)
    if variant.layout == CONVERTER_MD:
        return Published(finish(converter.render_converter_md(doc, rng)))
    if variant.layout == RULED_PDF:
        from pipelines.generate.ruled_pdf import render_ruled_pdf

        drawn = render_ruled_pdf(doc, rng, finish)
        return Published(drawn.text, data=drawn.data)
    raise ValueError(f"not a real-publishing layout: {variant.layout!r}")
