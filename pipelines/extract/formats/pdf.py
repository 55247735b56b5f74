"""Text-layer PDFs → text, read with pypdf.

A table row comes out as one line of space-separated cells (`规章 0 0 0`), which the parser
reads as the space-separated layout. The page number printed at the foot of each page is
blanked, so it is never taken for a value. Line numbers are those of the extracted text.
"""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from pipelines.extract.findings import Finding
from pipelines.extract.formats import PDF, Converted


def _drop_page_number(lines: list[str], page_number: int) -> list[str]:
    for index in (len(lines) - 1, 0):  # footer first, then header
        if lines and lines[index].strip().strip("-—– ") == str(page_number):
            lines = [*lines[:index], "", *lines[index + 1 :]]
    return lines


def pdf_to_text(data: bytes) -> Converted:
    reader = PdfReader(BytesIO(data))
    lines: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        page_lines = (page.extract_text() or "").split("\n")
        while page_lines and not page_lines[-1].strip():
            page_lines.pop()
        lines += _drop_page_number(page_lines, number)
    if not any(line.strip() for line in lines):
        finding = Finding("not_text", "the PDF has no text layer (a scan?): OCR is not supported")
        return Converted(None, PDF, None, findings=(finding,))
    return Converted("\n".join(lines), PDF, "pdf")
