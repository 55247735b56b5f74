"""HTML pages (as government portals publish reports) → text in the tab-indented layout.

Parsed with lxml's HTML parser. Each table row becomes a block of tab-started cells, exactly
what Word's text export gives, so a `rowspan` group label appears once and a `<br>` inside a
cell continues the cell. Every text line keeps the source line of the element it came from.
"""

from __future__ import annotations

import re

from lxml import etree

from pipelines.extract.decode import decode
from pipelines.extract.findings import Finding
from pipelines.extract.formats import HTML, Converted
from pipelines.extract.layout import Layout, Line, Piece

_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)
_SKIP = {"script", "style", "head", "noscript", "template", "iframe"}
_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "main", "nav", "aside", "center", "blockquote",
    "pre", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "form",
    "address", "figure", "figcaption", "hr",
}  # fmt: skip
_SPACES = re.compile(r"[ \t\r\f\v]+")
# lxml's plain HTML parser: its elements need no Python class lookup, unlike lxml.html's
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)


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


def html_to_text(data: bytes) -> Converted:
    text, encoding, findings = _decode(data)
    if text is None:
        return Converted(None, HTML, encoding, findings=findings)
    text = text.lstrip("\ufeff")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str input with an XML declaration
    root = etree.fromstring(text, _PARSER)
    if root is None:
        return Converted(None, HTML, encoding, findings=(Finding("not_text", "an HTML file with no content"),))
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


def html_layout(data: bytes) -> Layout:
    """The page's layout: block text as lines, tables as grids (see `_grid`)."""
    text, _encoding, _findings = _decode(data)
    if text is None:
        return ()
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text.lstrip("\ufeff"))
    root = etree.fromstring(text, _PARSER)
    if root is None:
        return ()
    _mark_breaks(root)
    out: list[Line] = []
    body = root.find("body")
    _layout_walk(body if body is not None else root, out, [-1])
    return tuple(out)
