"""Word documents (.docx) → text in the tab-indented layout, and the document's layout.

Read with python-docx. Body paragraphs and tables are taken in document order. In the text,
each physical table cell (`w:tc`) is one tab-started cell, so a vertically merged cell appears
once and its continuation cells are empty placeholders, as in Word's own text export. In the
layout (layout.py), each table is a grid: a cell is a piece at its column (`w:gridSpan`
counted), a cell continuing a vertical merge (`w:vMerge` without `restart`) is covered and
gives nothing, and an empty cell is a blank. Line numbers are those of the text.

Before python-docx opens the package, the zip is measured (`check_package`, limits.py): its
members from the central directory, and word/document.xml by inflating it in counted chunks. It
stays python-docx, which builds the whole tree, rather than a streaming read of the XML: it finds
the main part through the package's relationships and refuses what is not a Word document, which
a stream of word/document.xml would have to redo to give the same output, and the limits already
bound the tree (a document.xml at the limit: 2.9 s, 361 MB). Its XML parser resolves no entities
and has no huge-tree mode.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

import docx
from docx.oxml.ns import qn

from pipelines.extract.read.formats import DOCX, Converted, declared_members
from pipelines.extract.read.formats.limits import (
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    RATIO_CHECKED_BYTES,
    READ_CHUNK_BYTES,
    TooComplex,
    exceeded,
)
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


def check_package(data: bytes) -> None:
    """Refuse (TooComplex) a package that would unpack to more than any report: too many members,
    a member or all of them too large once inflated, or inflating too many times over."""
    count = declared_members(data)
    if count is not None and count > MAX_MEMBERS:
        raise exceeded(f"the zip declares {count:,} members", "MAX_MEMBERS")
    with zipfile.ZipFile(BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise exceeded(f"the zip has {len(members):,} members", "MAX_MEMBERS")
        total = 0
        for member in members:
            if member.file_size > MAX_MEMBER_BYTES:
                raise exceeded(f"{member.filename} inflates to {member.file_size:,} bytes", "MAX_MEMBER_BYTES")
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > RATIO_CHECKED_BYTES and ratio > MAX_RATIO:
                raise exceeded(f"{member.filename} inflates {ratio:,.0f} times over", "MAX_RATIO")
            total += member.file_size
        if total > MAX_TOTAL_BYTES:
            raise exceeded(f"the zip's members inflate to {total:,} bytes", "MAX_TOTAL_BYTES")
        _inflate_within(archive, "word/document.xml")


def _inflate_within(archive: zipfile.ZipFile, name: str) -> None:
    """Inflate a member in chunks, keeping none: zipfile stops at the size the central directory
    declares (a member whose data goes on fails its CRC); the count checks that it did."""
    declared, size = archive.getinfo(name).file_size, 0
    with archive.open(name) as member:
        while chunk := member.read(READ_CHUNK_BYTES):
            size += len(chunk)
            if size > declared:
                raise TooComplex(
                    f"{name} inflates past the {declared:,} bytes its zip declares (limits.MAX_MEMBER_BYTES)"
                )


def docx_to_text(data: bytes) -> Converted:
    check_package(data)
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
