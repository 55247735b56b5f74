"""A report as a real PDF with ruled tables (reportlab, a dev dependency: imported when used).

What a Word document saved as PDF shows a reader working from the page geometry: narrative in
lines wrapped at the text width, and each table drawn as a lattice of ruling lines, one box per
cell of the template's Word table, merged cells drawn merged (no line inside a rowspan or
colspan), every cell's text wrapped inside its box (三、本年度办理结果 one character a line in a
narrow column, 社会公益 / 组织, 结果 / 维持), values centred, an empty cell an empty box. Table 3
always breaks across pages: the rows before the break close the page's part of the lattice, the
rest continue on the next page, a merged cell cut by the break drawn as a box on each page with
its text in the larger part, and a page number at the foot of every page (`- 3 -`). Borders are
stroked lines or thin filled rectangles (both are how Word and WPS draw them).

Returns the PDF's bytes (deterministic: reportlab's invariant mode) and the strings drawn, in
drawing order, as the report's text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from random import Random
from typing import Any

from pipelines.generate.document import ComposedReport, Heading, Paragraph, SubHeading, Table
from pipelines.generate.forms import ACTIVE, LABEL, REQUESTS, Slot

FONT = "STSong-Light"  # Adobe's CJK font every PDF reader has (not embedded), as tests/report_formats.py
PAGE_WIDTH, PAGE_HEIGHT = 595.27, 841.89  # A4
LEFT, RIGHT, TOP, BOTTOM = 72.0, 72.0, 72.0, 64.0
PAD = 2.5


@dataclass(frozen=True)
class Drawn:
    data: bytes
    text: str


def _draw(canvas: Any, x: float, y: float, text: str) -> None:
    """Draw one string. PDFium (what the project's PDF reader uses) drops a string of a single
    character set in the non-embedded STSong-Light (a one-code string of its UCS-2 CMap: `年`,
    `０`), so such a string gets a trailing space, which prints nothing."""
    canvas.drawString(x, y, f"{text} " if len(text) == 1 else text)


def _width(text: str, size: float) -> float:
    from reportlab.pdfbase import pdfmetrics

    return float(pdfmetrics.stringWidth(text, FONT, size))


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Lines of `text` no wider than `width` points (at least one character a line)."""
    lines: list[str] = []
    current = ""
    for char in text:
        if current and _width(current + char, size) > width:
            lines.append(current)
            current = char
        else:
            current += char
    return [*lines, current] if current or not lines else lines


class _Pages:
    """The canvas, the cursor and the page numbers."""

    def __init__(self, rng: Random, convert: Callable[[str], str]) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        self.buffer = BytesIO()
        self.canvas: Any = canvas.Canvas(self.buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
        self.convert = convert
        self.footer = rng.choice(("- {n} -", "-{n}-", "— {n} —", "第{n}页"))
        self.filled_borders = rng.random() < 0.4
        self.page = 1
        self.y = PAGE_HEIGHT - TOP
        self.drawn: list[str] = []

    def text(self, x: float, y: float, text: str, size: float) -> None:
        text = self.convert(text)
        self.canvas.setFont(FONT, size)
        _draw(self.canvas, x, y, text)
        self.drawn.append(text)

    def new_page(self) -> None:
        footer = self.footer.format(n=self.page)
        self.canvas.setFont(FONT, 9)
        self.canvas.drawCentredString(PAGE_WIDTH / 2, BOTTOM / 2, footer)
        self.canvas.showPage()
        self.page += 1
        self.y = PAGE_HEIGHT - TOP

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.new_page()

    def finish(self) -> bytes:
        self.new_page()
        self.canvas.save()
        return self.buffer.getvalue()


def _paragraph(pages: _Pages, text: str, size: float, indent: float, align: str = "left") -> None:
    width = PAGE_WIDTH - LEFT - RIGHT
    lines = _wrap(text, width - indent, size)
    for k, line in enumerate(lines):
        pages.need(size * 1.8)
        pages.y -= size * 1.8
        x = LEFT + (indent if k == 0 else 0)
        if align == "center":
            x = (PAGE_WIDTH - _width(line, size)) / 2
        elif align == "right":
            x = PAGE_WIDTH - RIGHT - _width(line, size)
        pages.text(x, pages.y, line, size)


# --- tables --------------------------------------------------------------------------------


def _column_widths(table: Table) -> list[float]:
    total = PAGE_WIDTH - LEFT - RIGHT
    grid = table.grid
    if grid.table == ACTIVE:
        return [total * 0.34] + [total * 0.22] * 3
    if grid.table == REQUESTS:
        labels = [16.0, 46.0, 118.0]
        return labels + [(total - sum(labels)) / 7] * 7
    return [total / 15] * 15


@dataclass(frozen=True)
class _Cell:
    slot: Slot
    lines: tuple[str, ...]


def _cells(table: Table, widths: list[float], size: float, convert: Callable[[str], str]) -> dict[Slot, _Cell]:
    out: dict[Slot, _Cell] = {}
    for slot in table.grid.slots:
        width = sum(widths[slot.col : slot.col + slot.colspan]) - 2 * PAD
        text = table.cells[slot].joined.strip()
        out[slot] = _Cell(slot, tuple(_wrap(convert(text), width, size)) if text else ())
    return out


def _row_heights(table: Table, cells: dict[Slot, _Cell], size: float) -> list[float]:
    leading = size * 1.25
    heights = [leading + 2 * PAD + 2] * table.grid.height
    for cell in cells.values():  # one-row cells first, then spans get the room they need
        if cell.slot.rowspan == 1:
            heights[cell.slot.row] = max(heights[cell.slot.row], len(cell.lines) * leading + 2 * PAD + 2)
    for cell in cells.values():
        slot = cell.slot
        if slot.rowspan > 1:
            need = len(cell.lines) * leading + 2 * PAD
            have = sum(heights[slot.row : slot.row + slot.rowspan])
            if need > have:
                heights[slot.row + slot.rowspan - 1] += need - have
    return heights


def _draw_table(pages: _Pages, table: Table, rng: Random, size: float) -> None:
    widths = _column_widths(table)
    xs = [LEFT + sum(widths[:k]) for k in range(len(widths) + 1)]
    cells = _cells(table, widths, size, pages.convert)
    heights = _row_heights(table, cells, size)
    grid = table.grid
    forced = None
    if grid.table == REQUESTS:  # table 3 always continues on a second page
        forced = rng.randint(grid.header_rows + 6, grid.height - 3)
    # rows per page part: the lattice of each page is drawn on its own
    parts: list[list[int]] = [[]]
    y = pages.y
    for r in range(grid.height):
        if parts[-1] and (r == forced or y - heights[r] < BOTTOM):
            parts.append([])
            y = PAGE_HEIGHT - TOP
        parts[-1].append(r)
        y -= heights[r]
    for k, rows in enumerate(parts):
        if k:
            pages.new_page()
        top = pages.y if k == 0 else PAGE_HEIGHT - TOP
        row_top = {}
        y = top
        for r in rows:
            row_top[r] = y
            y -= heights[r]
        bottom_of = {r: row_top[r] - heights[r] for r in rows}
        for slot in grid.slots:
            spanned = [r for r in range(slot.row, slot.row + slot.rowspan) if r in row_top]
            if not spanned:
                continue
            top_y, bottom_y = row_top[spanned[0]], bottom_of[spanned[-1]]
            left_x, right_x = xs[slot.col], xs[slot.col + slot.colspan]
            _box(pages, left_x, right_x, top_y, bottom_y)
            if _text_here(slot, spanned, heights, parts):
                _cell_text(pages, cells[slot], left_x, right_x, top_y, bottom_y, size)
        pages.y = y
    pages.y -= 10


def _text_here(slot: Slot, spanned: list[int], heights: list[float], parts: list[list[int]]) -> bool:
    """A merged cell cut by a page break has its text in its taller part."""
    if len(spanned) == slot.rowspan:
        return True
    pieces = [[r for r in part if slot.row <= r < slot.row + slot.rowspan] for part in parts]
    tallest = max(pieces, key=lambda rows: sum(heights[r] for r in rows))
    return spanned == tallest


def _box(pages: _Pages, left: float, right: float, top: float, bottom: float) -> None:
    """A cell's four borders: stroked lines, or thin filled rectangles as Word and WPS draw them."""
    c = pages.canvas
    if pages.filled_borders:
        w = 0.5
        c.rect(left - w / 2, top - w / 2, right - left + w, w, stroke=0, fill=1)
        c.rect(left - w / 2, bottom - w / 2, right - left + w, w, stroke=0, fill=1)
        c.rect(left - w / 2, bottom, w, top - bottom, stroke=0, fill=1)
        c.rect(right - w / 2, bottom, w, top - bottom, stroke=0, fill=1)
        return
    c.setLineWidth(0.5)
    c.line(left, top, right, top)
    c.line(left, bottom, right, bottom)
    c.line(left, top, left, bottom)
    c.line(right, top, right, bottom)


def _cell_text(pages: _Pages, cell: _Cell, left: float, right: float, top: float, bottom: float, size: float) -> None:
    if not cell.lines:
        return
    leading = size * 1.25
    block = len(cell.lines) * leading
    y = (top + bottom) / 2 + block / 2 - size
    for line in cell.lines:
        width = _width(line, size)
        centred = cell.slot.role != LABEL or cell.slot.rowspan > 1  # values, headers, vertical labels
        x = (left + right - width) / 2 if centred else left + PAD
        pages.canvas.setFont(FONT, size)
        _draw(pages.canvas, x, y, line)
        pages.drawn.append(line)
        y -= leading


def render_ruled_pdf(doc: ComposedReport, rng: Random, convert: Callable[[str], str]) -> Drawn:
    """The report as a PDF (see the module docstring); `convert` puts text into the report's script."""
    pages = _Pages(rng, convert)
    body_size = rng.choice((10.5, 11.0, 12.0))
    table_size = rng.choice((8.0, 8.5, 9.0))
    for line in doc.portal:
        _paragraph(pages, line, 9, 0)
    for line in doc.title:
        _paragraph(pages, line, 16, 0, align="center")
    pages.y -= 8
    for line in doc.after_title:
        _paragraph(pages, line, 9, 0, align="center")
    for block in doc.body:
        if isinstance(block, Table):
            pages.need(60)
            _draw_table(pages, block, rng, table_size)
        elif isinstance(block, Heading | SubHeading | Paragraph):
            _paragraph(pages, block.text, body_size, 2 * body_size)
    for line in doc.signature:
        _paragraph(pages, line.strip(), body_size, 0, align="right")
    data = pages.finish()
    return Drawn(data, "\n".join(pages.drawn))
