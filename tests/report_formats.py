"""Test helper: a plain-text report re-published as an HTML page, a Word file and a PDF.

The tables are taken from the text's own cells (tab layout: rows and merged cells as Word
exported them) and written with each format's real machinery: HTML markup with rowspan-style
empty placeholders, python-docx tables with merged cells, reportlab pages with a CJK font and
page numbers. The formats' readers in pipelines/extract/formats must bring them back.
"""

from __future__ import annotations

import html
from io import BytesIO

from pipelines.extract.batch import split_region
from pipelines.extract.lines import source_lines
from pipelines.extract.sections import find_sections

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


def to_pdf(text: str, lines_per_page: int = 45) -> bytes:
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
