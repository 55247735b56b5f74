"""Test helper: a plain-text report re-published as an HTML page, a Word file and a PDF.

The tables are taken from the text's own cells (tab layout: rows and merged cells as Word
exported them) and written with each format's real machinery: HTML markup with rowspan-style
empty placeholders, python-docx tables with merged cells, reportlab pages with a CJK font and
page numbers (or real ruled tables with merged and wrapped cells). The formats' readers in
pipelines/extract/read/formats must bring them back.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from io import BytesIO

from pipelines.extract.read.batch import split_region
from pipelines.extract.read.lines import source_lines
from pipelines.extract.read.sections import find_sections

Block = str | list[list[str]]  # a paragraph, or a table as rows of cell texts


def blocks(text: str) -> list[Block]:
    """The report as paragraphs and tables, in order."""
    lines = source_lines(text)
    spans, _ = find_sections(lines)
    out: list[Block] = []
    for span in spans:
        if span.heading:
            out.append(span.heading)
        if span.number in (2, 3, 4):
            rows: list[list[str]] = []
            for cell in split_region(lines[span.start : span.end]).cells:
                if cell.row_start or not rows:
                    rows.append([])
                rows[-1].append(cell.text.strip())
            out.append(rows)
        else:
            out += [line.strip() for line in lines[span.start : span.end] if line.strip()]
    return out


def to_html(text: str, charset: str = "utf-8", traditional: bool = False) -> bytes:
    title, index, footer = (
        ("政府信息公開", "索引號：", "主辦單位：某某局")
        if traditional
        else ("政府信息公开", "索引号：", "主办单位：某某局")
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html><head><meta charset="{charset}"><title>{title}</title>',
        "<style>td { border: 1px solid }</style><script>var x = '<td>0</td>';</script></head><body>",
        f'<div class="header"><span>{index}</span><span>000000/2024-1</span></div>',
    ]
    for block in blocks(text):
        if isinstance(block, str):
            parts.append(f"<p>{html.escape(block)}</p>")
            continue
        parts.append('<table border="1" cellspacing="0">')
        for row in block:
            cells = "".join(
                f"<td>{'<br/>'.join(html.escape(piece) for piece in cell.split(chr(10)))}</td>" for cell in row
            )
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    parts.append(f'<div class="footer">{footer}</div></body></html>')
    return "\n".join(parts).encode(charset)


def to_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for block in blocks(text):
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        width = max(len(row) for row in block)
        table = document.add_table(rows=len(block), cols=width)
        for r, row in enumerate(block):
            cells = table.rows[r].cells
            if len(row) < width:  # a wider last cell, as Word merges them
                cells[len(row) - 1].merge(cells[width - 1])
            for c, value in enumerate(row):
                pieces = value.split("\n")
                cells[c].paragraphs[0].text = pieces[0]
                for piece in pieces[1:]:
                    cells[c].add_paragraph(piece)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Cell:
    """A cell of a ruled PDF table, placed as HTML places it (after the cells that cover its row)."""

    text: str
    rowspan: int = 1
    colspan: int = 1


PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0
FONT, SIZE, LEADING, PAD = "STSong-Light", 9.0, 11.0, 3.0


def place(rows: list[list[Cell]]) -> list[list[tuple[int, Cell]]]:
    """Each row's cells with their column: HTML's placement, skipping positions covered from above."""
    covered: set[tuple[int, int]] = set()
    placed: list[list[tuple[int, Cell]]] = []
    for r, row in enumerate(rows):
        col, out = 0, []
        for cell in row:
            while (r, col) in covered:
                col += 1
            out.append((col, cell))
            covered |= {(r + dr, col + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
            col += cell.colspan
        placed.append(out)
    return placed


def _wrap(text: str, width: float, font: str = FONT) -> list[str]:
    """The cell's lines, wrapped char by char like a word processor.

    PDFium's text page drops a text object that holds one CJK character in reportlab's
    non-embedded STSong-Light (it gives it no width), so a lone last character is drawn with the
    one before it.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for paragraph in text.split("\n"):
        wrapped = [""]
        for char in paragraph:
            if wrapped[-1] and stringWidth(wrapped[-1] + char, font, SIZE) > width:
                wrapped.append("")
            wrapped[-1] += char
        if len(wrapped) > 1 and len(wrapped[-1]) == 1:
            wrapped[-2:] = [wrapped[-2][:-1], wrapped[-2][-1] + wrapped[-1]]
        lines += wrapped
    return lines


class RuledWriter:
    """Paragraphs and ruled tables on A4 pages with a CJK font, a page number at each foot.

    Borders are real PDF paths: stroked lines, or thin filled rectangles (how Word and WPS draw
    them) with `borders="fill"`. A row that does not fit starts a new page. With `rotate=90` the
    pages are landscape the way scanners and Word print them: a portrait page with /Rotate 90
    whose content is drawn turned a quarter counter-clockwise. `font="Helvetica"` for ASCII text
    whose widths PDFium knows: it gives no width to CJK glyphs of the non-embedded STSong-Light
    on a rotated page or in a form, and full-width boxes to its Latin glyphs.
    """

    def __init__(self, borders: str = "stroke", rotate: int = 0, font: str = FONT) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        self.out = BytesIO()
        self.width, self.height = (PAGE_HEIGHT, PAGE_WIDTH) if rotate else (PAGE_WIDTH, PAGE_HEIGHT)
        # reportlab's page size is the displayed one: with /Rotate 90 the MediaBox is its transpose
        self.canvas = canvas.Canvas(self.out, pagesize=(self.width, self.height))
        self.borders, self.rotate, self.font = borders, rotate, font
        self.page, self.y = 1, self.height - 40
        self._start_page()

    def _start_page(self) -> None:
        self.canvas.setFont(self.font, SIZE)
        if self.rotate == 90:
            self.canvas.setPageRotation(90)
            self.canvas.translate(PAGE_WIDTH, 0)
            self.canvas.rotate(90)

    def new_page(self) -> None:
        self.canvas.drawString(self.width / 2, 30, f"-{self.page}-")
        self.canvas.showPage()
        self.page, self.y = self.page + 1, self.height - 40
        self._start_page()

    def paragraph(self, text: str) -> None:
        if self.y < 60:
            self.new_page()
        self.canvas.drawString(30, self.y, text)
        self.y -= 16

    def _rule(self, x0: float, y0: float, x1: float, y1: float) -> None:
        if self.borders == "fill":  # a 0.6 pt filled rectangle along the edge
            self.canvas.rect(min(x0, x1) - 0.3, min(y0, y1) - 0.3, abs(x1 - x0) + 0.6, abs(y1 - y0) + 0.6, 0, 1)
        else:
            self.canvas.line(x0, y0, x1, y1)

    def table(self, rows: list[list[Cell]], widths: list[float]) -> None:
        placed = place(rows)
        edges = [30.0]
        for width in widths:
            edges.append(edges[-1] + width)
        text = {
            (r, col): _wrap(cell.text, edges[col + cell.colspan] - edges[col] - 2 * PAD, self.font)
            for r, row in enumerate(placed)
            for col, cell in row
        }
        heights = [LEADING + 2 * PAD] * len(rows)
        for r, row in enumerate(placed):  # rows grow to fit their cells (a spanning cell: its last row)
            for col, cell in sorted(row, key=lambda item: item[1].rowspan):
                need = len(text[r, col]) * LEADING + 2 * PAD
                last = r + cell.rowspan - 1
                have = sum(heights[r : last + 1])
                heights[last] += max(0.0, need - have)
        self.y -= 4
        on_page: list[tuple[int, float]] = []  # rows on the current page, with their tops
        for r, height in enumerate(heights):
            if on_page and self.y - height < 50:  # the rest of the table on a new page
                self._draw(placed, on_page, heights, edges, text)
                self.new_page()
                on_page = []
            on_page.append((r, self.y))
            self.y -= height
        self._draw(placed, on_page, heights, edges, text)
        self.y -= 12

    def _draw(
        self,
        placed: list[list[tuple[int, Cell]]],
        on_page: list[tuple[int, float]],
        heights: list[float],
        edges: list[float],
        text: dict[tuple[int, int], list[str]],
    ) -> None:
        last = on_page[-1][0]
        for r, top in on_page:
            for col, cell in placed[r]:
                x0, x1 = edges[col], edges[col + cell.colspan]
                bottom = top - sum(heights[r : min(r + cell.rowspan - 1, last) + 1])
                for a, b, c, d in (
                    (x0, top, x1, top),
                    (x0, bottom, x1, bottom),
                    (x0, top, x0, bottom),
                    (x1, top, x1, bottom),
                ):
                    self._rule(a, b, c, d)
                lines = text[r, col]
                first = (top + bottom) / 2 + len(lines) * LEADING / 2 - LEADING + 2.5  # centred in the cell
                for k, line in enumerate(lines):
                    self.canvas.drawString(x0 + PAD, first - k * LEADING, line)

    def finish(self) -> bytes:
        self.canvas.drawString(self.width / 2, 30, f"-{self.page}-")
        self.canvas.showPage()
        self.canvas.save()
        return self.out.getvalue()


def seed_table(block: list[list[str]]) -> list[list[Cell]]:
    """A seed's table as ruled cells: a short row's last cell spans to the right, as Word merges them."""
    width = max(len(row) for row in block)
    return [
        [Cell(text, colspan=1 + (width - len(row) if c == len(row) - 1 else 0)) for c, text in enumerate(row)]
        for row in block
    ]


def to_pdf(text: str, lines_per_page: int = 45, ruled: bool = False, borders: str = "stroke") -> bytes:
    """The report as a PDF: table rows as lines of cells side by side (as text-order PDF readers
    see them), or with `ruled` as real ruled tables whose cells wrap inside their borders."""
    if ruled:
        writer = RuledWriter(borders)
        for block in blocks(text):
            if isinstance(block, str):
                writer.paragraph(block)
            else:
                width = max(len(row) for row in block)
                writer.table(seed_table(block), [(PAGE_WIDTH - 60) / width] * width)
        return writer.finish()
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines: list[str] = []
    for block in blocks(text):
        if isinstance(block, str):
            lines.append(block)
        else:  # a row as its cells side by side; empty cells leave no text, as in real PDFs
            lines += [" ".join(c.replace("\n", "").strip() for c in row if c.strip()) for row in block]
            lines = [line for line in lines if line]
    out = BytesIO()
    page = canvas.Canvas(out)
    for start in range(0, len(lines), lines_per_page):
        page.setFont("STSong-Light", 9)
        for k, line in enumerate(lines[start : start + lines_per_page]):
            page.drawString(30, 800 - 16 * k, line)
        page.drawString(290, 30, str(start // lines_per_page + 1))  # the page number at the foot
        page.showPage()
    page.save()
    return out.getvalue()
