"""Text-layer PDFs → positioned lines and ruled-table grids, read from the page geometry.

Why geometry: the text order of a PDF (what pypdf's `extract_text` returned) loses the table grid:
on real reports whole rows of table 3 and all of table 4 came out scrambled. Here each page is read
with PDFium (pypdfium2: character boxes and the page's path objects, ~20× faster than pdfplumber,
see bench/pdf_bench.py): the ruling lines give each table's lattice, merged cells are the lattice
cells no ruling separates, and each character goes to the cell holding its centre. Text outside
tables is grouped into visual lines, split into pieces at wide gaps (like `pdftotext -layout`).

The result is a `Layout` (layout.py) in reading order, page by page, and a text with one line per
layout line (a grid row's cells, or a line's pieces, separated by two spaces), which the fast
parser reads as its space-separated rows. Page numbers printed at a page's head or foot are
dropped. Hostile files are bounded (limits.py, which also says which of PDFium's own safeguards
apply): page, object and character caps, and a pre-scan of the compressed streams, so that a
decompression bomb is refused before PDFium inflates it; a file beyond one is `file_too_complex`.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator
from ctypes import byref, c_float, c_int, c_uint
from dataclasses import dataclass
from itertools import pairwise

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from pipelines.extract.findings import Finding
from pipelines.extract.read.formats import PDF, Converted
from pipelines.extract.read.formats.limits import (
    MAX_FORM_DEPTH,
    MAX_FORM_EXPANSION,
    MAX_INFLATED_BYTES,
    MAX_PAGE_CHARS,
    MAX_PAGE_OBJECTS,
    MAX_PAGES,
    TooComplex,
    exceeded,
)
from pipelines.extract.read.layout import Layout, Line, Piece

SNAP = 2.0  # points: rulings this close are one line
JOIN = 3.0  # points: collinear rulings with a smaller gap are one line
THIN = 3.0  # points: a filled rectangle this thin is a ruling, a wider one is shading
SPACE_GAP = 0.15  # × line height: a wider gap between two characters is a space
WIDE_SPACE_GAP = 0.45  # the same between two CJK characters (distributed cell text spreads them ~0.3)
PIECE_GAP = 1.0  # × line height: a wider gap starts a new piece (a column)
MARGIN = 0.15  # share of the page height where page numbers are printed, at the head and foot

_PAGE_NUMBER = re.compile(
    r"^[-—–－_·•\s]*(?:第\s*)?(?:page\s*)?\d{1,4}(?:\s*页)?(?:\s*[/／]\s*\d{1,4}|\s*共\s*\d{1,4}\s*页)?[-—–－_·•\s]*$",
    re.IGNORECASE,
)

# text, x0, x1, top, bottom (points, y downwards), whether a space character came just before it
Char = tuple[str, float, float, float, float, bool]
Segment = tuple[float, float, float]  # position across, start, end along (points)
Transform = Callable[[float, float], tuple[float, float]]


class _Refused(Exception):
    """The file is readable but beyond a cap: its finding code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------------------------------
# the document


def pdf_to_text(data: bytes) -> Converted:
    """Read a text-layer PDF into a layout and its text; a finding instead when it cannot be read."""
    try:
        _check_streams(data)
        pages = _read_pages(data)
    except _Refused as refused:
        return Converted(None, PDF, None, findings=(Finding(refused.code, str(refused)),))
    except TooComplex as refused:
        return Converted(None, PDF, None, findings=(Finding("file_too_complex", str(refused)),))
    layout, text = _assemble(pages)
    if not layout:
        finding = Finding("not_text", "the PDF has no text layer (a scan?): OCR is not supported")
        return Converted(None, PDF, None, findings=(finding,))
    return Converted("\n".join(text), PDF, "pdf", layout=layout)


@dataclass
class _Item:
    """A grid row or a text line of one page, before line numbers are known."""

    top: float
    bottom: float
    pieces: list[tuple[str, int | None, float]]  # text, column, x
    table: int | None = None  # the table's index on its page
    row: int | None = None


def _read_pages(data: bytes) -> list[list[_Item]]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise _Refused("not_text", "the PDF is encrypted with a password: its text cannot be read") from exc
        raise _Refused("not_text", f"cannot read this PDF: {exc}") from exc
    try:
        count = len(document)
        if count > MAX_PAGES:
            raise exceeded(f"the PDF has {count:,} pages", "MAX_PAGES")
        return [_read_page(document, index) for index in range(count)]
    finally:
        document.close()


def _assemble(pages: list[list[_Item]]) -> tuple[Layout, list[str]]:
    """Number the lines in reading order and give each table a document-wide grid number."""
    lines: list[Line] = []
    text: list[str] = []
    grid = -1
    for number, items in enumerate(pages, start=1):
        grids: dict[int, int] = {}
        for item in items:
            line_no = len(lines) + 1
            if item.table is not None and item.table not in grids:
                grid += 1
                grids[item.table] = grid
            pieces = tuple(Piece(t, line_no, col, round(x, 2), number) for t, col, x in item.pieces)
            table = None if item.table is None else grids[item.table]
            lines.append(Line(pieces, line_no, table, item.row, number))
            text.append("  ".join(t.replace("\n", "") for t, _, _ in item.pieces))
    return tuple(lines), text


# ---------------------------------------------------------------------------------------------
# one page


def _read_page(document: pdfium.PdfDocument, index: int) -> list[_Item]:
    page = document[index]
    textpage = None
    try:
        to_display, height = _display_transform(page.raw)
        paths = _objects(page.raw, index + 1)
        segments = _rulings(paths, to_display)
        textpage = page.get_textpage()
        chars = _chars(textpage.raw, to_display, index + 1)
    finally:
        if textpage is not None:
            textpage.close()
        page.close()
    tables = _tables(*segments)
    items, loose = _fill_tables(tables, chars)
    items += [_Item(min(c[3] for c in line), max(c[4] for c in line), _runs(line)) for line in _visual_lines(loose)]
    items.sort(key=lambda item: (item.top, item.table is None, item.row or 0))
    return _drop_page_numbers(items, height)


def _display_transform(page: object) -> tuple[Transform, float]:
    """PDF user space → points from the top-left corner of the page as displayed (rotation
    applied), and the displayed page's height."""
    x0, y0, x1, y1 = c_float(), c_float(), c_float(), c_float()  # user space (the bounding box is rotated)
    corners = byref(x0), byref(y0), byref(x1), byref(y1)
    if not (pdfium_c.FPDFPage_GetCropBox(page, *corners) or pdfium_c.FPDFPage_GetMediaBox(page, *corners)):
        x0.value, y0.value, x1.value, y1.value = 0.0, 0.0, 612.0, 792.0  # the PDF default
    left, right = min(x0.value, x1.value), max(x0.value, x1.value)
    bottom, top = min(y0.value, y1.value), max(y0.value, y1.value)
    rotation = pdfium_c.FPDFPage_GetRotation(page) % 4
    if rotation == 1:  # 90° clockwise
        return (lambda x, y: (y - bottom, x - left)), right - left
    if rotation == 2:
        return (lambda x, y: (right - x, y - bottom)), top - bottom
    if rotation == 3:
        return (lambda x, y: (top - y, right - x)), right - left
    return (lambda x, y: (x - left, top - y)), top - bottom


def _chars(textpage: object, to_display: Transform, page_no: int) -> list[Char]:
    """The page's printed characters with their loose boxes (the font's full height and advance)."""
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count > MAX_PAGE_CHARS:
        counted = f"at least {count:,}" if count >= 32_767 else f"{count:,}"  # where PDFium stops counting
        raise exceeded(f"page {page_no} has {counted} characters", "MAX_PAGE_CHARS")
    box = pdfium_c.FS_RECTF()
    chars: list[Char] = []
    pending_high = 0
    space = False
    for i in range(count):
        if pdfium_c.FPDFText_IsGenerated(textpage, i):  # PDFium's own spaces and line breaks
            continue
        code = pdfium_c.FPDFText_GetUnicode(textpage, i)
        if 0xD800 <= code < 0xDC00:  # a surrogate pair, in two halves
            pending_high = code
            continue
        if 0xDC00 <= code < 0xE000:
            if not pending_high:
                continue
            code, pending_high = 0x10000 + ((pending_high - 0xD800) << 10) + (code - 0xDC00), 0
        char = chr(code) if code < 0x110000 else "\ufffd"
        if char.isspace():
            space = True  # printed spaces count, beside the geometry (a substituted font's boxes overlap)
            continue
        if not char.isprintable():
            continue
        if not pdfium_c.FPDFText_GetLooseCharBox(textpage, i, box):
            continue
        x_a, y_a = to_display(box.left, box.top)
        x_b, y_b = to_display(box.right, box.bottom)
        x0, x1, top, bottom = min(x_a, x_b), max(x_a, x_b), min(y_a, y_b), max(y_a, y_b)
        if bottom - top <= 0.1:
            continue
        chars.append((char, x0, x1, top, bottom, space))
        space = False
    return chars


# ---------------------------------------------------------------------------------------------
# ruling lines


def _rulings(paths: list[tuple[object, _Matrix]], to_display: Transform) -> tuple[list[Segment], list[Segment]]:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) rulings drawn on the page.

    Stroked paths give their straight axis-parallel edges; filled thin rectangles (how Word and
    WPS often draw borders) give their centre line; wider fills are cell shading, and white or
    transparent paint draws nothing.
    """
    horizontal: list[Segment] = []
    vertical: list[Segment] = []
    matrix = pdfium_c.FS_MATRIX()
    for obj, (a, b, c, d, e, f) in paths:
        for points, stroked, filled in _subpaths(obj, matrix):
            shown = [to_display(a * x + c * y + e, b * x + d * y + f) for x, y in points]
            if stroked:
                for (x0, y0), (x1, y1) in pairwise(shown):
                    _add_edge(x0, y0, x1, y1, horizontal, vertical)
            elif filled and len(shown) >= 3:
                xs, ys = [p[0] for p in shown], [p[1] for p in shown]
                left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
                if bottom - top <= THIN and right - left > THIN:
                    horizontal.append(((top + bottom) / 2, left, right))
                elif right - left <= THIN and bottom - top > THIN:
                    vertical.append(((left + right) / 2, top, bottom))
    return horizontal, vertical


def _add_edge(x0: float, y0: float, x1: float, y1: float, horizontal: list[Segment], vertical: list[Segment]) -> None:
    if abs(y1 - y0) <= 0.5 and abs(x1 - x0) > 1:
        horizontal.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x1 - x0) <= 0.5 and abs(y1 - y0) > 1:
        vertical.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


_Matrix = tuple[float, float, float, float, float, float]


def _compose(inner: _Matrix, outer: _Matrix) -> _Matrix:
    a, b, c, d, e, f = inner
    p, q, r, s, t, u = outer
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _objects(page: object, page_no: int) -> list[tuple[object, _Matrix]]:
    """The page's path objects (forms walked), each with the matrix that maps it into page space;
    refused beyond MAX_PAGE_OBJECTS objects of all kinds."""
    identity: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack: list[tuple[object | None, _Matrix, int]] = [(None, identity, 0)]
    matrix = pdfium_c.FS_MATRIX()
    paths: list[tuple[object, _Matrix]] = []
    budget = MAX_PAGE_OBJECTS
    while stack:
        form, outer, depth = stack.pop()
        count = pdfium_c.FPDFPage_CountObjects(page) if form is None else pdfium_c.FPDFFormObj_CountObjects(form)
        budget -= max(count, 0)
        if budget < 0:
            drawn = MAX_PAGE_OBJECTS - budget
            raise exceeded(f"page {page_no} has at least {drawn:,} drawing objects", "MAX_PAGE_OBJECTS")
        for i in range(max(count, 0)):
            obj = pdfium_c.FPDFPage_GetObject(page, i) if form is None else pdfium_c.FPDFFormObj_GetObject(form, i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                paths.append((obj, outer))
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
                pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
                own = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
                stack.append((obj, _compose(own, outer), depth + 1))
    return paths


def _painted(get_color: Callable[..., int], obj: object) -> bool:
    r, g, b, alpha = c_uint(), c_uint(), c_uint(), c_uint()
    if not get_color(obj, byref(r), byref(g), byref(b), byref(alpha)):
        return True
    return alpha.value > 0 and min(r.value, g.value, b.value) < 240  # white on white draws nothing


def _subpaths(obj: object, matrix: pdfium_c.FS_MATRIX) -> Iterator[tuple[list[tuple[float, float]], bool, bool]]:
    """A path object's straight subpaths, as points in the object's space (matrix applied here)."""
    fill_mode, stroke = c_int(), c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, byref(fill_mode), byref(stroke)):
        return
    stroked = bool(stroke.value) and _painted(pdfium_c.FPDFPageObj_GetStrokeColor, obj)
    filled = fill_mode.value != 0 and _painted(pdfium_c.FPDFPageObj_GetFillColor, obj)
    if not (stroked or filled):
        return
    pdfium_c.FPDFPageObj_GetMatrix(obj, matrix)
    a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
    x, y = c_float(), c_float()
    points: list[tuple[float, float]] = []
    curved = False
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        pdfium_c.FPDFPathSegment_GetPoint(segment, byref(x), byref(y))
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            if len(points) > 1 and not curved:
                yield points, stroked, filled
            points, curved = [point], False
            continue
        curved = curved or kind == pdfium_c.FPDF_SEGMENT_BEZIERTO
        points.append(point)
        if pdfium_c.FPDFPathSegment_GetClose(segment) and points:
            points.append(points[0])
    if len(points) > 1 and not curved:
        yield points, stroked, filled


# ---------------------------------------------------------------------------------------------
# tables from rulings


@dataclass
class _Table:
    xs: list[float]  # lattice column edges
    ys: list[float]  # lattice row edges
    group: list[list[int]]  # lattice cell -> its merged cell (-1: outside the table)
    cells: list[tuple[int, int, float, float]]  # merged cell -> row, column (compacted), left and top edges

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[0], self.xs[-1], self.ys[-1]


def _merge(segments: list[Segment]) -> list[Segment]:
    """Snap rulings at about the same position together and join those that touch."""
    merged: list[Segment] = []
    segments = sorted(segments)
    start = 0
    while start < len(segments):
        end = start + 1
        while end < len(segments) and segments[end][0] - segments[end - 1][0] <= SNAP:
            end += 1
        cluster = segments[start:end]
        position = sum(s[0] for s in cluster) / len(cluster)
        spans = sorted((s[1], s[2]) for s in cluster)
        low, high = spans[0]
        for a, b in spans[1:]:
            if a <= high + JOIN:
                high = max(high, b)
            else:
                merged.append((position, low, high))
                low, high = a, b
        merged.append((position, low, high))
        start = end
    return merged


def _tables(horizontal: list[Segment], vertical: list[Segment]) -> list[_Table]:
    """Tables: groups of crossing rulings, each read as a lattice of cells."""
    horizontal, vertical = _merge(horizontal), _merge(vertical)
    parent = list(range(len(horizontal) + len(vertical)))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, (y, x0, x1) in enumerate(horizontal):
        for j, (x, y0, y1) in enumerate(vertical):
            if x0 - JOIN <= x <= x1 + JOIN and y0 - JOIN <= y <= y1 + JOIN:
                parent[find(i)] = find(len(horizontal) + j)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, segment in enumerate(horizontal):
        groups.setdefault(find(i), ([], []))[0].append(segment)
    for j, segment in enumerate(vertical):
        groups.setdefault(find(len(horizontal) + j), ([], []))[1].append(segment)
    tables = [_lattice(h, v) for h, v in groups.values() if len(h) >= 2 and len(v) >= 2]
    return sorted((t for t in tables if t is not None), key=lambda t: (t.ys[0], t.xs[0]))


def _covered(segments: list[Segment], position: float, along: float) -> bool:
    return any(abs(p - position) <= SNAP and a - JOIN <= along <= b + JOIN for p, a, b in segments)


def _positions(segments: list[Segment]) -> list[float]:
    out: list[float] = []
    for position in sorted(s[0] for s in segments):
        if not out or position - out[-1] > SNAP:
            out.append(position)
    return out


def _lattice(horizontal: list[Segment], vertical: list[Segment]) -> _Table | None:
    """Merged cells: the lattice cells that no ruling separates, kept when ruled all round."""
    xs, ys = _positions(vertical), _positions(horizontal)
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 1:
        return None
    mid_x = [(xs[j] + xs[j + 1]) / 2 for j in range(n_cols)]
    mid_y = [(ys[i] + ys[i + 1]) / 2 for i in range(n_rows)]
    # wall[i][k]: a vertical ruling at xs[k] in lattice row i; floor[k][j]: horizontal at ys[k] in column j
    wall = [[_covered(vertical, xs[k], mid_y[i]) for k in range(n_cols + 1)] for i in range(n_rows)]
    floor = [[_covered(horizontal, ys[k], mid_x[j]) for j in range(n_cols)] for k in range(n_rows + 1)]
    parent = list(range(n_rows * n_cols))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i in range(n_rows):
        for j in range(n_cols):
            if j + 1 < n_cols and not wall[i][j + 1]:
                parent[find(i * n_cols + j + 1)] = find(i * n_cols + j)
            if i + 1 < n_rows and not floor[i + 1][j]:
                parent[find((i + 1) * n_cols + j)] = find(i * n_cols + j)
    open_roots = set()  # merged cells that reach the lattice's edge where no ruling closes them
    for i in range(n_rows):
        for j in range(n_cols):
            edges: tuple[bool, ...] = (j == 0 and not wall[i][0], j == n_cols - 1 and not wall[i][n_cols])
            edges += (i == 0 and not floor[0][j], i == n_rows - 1 and not floor[n_rows][j])
            if any(edges):
                open_roots.add(find(i * n_cols + j))
    anchors: dict[int, tuple[int, int]] = {}
    for i in range(n_rows):
        for j in range(n_cols):
            root = find(i * n_cols + j)
            if root not in open_roots:
                row, col = anchors.get(root, (i, j))
                anchors[root] = (min(row, i), min(col, j))
    if len(anchors) < 2:  # a frame around text is not a table
        return None
    rows = sorted({i for i, _ in anchors.values()})
    cols = sorted({j for _, j in anchors.values()})
    roots = sorted(anchors, key=lambda r: anchors[r])
    index = {root: k for k, root in enumerate(roots)}
    group = [[index.get(find(i * n_cols + j), -1) for j in range(n_cols)] for i in range(n_rows)]
    cells = [(rows.index(i), cols.index(j), xs[j], ys[i]) for i, j in (anchors[r] for r in roots)]
    return _Table(xs, ys, group, cells)


def _fill_tables(tables: list[_Table], chars: list[Char]) -> tuple[list[_Item], list[Char]]:
    """Each character into the cell holding its centre; one item per table row, empty cells kept."""
    contents: list[list[list[Char]]] = [[[] for _ in t.cells] for t in tables]
    loose: list[Char] = []
    for char in chars:
        cx, cy = (char[1] + char[2]) / 2, (char[3] + char[4]) / 2
        for t, table in enumerate(tables):
            x0, y0, x1, y1 = table.box
            if x0 < cx < x1 and y0 < cy < y1:
                cell = table.group[bisect_right(table.ys, cy) - 1][bisect_right(table.xs, cx) - 1]
                if cell >= 0:
                    contents[t][cell].append(char)
                    break
        else:
            loose.append(char)
    items: list[_Item] = []
    for t, table in enumerate(tables):
        by_row: dict[int, _Item] = {}
        for k, (row, col, left, top) in enumerate(table.cells):
            text = "\n".join(_runs(line, piece_gap=None)[0][0] for line in _visual_lines(contents[t][k]))
            item = by_row.setdefault(row, _Item(top, table.ys[table.ys.index(top) + 1], [], t, row))
            item.pieces.append((text, col, left))
        for item in by_row.values():
            item.pieces.sort(key=lambda piece: piece[1] or 0)
        items += by_row.values()
    return items, loose


# ---------------------------------------------------------------------------------------------
# lines and pieces


def _visual_lines(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped into printed lines, top to bottom, each left to right."""
    lines: list[list[Char]] = []
    reference = (0.0, 0.0)  # the current line's centre and height
    for char in sorted(chars, key=lambda c: (c[3] + c[4]) / 2):
        middle, height = (char[3] + char[4]) / 2, char[4] - char[3]
        if lines and middle - reference[0] <= 0.5 * min(height, reference[1]):
            lines[-1].append(char)
        else:
            lines.append([char])
            reference = (middle, height)
    return [sorted(line, key=lambda c: c[1]) for line in lines]


def _runs(line: list[Char], piece_gap: float | None = PIECE_GAP) -> list[tuple[str, int | None, float]]:
    """A printed line's pieces: runs of characters split where the gap is wide (none: one run)."""
    runs: list[tuple[str, int | None, float]] = []
    text: list[str] = []
    start = 0.0
    previous: Char | None = None
    for char in line:
        if previous is not None:
            if char[0] == previous[0] and char[1] - previous[1] < 0.3 * (previous[2] - previous[1]) + 0.1:
                continue  # the same glyph printed again over itself (fake bold)
            gap = char[1] - previous[2]
            height = max(char[4] - char[3], previous[4] - previous[3])
            if piece_gap is not None and gap >= piece_gap * height:
                runs.append(("".join(text), None, start))
                text = []
            elif char[5] or gap > (WIDE_SPACE_GAP if _wide(char[0]) and _wide(previous[0]) else SPACE_GAP) * height:
                text.append(" ")
        if not text:
            start = char[1]
        text.append(char[0])
        previous = char
    if text or not runs:
        runs.append(("".join(text), None, start))
    return runs


def _wide(char: str) -> bool:
    """CJK characters and full-width forms, which need no space between them."""
    return char >= "\u2e80"


def _drop_page_numbers(items: list[_Item], page_height: float) -> list[_Item]:
    """Drop a page number printed alone at the page's head or foot.

    A bare number must also stand apart from the text (a table's last value may be a lone `0` at
    the foot of a page); `-3-`, `第3页` or `3/7` need only be in the margin.
    """
    for position, neighbour in ((-1, -2), (0, 1)):  # foot first, then head
        if not items:
            break
        item = items[position]
        if item.table is not None or len(item.pieces) != 1 or not _PAGE_NUMBER.match(item.pieces[0][0]):
            continue
        in_margin = item.top > (1 - MARGIN) * page_height if position == -1 else item.bottom < MARGIN * page_height
        apart = True
        if item.pieces[0][0].strip().isdigit() and len(items) > 1:
            other = items[neighbour]
            gap = item.top - other.bottom if position == -1 else other.top - item.bottom
            apart = gap > 2 * (item.bottom - item.top)
        if in_margin and apart:
            del items[position]
    return items


# ---------------------------------------------------------------------------------------------
# decompression and form bombs


_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_FILTER = re.compile(rb"/Filter\s*\[?\s*/(\w+)")


def _check_streams(data: bytes) -> None:
    """Refuse a file whose streams would make PDFium build far more than any report holds.

    PDFium inflates a page's content streams (and fonts) whole and without a limit (a 1 MB stream
    of a 1 GB page took 1.9 GB), so the non-image streams are measured first, in bounded chunks
    (images are skipped: reading text never decodes them). And it expands every use of a form
    (an XObject drawn with `Do`) into objects of its own, so forms that draw forms multiply (four
    levels of 30 uses took 1.7 s and 255 MB, four of 100 over 23 GB): the most uses on a page,
    times the product of the uses within forms, times the largest form (about one object per 4
    bytes), is bounded.
    Encrypted streams cannot be measured this way (they do not inflate before decryption); a file
    that has them is bounded by the page, object and character caps only.
    """
    budget, fan_out, largest, page_uses = MAX_INFLATED_BYTES, 1, 0, 1
    for match in _STREAM.finditer(data):
        head = data[max(0, match.start() - 2048) : match.start()]
        at = head.rfind(b"obj")
        head = head[at + 3 :] if at >= 0 else head
        if not head.rstrip().endswith(b">>") or b"/Image" in head:
            continue
        kind = _FILTER.search(head)
        name = kind.group(1) if kind else b""
        uses, size = 0, 0
        if name in (b"FlateDecode", b"Fl"):
            size, uses = _inflate(data, match.end(), budget + 1)
            budget -= size
        elif name in (b"LZWDecode", b"LZW", b"RunLengthDecode", b"RL"):
            end = data.find(b"endstream", match.end())
            size = (end if end >= 0 else len(data)) - match.end()
            budget -= size * (1400 if name.startswith(b"LZW") else 64)  # the most these codes can expand
        elif not name:
            end = data.find(b"endstream", match.end())
            end = end if end >= 0 else len(data)
            size, uses = end - match.end(), data.count(b"Do", match.end(), end)
        if b"/Form" in head:
            fan_out, largest = fan_out * max(uses, 1), max(largest, size)
        else:  # a page's content (or a font, which draws nothing)
            page_uses = max(page_uses, uses)
        if budget < 0:
            inflated = MAX_INFLATED_BYTES - budget
            raise exceeded(
                f"the PDF's streams inflate to at least {inflated:,} bytes (a decompression bomb)", "MAX_INFLATED_BYTES"
            )
        expansion = page_uses * fan_out * (largest // 4 + 1)
        if largest and expansion > MAX_FORM_EXPANSION:
            drawn = f"drawn {page_uses * fan_out:,} times over"
            raise exceeded(
                f"the PDF's forms expand to about {expansion:,} objects, {drawn} (a form bomb)", "MAX_FORM_EXPANSION"
            )


def _inflate(data: bytes, start: int, limit: int) -> tuple[int, int]:
    """Inflate the stream at `start` in chunks, up to `limit` bytes: its size and its `Do` operators."""
    inflater = zlib.decompressobj()
    size, uses, position, chunk = 0, 0, start, 1 << 16
    try:
        while position < len(data) and size < limit and not inflater.eof:
            out = inflater.decompress(data[position : position + chunk], 1 << 20)
            position += chunk
            while True:
                size += len(out)
                uses += out.count(b"Do")  # an upper bound of the `Do` operators, at C speed
                # at the stream's end zlib leaves `unconsumed_tail` as it was (what follows goes to
                # `unused_data`): looping on it never ends (a hang the fuzz bench found)
                if not inflater.unconsumed_tail or inflater.eof or size >= limit:
                    break
                out = inflater.decompress(inflater.unconsumed_tail, 1 << 20)
    except zlib.error:
        pass  # damaged or encrypted: PDFium will say, or read what it can
    return size, uses
