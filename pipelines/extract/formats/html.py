"""HTML pages (as government portals publish reports) → text in the tab-indented layout.

Parsed with lxml's HTML parser. Each table row becomes a block of tab-started cells, exactly
what Word's text export gives, so a `rowspan` group label appears once and a `<br>` inside a
cell continues the cell. Every text line keeps the source line of the element it came from.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

from pipelines.extract.decode import decode
from pipelines.extract.findings import Finding
from pipelines.extract.formats import HTML, Converted

_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.IGNORECASE)
_SKIP = {"script", "style", "head", "noscript", "template", "iframe"}
_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "main", "nav", "aside", "center", "blockquote",
    "pre", "ul", "ol", "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "form",
    "address", "figure", "figcaption", "hr",
}  # fmt: skip
_SPACES = re.compile(r"[ \t\r\f\v]+")


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


def _text_lines(element: lxml_html.HtmlElement) -> list[str]:
    """The element's text, split where it has <br> or block children, whitespace collapsed."""
    pieces: list[str] = []

    def visit(node: lxml_html.HtmlElement) -> None:
        if not isinstance(node.tag, str) or node.tag in _SKIP:
            return
        if node.tag == "br" or (node.tag in _BLOCK and node is not element):
            pieces.append("\n")
        if node.text:
            pieces.append(node.text)
        for child in node:
            visit(child)
            if child.tail:
                pieces.append(child.tail)
        if node.tag in _BLOCK and node is not element:
            pieces.append("\n")

    visit(element)
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(pieces).split("\n")]
    return [line for line in lines if line]


def _table(table: lxml_html.HtmlElement, out: _Writer) -> None:
    for row in table.iter("tr"):
        if row.getparent() is not None and _owning_table(row) is not table:
            continue  # a row of a nested table
        out.add("", row.sourceline)
        for cell in row:
            if cell.tag not in ("td", "th"):
                continue
            lines = _text_lines(cell)
            out.add("\t" + (lines[0] if lines else ""), cell.sourceline)
            for more in lines[1:]:
                out.add(more, cell.sourceline)
    out.add("", table.sourceline)


def _owning_table(row: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    node = row.getparent()
    while node is not None and node.tag != "table":
        node = node.getparent()
    return node


def _walk(element: lxml_html.HtmlElement, out: _Writer) -> None:
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
    root = lxml_html.document_fromstring(text)
    out = _Writer()
    body = root.find("body")
    _walk(body if body is not None else root, out)
    return Converted("\n".join(out.lines), HTML, encoding, tuple(out.sources), findings)
