"""Word documents (.docx) → text in the tab-indented layout, read with python-docx.

Body paragraphs and tables are taken in document order. Each physical table cell (`w:tc`) is
one tab-started cell, so a vertically merged cell appears once and its continuation cells are
empty placeholders, as in Word's own text export. Line numbers are those of that text.
"""

from __future__ import annotations

from io import BytesIO

import docx
from docx.oxml.ns import qn

from pipelines.extract.formats import DOCX, Converted


def _cell_text(tc) -> list[str]:  # tc: a w:tc element
    lines: list[str] = []
    for paragraph in tc.iter(qn("w:p")):
        text = "".join(node.text or "" for node in paragraph.iter(qn("w:t"))).strip()
        if text:
            lines.append(text)
    return lines


def docx_to_text(data: bytes) -> Converted:
    document = docx.Document(BytesIO(data))
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            lines.append("".join(node.text or "" for node in block.iter(qn("w:t"))))
        elif block.tag == qn("w:tbl"):
            for row in block.iterchildren(qn("w:tr")):
                lines.append("")
                for tc in row.iterchildren(qn("w:tc")):
                    cell = _cell_text(tc)
                    lines.append("\t" + (cell[0] if cell else ""))
                    lines += cell[1:]
            lines.append("")
    return Converted("\n".join(lines), DOCX, "docx")
