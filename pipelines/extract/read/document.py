"""A file's bytes as a Document: the text to parse, and what its conversion already knows.

Every file becomes a Document, even one with no text in it (a binary file, a file too large,
a copy of another): its `text` is then None and its findings say why, and it goes through the
same parse as every other (parse_documents gives it a report with no cells).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.extract.findings import Finding
from pipelines.extract.read.formats import HTML, TEXT, convert
from pipelines.extract.read.formats.cache import ConversionCache
from pipelines.extract.read.layout import Layout


@dataclass(frozen=True)
class Document:
    """A report's text, ready to parse, and what its conversion already knows."""

    source: str
    text: str | None  # None: nothing to parse (the findings say why)
    format: str = TEXT
    encoding: str | None = None
    line_map: tuple[int, ...] | None = None  # source line of each text line, when converted
    findings: tuple[Finding, ...] = ()
    layout: Layout | None = None  # the format's structure, where its conversion kept it (PDF)
    data: bytes | None = None  # the page's bytes (HTML), to rebuild its layout if ever needed


def unreadable(source: str, *findings: Finding) -> Document:
    """A file rejected before it was converted (unreadable, too large, a copy of another)."""
    return Document(source, None, findings=findings)


def open_document(data: bytes, source: str, sha256: str = "", cache: ConversionCache | None = None) -> Document:
    """A file's bytes converted to text. With a `cache` (and the bytes' `sha256`), a PDF read
    before is not read again."""
    converted = cache.convert(data, sha256) if cache is not None and sha256 else convert(data)
    return Document(
        source,
        converted.text,
        converted.format,
        converted.encoding,
        converted.line_map,
        tuple(converted.findings),
        converted.layout,
        data if converted.format == HTML and converted.text is not None else None,
    )
