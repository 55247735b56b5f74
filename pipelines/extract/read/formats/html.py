"""HTML pages (as government portals publish reports) → text in the tab-indented layout.

Parsed with lxml's HTML parser. Each table row becomes a block of tab-started cells, exactly
what Word's text export gives, so a `rowspan` group label appears once and a `<br>` inside a
cell continues the cell. Every text line keeps the source line of the element it came from.

The page is read in C: one XSLT pass (libxslt) writes each text unit (a cell, a row, a block's
text, the text between blocks) with its source line, and Python only strips and joins the
units. The Python walk over the tree (`_walk`, `_layout_walk`) is the reference, and is still
taken for the few pages the XSLT pass cannot read exactly as it does (see `_walk_needed`).

Hostile pages are bounded (limits.py): the parser is lxml's HTMLParser, which expands no entity
declarations (an HTML parser reads no DTD), fetches nothing (`no_network`), and keeps libxml2's
own limits (`huge_tree` off); its elements and cells are counted on the text before it builds a
tree, and where libxml2 stopped at one of its own limits the page is refused, not read truncated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import compress
from operator import add

from lxml import etree

from pipelines.extract.findings import Finding
from pipelines.extract.read.decode import decode
from pipelines.extract.read.formats import HTML, Converted
from pipelines.extract.read.formats.limits import MAX_HTML_CELLS, MAX_HTML_CHARS, MAX_HTML_ELEMENTS, exceeded
from pipelines.extract.read.layout import Layout, Line, Piece

_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)
_SKIP = {"script", "style", "head", "noscript", "template", "iframe"}
_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "main", "nav", "aside", "center", "blockquote",
    "pre", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "form",
    "address", "figure", "figcaption", "hr",
}  # fmt: skip
_SPACES = re.compile(r"[ \t\r\f\v]+")
# lxml's plain HTML parser: its elements need no Python class lookup, unlike lxml.html's. The
# defaults that bound it are spelled out: no network access, libxml2's limits kept (no huge tree).
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, huge_tree=False)


def _parse(text: str) -> etree._Element | None:
    """The page's tree, once the page is known to be within the limits (else TooComplex)."""
    if len(text) > MAX_HTML_CHARS:
        raise exceeded(f"the page has {len(text):,} characters", "MAX_HTML_CHARS")
    # counted at C speed, on the text: a cell is a `<td` or `<th` (not `<thead`), an element a `<`
    # that opens no end tag, comment or doctype (a bound: a stray `<` in the text counts too)
    if text.count("<t") + text.count("<T") > MAX_HTML_CELLS:
        lower = text.lower()
        cells = lower.count("<td") + lower.count("<th") - lower.count("<thead")
        if cells > MAX_HTML_CELLS:
            raise exceeded(f"the page has {cells:,} table cells", "MAX_HTML_CELLS")
    elements = text.count("<") - text.count("</") - text.count("<!")
    if elements > MAX_HTML_ELEMENTS:
        raise exceeded(f"the page has {elements:,} elements", "MAX_HTML_ELEMENTS")
    root = etree.fromstring(text, _PARSER)
    for error in _PARSER.error_log:  # libxml2 stopped at a limit of its own: the tree is cut short
        if error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
            where = f"at line {error.line} ({error.message.strip()})"
            if "depth" in error.message:
                raise exceeded(f"the page nests elements deeper {where}", "MAX_HTML_DEPTH")
            raise exceeded(f"a text or an attribute of the page is longer {where}", "MAX_HTML_TEXT_NODE_CHARS")
    return root


def _decode(data: bytes) -> tuple[str | None, str | None, tuple[Finding, ...]]:
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode().lower()
        name = "gb18030" if name in {"gb2312", "gbk", "gb18030"} else name
        try:
            return data.decode(name), name, ()
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: detect instead
    decoded = decode(data)
    return decoded.text, decoded.encoding, decoded.findings


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.sources: list[int] = []

    def add(self, text: str, source: int | None) -> None:
        self.lines.append(text)
        self.sources.append(source or (self.sources[-1] if self.sources else 1))


def _text_lines(element: etree._Element) -> list[str]:
    """The element's text lines (a `<br>` or a block inside it breaks a line: `_mark_breaks`
    put newlines there), whitespace collapsed, empty lines dropped."""
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(element.itertext()).split("\n"))
    return [line for line in lines if line]


def _mark_breaks(root: etree._Element) -> None:
    """Drop what is never text (scripts, comments) and put a newline at every `<br>` and
    around every block, so that text lines can be read off `itertext` in C."""
    etree.strip_elements(root, *_SKIP, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in root.iter(*_BLOCK):
        block.text = "\n" + (block.text or "")
        block.tail = "\n" + (block.tail or "")


_OWN_ROWS = etree.XPath(".//tr[count(ancestor::table) = $depth]")  # not the rows of a nested table


def _table(table: etree._Element, out: _Writer) -> None:
    depth = int(table.xpath("count(ancestor-or-self::table)"))
    for row in _OWN_ROWS(table, depth=depth):
        out.add("", row.sourceline)
        for cell in row.iterchildren("td", "th"):
            text = "".join(cell.itertext())
            if "\n" in text:
                lines = _text_lines(cell)
            else:  # the common case: a one-line cell
                one = _SPACES.sub(" ", text).strip()
                lines = [one] if one else []
            out.add("\t" + (lines[0] if lines else ""), cell.sourceline)
            for more in lines[1:]:
                out.add(more, cell.sourceline)
    out.add("", table.sourceline)


def _walk(element: etree._Element, out: _Writer) -> None:
    if not isinstance(element.tag, str) or element.tag in _SKIP:
        return
    if element.tag == "table":
        _table(element, out)
        return
    has_blocks = any(isinstance(child.tag, str) and child.tag in _BLOCK for child in element)
    if not has_blocks:
        for line in _text_lines(element):
            out.add(line, element.sourceline)
        return
    if element.text and element.text.strip():
        out.add(_SPACES.sub(" ", element.text).strip(), element.sourceline)
    for child in element:
        _walk(child, out)
        if child.tail and child.tail.strip():
            out.add(_SPACES.sub(" ", child.tail).strip(), child.sourceline)


# --- the fast path: the units in one XSLT pass, in C --------------------------------------------
#
# The stylesheet reads the tree exactly as `_walk`/`_layout_walk` do, without changing it: text in
# `_SKIP` elements is left out, a `<br>` ends a line and a block starts and ends one (where
# `_mark_breaks` puts its newlines). It writes a unit per thing the walk writes, as
# `MARK line MARK kind MARK text`, the line being the element's source line (libxml2's own
# `sourceline`, as `saxon:line-number()`; -1 where it has none), so that a split on MARK and three
# list slices take the units apart. The kinds:
#   B  an element without block children: its text (lines to strip; empty ones are dropped)
#   L  text between blocks: a block's text, or a child's tail, up to the next element
#   T  a table starts (for the layout's grid numbers)    R  a row    E  the table ends
#   C  a cell: its text (in the layout, `rowspan SEP colspan SEP text`)
# A table's rows are its `tr`s outside nested tables, as `_OWN_ROWS` finds them, in document order.
_MARK, _SEP = "\ufdd0", "\ufdd1"  # Unicode noncharacters: for a program's internal use, never text
_TAB, _BLANK = "\ufdd2", "\ufdd3"  # a cell's leading tab, a row's empty line (kept apart from text)


def _stylesheet(layout: bool) -> etree.XSLT:
    def unit(kind: str) -> str:
        line = '<xsl:value-of select="saxon:line-number()"/>'
        return f"<xsl:text>&#xFDD0;</xsl:text>{line}<xsl:text>&#xFDD0;{kind}&#xFDD0;</xsl:text>"

    skip, block = "|".join(sorted(_SKIP)), "|".join(sorted(_BLOCK))
    # `child.tag in _BLOCK` (a tag name never holds a space)
    has_blocks = "*[contains(' " + " ".join(sorted(_BLOCK)) + " ', concat(' ', local-name(), ' '))]"
    spans = (
        '<xsl:value-of select="@rowspan"/><xsl:text>&#xFDD1;</xsl:text>'
        '<xsl:value-of select="@colspan"/><xsl:text>&#xFDD1;</xsl:text>'
    )
    xslt = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
        xmlns:saxon="http://icl.com/saxon" exclude-result-prefixes="saxon">
    <xsl:output method="text" encoding="UTF-8"/>
    <xsl:template match="/">
      <xsl:choose>
        <xsl:when test="*[1]/body"><xsl:apply-templates select="*[1]/body[1]" mode="walk"/></xsl:when>
        <xsl:otherwise><xsl:apply-templates select="*[1]" mode="walk"/></xsl:otherwise>
      </xsl:choose>
    </xsl:template>

    <xsl:template match="{skip}" mode="walk"/>
    <xsl:template match="table" mode="walk">
      {unit("T") if layout else ""}<xsl:apply-templates mode="rows"/>{unit("E")}{unit("L")}
    </xsl:template>
    <xsl:template match="*" mode="walk">
      <xsl:choose>
        <xsl:when test="{has_blocks}">{unit("L")}<xsl:apply-templates mode="walk"/></xsl:when>
        <xsl:otherwise>{unit("B")}<xsl:apply-templates mode="text"/></xsl:otherwise>
      </xsl:choose>
      {unit("L")}
    </xsl:template>

    <xsl:template match="table|{skip}" mode="rows"/>
    <xsl:template match="text()" mode="rows"/>
    <xsl:template match="tr" mode="rows">
      {unit("R")}<xsl:apply-templates mode="cells"/>
      <xsl:if test=".//tr"><xsl:apply-templates mode="rows"/></xsl:if>
    </xsl:template>
    <xsl:template match="td|th" mode="cells">
      {unit("C")}{spans if layout else ""}<xsl:apply-templates mode="text"/>
    </xsl:template>
    <xsl:template match="*|text()" mode="cells"/>

    <xsl:template match="{skip}" mode="text"/>
    <xsl:template match="{block}" mode="text">
      <xsl:text>&#10;</xsl:text><xsl:apply-templates mode="text"/><xsl:text>&#10;</xsl:text>
    </xsl:template>
    <xsl:template match="br" mode="text"><xsl:apply-templates mode="text"/><xsl:text>&#10;</xsl:text></xsl:template>
    </xsl:stylesheet>"""
    # the stylesheet is ours and needs nothing outside the page: no files, no network, no regexes
    return etree.XSLT(etree.XML(xslt), access_control=etree.XSLTAccessControl.DENY_ALL, regexp=False)


_TEXT_UNITS = _stylesheet(layout=False)
_LAYOUT_UNITS = _stylesheet(layout=True)
# What the XSLT pass cannot read as the walk does. Text that lxml refuses (C0 controls, U+FFFE,
# U+FFFF): `_mark_breaks` raises on it, and the walk must raise too. The marks themselves.
# A character reference that could stand for either. More lines than libxml2 numbers exactly
# (past 65534 lines, `sourceline` and `saxon:line-number()` disagree).
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ufdd0-\ufdd3]")
_REFUSED_REF = re.compile(
    r"&#(?:[xX]0*(?:[0-9a-fA-F]{1,2}|[fF][dD][dD][0-3]|[fF]{3}[eEfF])(?![0-9a-fA-F])"
    r"|0*(?:\d{1,2}|6497[6-9]|6553[45])(?!\d))"
)
_MAX_LINES = 65000


def _walk_needed(text: str) -> bool:
    """Whether the page must be read by the walk (the reference) rather than by the XSLT pass."""
    if _REFUSED.search(text) or ("&#" in text and _REFUSED_REF.search(text)):
        return True
    return len(text) > _MAX_LINES and text.count("\n") + text.count("\r") > _MAX_LINES


def _units(stylesheet: etree.XSLT, root: etree._Element, text: str) -> tuple[list[str], list[str], list[str]] | None:
    """The page's units as (source lines, kinds, texts), None where the walk must read it."""
    if _walk_needed(text):
        return None
    try:
        units = str(stylesheet(root.getroottree())).split(_MARK)
    except etree.XSLTError:
        return None
    return units[1::3], units[2::3], units[3::3]


def _sources(lines: Iterable[str]) -> list[int]:
    """The units' lines as `_Writer.add` keeps them: one libxml2 did not number takes the one before."""
    sources = list(map(int, lines))
    if sources and min(sources) <= 0:
        last = 1
        for i, line in enumerate(sources):
            last = sources[i] = line if line > 0 else last
    return sources


_PREFIX = {"C": _TAB, "R": _BLANK, "E": _BLANK, "L": "", "B": ""}


def _text_from_units(lines: list[str], kinds: list[str], raws: list[str]) -> tuple[str, tuple[int, ...]]:
    """The units as `_walk` writes them: every text stripped, whitespace collapsed, empty lines
    dropped except a row's and a cell's first. Done a list at a time (map, compress, join)."""
    texts = list(map(add, map(_PREFIX.__getitem__, kinds), map(str.strip, raws)))
    for i in [i for i, text in enumerate(texts) if "\n" in text]:
        if kinds[i] == "L":
            continue  # text between blocks is one line, as in `_walk`, even where it spans several
        cell = [line for line in map(str.strip, raws[i].split("\n")) if line]
        if kinds[i] == "C":
            cell[:1] = [_TAB + cell[0]] if cell else [_TAB]
        texts[i] = "\n".join(cell)
        lines[i] = "\n".join([lines[i]] * len(cell))
    kept = list(filter(None, texts))
    if not kept:
        return "", ()
    sources = _sources("\n".join(compress(lines, texts)).split("\n"))
    text = "\n".join(kept)
    # stripping before collapsing spaces gives what collapsing and then stripping gives; most
    # pages have nothing to collapse
    if "  " in text or "\t" in text or "\r" in text or "\f" in text or "\v" in text:
        text = _SPACES.sub(" ", text)
    return text.replace(_TAB, "\t").replace(_BLANK, ""), tuple(sources)


def html_to_text(data: bytes) -> Converted:
    text, encoding, findings = _decode(data)
    if text is None:
        return Converted(None, HTML, encoding, findings=findings)
    text = text.lstrip("\ufeff")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str input with an XML declaration
    root = _parse(text)
    if root is None:
        return Converted(None, HTML, encoding, findings=(Finding("not_text", "an HTML file with no content"),))
    units = _units(_TEXT_UNITS, root, text)
    if units is not None:
        joined, sources = _text_from_units(*units)
        return Converted(joined, HTML, encoding, sources, findings)
    _mark_breaks(root)
    out = _Writer()
    body = root.find("body")
    _walk(body if body is not None else root, out)
    return Converted("\n".join(out.lines), HTML, encoding, tuple(out.sources), findings)


# --- the layout: tables as grids, for the real-report reader ---------------------------------


def _grid(table: etree._Element, grid: int, out: list[Line]) -> None:
    """A table's rows with `rowspan`/`colspan` expanded: each cell is a piece at its first
    column, in its first row; positions it covers get nothing; an empty cell is a blank piece."""
    depth = int(table.xpath("count(ancestor-or-self::table)"))
    covered: dict[tuple[int, int], bool] = {}
    for r, row in enumerate(_OWN_ROWS(table, depth=depth)):
        pieces: list[Piece] = []
        col = 0
        for cell in row.iterchildren("td", "th"):
            while covered.get((r, col)):
                col += 1
            rowspan = _span(cell.get("rowspan"))
            colspan = _span(cell.get("colspan"))
            text = "\n".join(_text_lines(cell))
            pieces.append(Piece(text, cell.sourceline or row.sourceline or 1, col=col, x=float(col)))
            for dr in range(rowspan):
                for dc in range(colspan):
                    covered[(r + dr, col + dc)] = True
            col += colspan
        if pieces:
            out.append(Line(tuple(pieces), pieces[0].line, grid=grid, row=r))


def _span(value: str | None) -> int:
    """A rowspan/colspan attribute as a sane count (junk and zero are 1; huge spans are capped)."""
    try:
        return min(max(int(str(value).strip()), 1), 100)
    except ValueError:
        return 1


def _layout_walk(element: etree._Element, out: list[Line], grids: list[int]) -> None:
    if not isinstance(element.tag, str) or element.tag in _SKIP:
        return
    if element.tag == "table":
        grids[0] += 1
        _grid(element, grids[0], out)
        return
    has_blocks = any(isinstance(child.tag, str) and child.tag in _BLOCK for child in element)
    if not has_blocks:
        for text in _text_lines(element):
            out.append(Line((Piece(text, element.sourceline or 1),), element.sourceline or 1))
        return
    _loose_text(element.text, element.sourceline or 1, out)
    for child in element:
        _layout_walk(child, out, grids)
        _loose_text(child.tail, child.sourceline or 1, out)


def _loose_text(text: str | None, line: int, out: list[Line]) -> None:
    """Text between blocks (Markdown around a converter's HTML tables): a line per line."""
    for piece in (text or "").split("\n"):
        piece = _SPACES.sub(" ", piece).strip()
        if piece:
            out.append(Line((Piece(piece, line),), line))


def _split_lines(text: str) -> list[str]:
    """`_text_lines` of a unit's text."""
    return [line for line in (_SPACES.sub(" ", line).strip() for line in text.split("\n")) if line]


def _layout_from_units(lines: list[str], kinds: list[str], raws: list[str]) -> Layout:
    """The units as `_layout_walk` writes them: text lines, and tables as grids (see `_grid`)."""
    out: list[Line] = []
    grid, row, row_line, col = -1, -1, 1, 0
    covered: dict[tuple[int, int], bool] = {}
    pieces: list[Piece] = []
    for line, kind, raw in zip(map(int, lines), kinds, raws, strict=True):
        if kind == "C":
            rowspan, colspan, raw = raw.split(_SEP, 2)
            while covered.get((row, col)):
                col += 1
            rows, cols = _span(rowspan), _span(colspan)
            text = "\n".join(_split_lines(raw))
            pieces.append(Piece(text, line if line > 0 else row_line, col=col, x=float(col)))
            for dr in range(rows):
                for dc in range(cols):
                    covered[(row + dr, col + dc)] = True
            col += cols
            continue
        if pieces:  # a row ends where the next row or the table's end begins
            out.append(Line(tuple(pieces), pieces[0].line, grid=grid, row=row))
            pieces = []
        if kind == "R":
            row, row_line, col = row + 1, line if line > 0 else 1, 0
        elif kind == "T":
            grid, row, covered = grid + 1, -1, {}
        elif kind == "L" or kind == "B":
            line = line if line > 0 else 1
            out.extend(Line((Piece(text, line),), line) for text in _split_lines(raw))
    return tuple(out)


def html_layout(data: bytes) -> Layout:
    """The page's layout: block text as lines, tables as grids (see `_grid`)."""
    text, _encoding, _findings = _decode(data)
    if text is None:
        return ()
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text.lstrip("\ufeff"))
    root = _parse(text)
    if root is None:
        return ()
    units = _units(_LAYOUT_UNITS, root, text)
    if units is not None:
        return _layout_from_units(*units)
    _mark_breaks(root)
    out: list[Line] = []
    body = root.find("body")
    _layout_walk(body if body is not None else root, out, [-1])
    return tuple(out)
