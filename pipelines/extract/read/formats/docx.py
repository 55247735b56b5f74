"""Word documents (.docx) → text in the tab-indented layout, and the document's layout.

Read with python-docx. Body paragraphs and tables are taken in document order. In the text,
each physical table cell (`w:tc`) is one tab-started cell, so a vertically merged cell appears
once and its continuation cells are empty placeholders, as in Word's own text export. In the
layout (layout.py), each table is a grid: a cell is a piece at its column (`w:gridSpan`
counted), a cell continuing a vertical merge (`w:vMerge` without `restart`) is covered and
gives nothing, and an empty cell is a blank. Line numbers are those of the text.
"""

from __future__ import annotations

from io import BytesIO

import docx
from docx.oxml.ns import qn

from pipelines.extract.read.formats import DOCX, Converted
from pipelines.extract.read.layout import Line, Piece


def _cell_text(tc) -> list[str]:  # tc: a w:tc element
    lines: list[str] = []
    for paragraph in tc.iter(qn("w:p")):
        text = "".join(node.text or "" for node in paragraph.iter(qn("w:t"))).strip()
        if text:
            lines.append(text)
    return lines


def _span(tc) -> int:
    span = tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}")
    try:
        return max(1, min(int(span.get(qn("w:val"))), 100)) if span is not None else 1
    except (TypeError, ValueError):
        return 1


def _continues_merge(tc) -> bool:
    merge = tc.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
    return merge is not None and merge.get(qn("w:val")) in (None, "continue")


def docx_to_text(data: bytes) -> Converted:
    document = docx.Document(BytesIO(data))
    lines: list[str] = []
    layout: list[Line] = []
    grid = -1
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            lines.append("".join(node.text or "" for node in block.iter(qn("w:t"))))
            if lines[-1].strip():
                layout.append(Line((Piece(lines[-1].strip(), len(lines)),), len(lines)))
        elif block.tag == qn("w:tbl"):
            grid += 1
            for r, row in enumerate(block.iterchildren(qn("w:tr"))):
                lines.append("")
                pieces: list[Piece] = []
                col = 0
                for tc in row.iterchildren(qn("w:tc")):
                    cell = _cell_text(tc)
                    lines.append("\t" + (cell[0] if cell else ""))
                    if not _continues_merge(tc):
                        pieces.append(Piece("\n".join(cell), len(lines), col=col, x=float(col)))
                    lines += cell[1:]
                    col += _span(tc)
                if pieces:
                    layout.append(Line(tuple(pieces), pieces[0].line, grid=grid, row=r))
            lines.append("")
    return Converted("\n".join(lines), DOCX, "docx", layout=tuple(layout))
