"""Reports as published: plain text, HTML pages, Word (.docx) and text-layer PDFs.

Every format becomes the same thing: text in the layout the parser reads (tables as
tab-indented cells, one table row per block), plus, where the format has one, the source line
each text line came from. The format is detected from the bytes, never from the file name.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass, field
from io import BytesIO

from pipelines.extract.findings import Finding
from pipelines.extract.read.decode import decode
from pipelines.extract.read.formats.limits import MAX_MEMBERS, TooComplex
from pipelines.extract.read.layout import Layout

TEXT = "text"
HTML = "html"
DOCX = "docx"
PDF = "pdf"

PDF_MAGIC = b"%PDF-"  # how every PDF file opens
_HTML_SNIFF = re.compile(rb"<!doctype\s+html|<html[\s>]|<body[\s>]|<table[\s>]", re.IGNORECASE)
# A fragment of a page (a portal CMS's article body): it opens with a block element and
# closes elements, e.g. `<div class=TRS_Editor><p style=...>…</p>`.
_FRAGMENT_SNIFF = re.compile(rb"^\s*<(?:div|p|section|article|span|table|h[1-6])[\s>]", re.IGNORECASE)
_CLOSING = re.compile(rb"</(?:p|div|span|td|tr|table)>", re.IGNORECASE)
# How far to look: a converter's Markdown may hold its tables as HTML after pages of text.
_SNIFF_BYTES = 1 << 16


@dataclass(frozen=True)
class Converted:
    text: str | None
    format: str
    encoding: str | None
    # line_map[i] is the source line of text line i + 1 (None: text lines are the source lines)
    line_map: tuple[int, ...] | None = None
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    # the format's own structure (tables as grids, PDF positions) for the real-report reader
    layout: Layout | None = None


_DOCX_MEMBER = b"word/document.xml"  # a member's name is stored uncompressed, in its headers


def declared_members(data: bytes) -> int | None:
    """The number of members a zip's end-of-central-directory record declares (None: no record),
    read before zipfile builds a ZipInfo for each of them."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if at < 0 or at + 22 > len(data):
        return None
    (count,) = struct.unpack_from("<H", data, at + 10)
    locator = at - 20  # a zip64 archive keeps the real count in its own record
    if count == 0xFFFF and locator >= 0 and data.startswith(b"PK\x06\x07", locator):
        (record,) = struct.unpack_from("<Q", data, locator + 8)
        if data.startswith(b"PK\x06\x06", record) and record + 40 <= len(data):
            (count,) = struct.unpack_from("<Q", data, record + 32)
    return count


def detect_format(data: bytes) -> str:
    if data.startswith(PDF_MAGIC):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        if (declared_members(data) or 0) > MAX_MEMBERS:  # too many for zipfile to list: docx_to_text refuses it
            return DOCX if _DOCX_MEMBER in data else TEXT
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                if _DOCX_MEMBER.decode() in archive.namelist():  # the central directory only: nothing inflates
                    return DOCX
        except zipfile.BadZipFile:
            pass
        return TEXT  # some other zip: decoding will call it binary
    head = data[:_SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: sniff the decoded text
        head = head.decode("utf-16", errors="ignore").encode()
    if _HTML_SNIFF.search(head) or (_FRAGMENT_SNIFF.match(head) and len(_CLOSING.findall(head[:4096])) >= 3):
        return HTML
    return TEXT


def convert(data: bytes) -> Converted:
    """Bytes of any supported format → text the parser reads."""
    kind = detect_format(data)
    try:
        if kind == PDF:
            from pipelines.extract.read.formats.pdf import pdf_to_text

            return pdf_to_text(data)
        if kind == DOCX:
            from pipelines.extract.read.formats.docx import docx_to_text

            return docx_to_text(data)
        if kind == HTML:
            from pipelines.extract.read.formats.html import html_to_text

            return html_to_text(data)
    except TooComplex as refused:  # a container beyond a limit (limits.py): never parsed
        return Converted(None, kind, None, findings=(Finding("file_too_complex", str(refused)),))
    except MemoryError:  # the worker's memory cap: its supervisor rejects the file (workers.py)
        raise
    except Exception as exc:  # a damaged file of a known format: a finding, never a crash
        return Converted(None, kind, None, findings=(Finding("not_text", f"cannot read this {kind} file: {exc}"),))
    decoded = decode(data)
    return Converted(decoded.text, TEXT, decoded.encoding, findings=decoded.findings)
