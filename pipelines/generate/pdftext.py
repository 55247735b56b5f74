"""A report's PDF as poppler's `pdftotext` prints it, in its two modes (huaian-2024 in the real set).

- `pdf_layout` (`pdftotext -layout`): narrative wrapped at the page width with a space between
  digits and Chinese; a table row on one line, its cells aligned by runs of spaces; a long row
  label wrapped over two or three lines with the numbers on the middle line (or the first); the
  vertical label 三、本年度办理结果 printed one character per line at the left margin and the
  group labels (`（三）不` / `予公开`) on lines of their own or in front of a row, interleaved
  with the rows; header words wrapped inside words (`商业企` / `业`); blank lines and page
  footers (`-4-`, then a form feed) inside tables; table 4's fifteen values on one line.
- `reading_order` (`pdftotext`): every cell on its own line, a blank line after it; the labels
  of rows that stand beside a vertical label (or wrap) printed away from their numbers, after
  the numbers of a later row, together with the vertical and group labels broken into pieces;
  header words in a scrambled order; table 4's header cells a little out of place, then its
  fifteen values in order. A block of label-less rows is printed row by row, or column by column
  where the template's arithmetic still tells the two readings apart
  (`oracle.column_major_decidable`); the rows and their order are returned for the oracle.

Both paginate: a page holds a few dozen lines, then its footer; a forced break falls inside
table 3 when the variant asks for one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from random import Random

from pipelines.generate.document import ComposedReport, Heading, Paragraph, SubHeading, Table
from pipelines.generate.forms import ACTIVE, HEADER, REQUESTS, REVIEW, Slot
from pipelines.generate.oracle import OrderedBlock, column_major_decidable, number_of
from pipelines.generate.sheet import (
    SheetRow,
    display_width,
    group_spans,
    place,
    sheet_rows,
    space_digits,
    text_of,
    value_rows,
    wrap,
)


@dataclass
class Block:
    """Lines kept on one page; `new_page` starts a page before them. `height` is the room they
    take on the PDF's page (a table row dumped one cell a line still takes one row's room)."""

    lines: list[str]
    new_page: bool = False
    height: int | None = None

    @property
    def room(self) -> int:
        return len(self.lines) if self.height is None else self.height


@dataclass
class Printed:
    """A rendered text and, for the oracle, the label-less blocks and the order of their cells."""

    text: str
    blocks: list[OrderedBlock] = field(default_factory=list)


@dataclass(frozen=True)
class Style:
    """The per-report choices of one PDF and its dump."""

    layout: bool  # -layout or reading order
    width: int  # characters per narrative line
    spaced_digits: bool
    page_lines: int
    footer: str  # "-{n}-" and the like
    footer_indent: int
    indent: int  # paragraph indent (layout mode)
    heading_indent: int
    article_space: bool  # `第二十条 第（一）项`
    enumerator: str  # how （六）其他处理's sub-rows are numbered: `1.` or `1、`


def _style(rng: Random, layout: bool) -> Style:
    return Style(
        layout=layout,
        width=rng.randint(26, 30),
        spaced_digits=rng.random() < 0.85,
        page_lines=rng.randint(40, 48) if layout else rng.randint(46, 58),
        footer=rng.choice(("-{n}-", "-{n}-", "- {n} -", "— {n} —")),
        footer_indent=rng.choice((0, rng.randint(38, 46), rng.randint(85, 95))),
        indent=rng.choice((4, 6, 6)),
        heading_indent=rng.choice((3, 5, 6, 7)),
        article_space=rng.random() < 0.6,
        enumerator=rng.choice((".", ".", "、")),
    )


def _label(slot: Slot, table: Table, style: Style) -> str:
    text = text_of(table, slot)
    if style.enumerator != "." and slot.col == 2 and text[:2] in ("1.", "2.", "3.") and text[2:5] in ("申请人", "其他"):
        return text[0] + style.enumerator + text[2:]  # huaian-2024: `1、申请人无正当理由…`
    return text


def _prose(text: str, style: Style) -> str:
    return space_digits(text) if style.spaced_digits else text


# --- narrative -----------------------------------------------------------------------------


def _narrative_blocks(doc: ComposedReport, style: Style, rng: Random) -> tuple[list[Block], list[Block]]:
    """Blocks before the first table's section (title, preamble) are returned as the head; the
    body comes from `_body_blocks`."""
    head: list[Block] = []
    for line in doc.portal:
        head.append(Block([line]))
    for k, line in enumerate(doc.title):
        text = _prose(line, style)
        pad = max(0, (2 * style.width - display_width(text)) // 2) if style.layout else 0
        head.append(Block([" " * (pad + (k and rng.randint(-7, -3) + 3)) + text]))
    head.append(Block([""]))
    for line in doc.after_title:
        head.append(Block([line]))
    return head, []


def _paragraph(text: str, style: Style, first_indent: int) -> list[Block]:
    lines = wrap(_prose(text, style), style.width)
    out = []
    for k, line in enumerate(lines):
        pad = first_indent if k == 0 and style.layout else 0
        out.append(Block([" " * pad + line]))
    return out


def _heading(text: str, style: Style) -> Block:
    return Block([(" " * style.heading_indent if style.layout else "") + _prose(text, style)])


# --- pdftotext -layout: tables -------------------------------------------------------------


def _values(row: SheetRow, table: Table) -> list[str]:
    return [text_of(table, s).strip() or "-" for s in row.values]


def _layout_active(table: Table, style: Style, rng: Random) -> list[Block]:
    xs = [0, rng.randint(16, 20), rng.randint(31, 35), rng.randint(46, 50)]
    out: list[Block] = []
    for row in sheet_rows(table.grid):
        if row.headers and len(row.headers) == 1 and row.headers[0].colspan == 4:
            text = row.headers[0].text.replace("条第", "条 第") if style.article_space else row.headers[0].text
            out += [Block([text])] + [Block([""]) for _ in range(rng.randint(1, 2))]
        elif row.headers:
            items = [(xs[s.col], text_of(table, s)) for s in row.headers]
            out += [Block([place(items)])] + [Block([""]) for _ in range(rng.randint(1, 2))]
        else:
            assert row.label is not None
            values = zip(row.values, _values(row, table), strict=True)
            items = [(0, text_of(table, row.label)), *[(xs[s.col], v) for s, v in values]]
            out.append(Block([place(items, 3)]))
            if rng.random() < 0.7:
                out.append(Block([""]))
    return out


def _header_lines(cells: list[tuple[int, list[str]]], height: int) -> list[list[tuple[int, str]]]:
    """Header cells (column, wrapped pieces) on `height` lines, vertically centred as a PDF
    prints them: a one-line cell on the middle line, a two-line one on the first and last of
    three (huaian-2024: `商业企` / `其他` / `业`)."""
    lines: list[list[tuple[int, str]]] = [[] for _ in range(height)]
    for column, pieces in cells:
        if len(pieces) == 2 and height == 3:
            rows = [0, 2]
        else:
            top = (height - len(pieces)) // 2
            rows = [top + k for k in range(len(pieces))]
        for row, piece in zip(rows, pieces, strict=True):
            lines[row].append((column, piece))
    return lines


def _header_height(cells: list[tuple[int, list[str]]]) -> int:
    height = max(len(p) for _, p in cells)
    return 3 if height == 2 and any(len(p) == 1 for _, p in cells) else height


def _layout_requests_header(table: Table, xs: list[int], rng: Random) -> list[Block]:
    width = rng.choice((2, 3, 3, 4))
    org = [s for s in table.grid.slots if s.role == HEADER and s.row == 2]
    note = wrap(table.grid.slots[0].text, rng.randint(20, 23))
    center = (xs[1] + xs[5]) // 2
    lines = [
        place([(center, "申请人情况")]),
        "",
        "",
        place([(0, note[0]), (center, "法人或其他组织")]),
        *note[1:],
        place([(xs[0] - rng.randint(0, 9), "自然人"), (xs[6], "总计")]),
    ]
    cells = [(xs[1 + k], wrap(text_of(table, s), width)) for k, s in enumerate(org)]
    for items in _header_lines(cells, _header_height(cells)):
        lines.append(place(items))
    lines += [""] * rng.randint(1, 2)
    return [Block(lines)]


@dataclass
class _Unit:
    """A table-3 row as printed: its lines (items at columns) and which line has the numbers."""

    lines: list[list[tuple[int, str]]]
    numbers: int
    prefixed: bool = False
    before: list[list[tuple[int, str]]] = field(default_factory=list)  # side-label lines above it


def _row_unit(row: SheetRow, table: Table, xs: list[int], style: Style, rng: Random) -> _Unit:
    assert row.label is not None
    label = _label(row.label, table, style)
    indent = {0: 0, 1: rng.choice((5, 6)), 2: rng.choice((13, 14, 15))}[row.label.col]
    width = {0: 20, 1: rng.choice((19, 20)), 2: rng.choice((13, 14))}[row.label.col]
    pieces = wrap(label, width)
    numbers = list(zip(xs, _values(row, table), strict=True))
    if len(pieces) == 1:
        return _Unit([[(indent, pieces[0]), *numbers]], 0)
    if len(pieces) == 2:
        if rng.random() < 0.7:  # the numbers on a line of their own between the label's two lines
            return _Unit([[(indent, pieces[0])], numbers, [(indent, pieces[1])]], 1)
        return _Unit([[(indent, pieces[0]), *numbers], [(indent, pieces[1])]], 0)
    lines: list[list[tuple[int, str]]] = [[(indent, pieces[0])]]
    if rng.random() < 0.5:
        lines.append([])
    lines.append([(indent, pieces[1]), *numbers])
    lines += [[(indent, p)] for p in pieces[2:]]
    return _Unit(lines, len(lines) - 1 - len(pieces[2:]))


def _side_pieces(table: Table, rows: list[SheetRow]) -> list[tuple[int, int, str]]:
    """Vertical and group labels as (value-row position, column, piece), centred on their rows."""
    position = {row.index: k for k, row in enumerate(rows)}
    out: list[tuple[int, int, str]] = []
    for slot, first, last in group_spans(table.grid):
        text = text_of(table, slot)
        if slot.col == 0:  # 三、本年度办理结果: one character a line, 三、 kept together
            pieces, column = [text[:2], *text[2:]], 0
        else:
            pieces, column = wrap(text, 4), -1
        rows_spanned = [position[r] for r in range(first, last + 1) if r in position]
        start = rows_spanned[0] + max(0, (len(rows_spanned) - len(pieces)) // 2)
        out += [(min(start + k, rows_spanned[-1]), column, p) for k, p in enumerate(pieces)]
    return out


def _layout_requests(table: Table, style: Style, rng: Random) -> list[Block]:
    x0, step = rng.randint(32, 40), rng.randint(8, 11)
    xs = [x0 + k * step + rng.randint(-1, 1) for k in range(7)]
    out = _layout_requests_header(table, xs, rng)
    rows = value_rows(table.grid)
    units = [_row_unit(row, table, xs, style, rng) for row in rows]
    group_column = rng.choice((5, 6))
    for position, column, piece in _side_pieces(table, rows):
        unit = units[position]
        at = group_column if column < 0 else 0
        label_indent = unit.lines[unit.numbers][0][0] if unit.lines[unit.numbers] else 99
        fits = label_indent >= at + display_width(piece) + 2
        if not unit.prefixed and fits and rng.random() < 0.5:
            unit.lines[unit.numbers].insert(0, (at, piece))
            unit.prefixed = True
        else:
            unit.before.append([(at, piece)])
    for row, unit in zip(rows, units, strict=True):
        lines = [place(items, 3) for items in unit.before + unit.lines]
        out.append(Block(lines, new_page=row.index == table.page_break_before))
        out += [Block([""]) for _ in range(rng.choice((0, 1, 1, 1, 2)))]
    return out


def _layout_review(table: Table, style: Style, rng: Random) -> list[Block]:
    step = rng.randint(5, 8)
    xs = [k * step + rng.randint(0, 1) for k in range(15)]
    width = rng.choice((2, 2, 3))
    headers = [s for s in table.grid.slots if s.role == HEADER and s.colspan == 1]
    spaced = rng.randrange(len(headers)) if rng.random() < 0.3 else -1

    def pieces(k: int, slot: Slot) -> list[str]:
        out = wrap(text_of(table, slot), width)
        return [" ".join(p) if k == spaced and len(p) == 2 else p for p in out]  # `结 果`

    review = [(xs[s.col], pieces(k, s)) for k, s in enumerate(headers) if s.row == 1]
    litigation = [(xs[s.col], pieces(k, s)) for k, s in enumerate(headers) if s.row == 2]
    upper, lower = _header_lines(review, _header_height(review)), _header_lines(litigation, _header_height(litigation))
    header = [upper[0], *[a + b for a, b in zip(upper[1:], lower[:-1], strict=True)], lower[-1]]
    lines = [
        place([(0, "行政复议"), (xs[5] + rng.randint(0, 4), "行政诉讼")]),
        *[""] * rng.randint(1, 3),
        place([(xs[5] + rng.randint(0, 4), "未经复议直接起诉"), (xs[10] + rng.randint(0, 4), "复议后起诉")]),
        *[""] * rng.randint(1, 2),
        *[place(items) for items in header],
        *[""] * rng.randint(2, 4),
    ]
    (row,) = value_rows(table.grid)
    values = place(list(zip(xs, _values(row, table), strict=True)), 3)
    return [Block(lines), Block([values]), Block([""])]


# --- pdftotext (reading order): tables -----------------------------------------------------


def _cells_block(texts: list[list[str]]) -> list[str]:
    """Cells one after the other, each followed by a blank line."""
    lines: list[str] = []
    for pieces in texts:
        lines += [*pieces, ""]
    return lines


def _reading_active(table: Table, style: Style) -> list[Block]:
    out: list[Block] = []
    for row in sheet_rows(table.grid):
        texts: list[list[str]] = []
        for slot in sorted((*row.headers, *([row.label] if row.label else []), *row.values), key=lambda s: s.col):
            text = text_of(table, slot).strip() or "-"
            if slot.role == HEADER and slot.colspan == 4 and style.article_space:
                text = text.replace("条第", "条 第")
            texts.append([text])
        out.append(Block(_cells_block(texts), height=2))
    return out


def _scrambled_header(table: Table, rng: Random) -> list[str]:
    """Table 3's header words in the order a reading-order dump gives them (huaian-2024)."""
    width = rng.choice((3, 3, 4))
    note = wrap(table.grid.slots[0].text, rng.randint(20, 23))
    org = [wrap(text_of(table, s), width) for s in table.grid.slots if s.role == HEADER and s.row == 2]
    first = ["申请人情况", *note] if rng.random() < 0.7 else [*note, "申请人情况"]
    second = ["法人或其他组织", "自然人"] if rng.random() < 0.6 else ["自然人", "法人或其他组织"]
    blocks = [first, second, *org]
    blocks.insert(rng.randint(3, len(blocks)), ["总计"])
    if rng.random() < 0.5:  # a short header read between the lines of its neighbour: 法律服务 / 其他 / 机构
        k = next((i for i, b in enumerate(blocks) if b == ["其他"]), None)
        if k is not None and k > 0 and len(blocks[k - 1]) == 2:
            head, tail = blocks[k - 1]
            blocks[k - 1 : k + 1] = [[head, "其他"], [tail]]
    return _cells_block(blocks)


def _unlabeled_rows(rows: list[SheetRow], table: Table, rng: Random, single_only: bool) -> set[str]:
    """Rows whose labels a reading-order dump prints away from their numbers: those beside the
    vertical label (（一）/（二）), wrapped ones, and （六）其他处理's (huaian-2024)."""
    keys = [row.key for row in rows]
    damaged = {row.key for row in rows if any(number_of(text_of(table, s)) is None for s in row.values)}
    chosen: set[str] = set()
    candidates: list[tuple[str, ...]] = [
        ("granted", "partially_granted"),
        ("not_processed_confirmation",),
        ("other_overdue_correction", "other_unpaid_fee", "other"),
        ("other_processing",),
    ]
    for block in candidates:
        if not set(block) <= set(keys) or damaged & set(block):
            continue
        if single_only and len(block) > 1:
            continue
        if rng.random() < 0.6:
            chosen |= set(block)
    if single_only:  # a broken rule decides no order: keep label-less rows apart, one a block
        position = {key: k for k, key in enumerate(keys)}
        chosen = {key for key in chosen if not {position[key] - 1, position[key] + 1} & {position[c] for c in chosen}}
    return chosen


def _reading_requests(
    table: Table, style: Style, rng: Random, rule_broken: bool
) -> tuple[list[Block], list[OrderedBlock]]:
    rows = value_rows(table.grid)
    unlabeled = _unlabeled_rows(rows, table, rng, single_only=rule_broken)
    out: list[Block] = [Block(_scrambled_header(table, rng), height=8)]
    ordered: list[OrderedBlock] = []
    sides = _side_pieces(table, rows)
    pending_labels: list[list[str]] = []
    pending_sides: list[tuple[int, str]] = []  # (column kind, piece)
    k = 0
    while k < len(rows):
        row = rows[k]
        new_page = row.index == table.page_break_before
        if row.key in unlabeled:
            run = [row]
            while k + len(run) < len(rows) and rows[k + len(run)].key in unlabeled:
                run.append(rows[k + len(run)])
            values = [[_values(r, table)[c] for c in range(7)] for r in run]
            column_major = len(run) > 1 and not rule_broken and rng.random() < 0.4
            column_major = column_major and column_major_decidable([[number_of(v) for v in r] for r in values])
            by_rows = [v for r in values for v in r]
            order = [values[r][c] for c in range(7) for r in range(len(run))] if column_major else by_rows
            out.append(Block(_cells_block([[v] for v in order]), new_page=new_page, height=2 * len(run)))
            ordered.append(OrderedBlock(tuple(r.key or "" for r in run), column_major))
            for r in run:
                assert r.label is not None
                pending_labels.append(wrap(_label(r.label, table, style), rng.choice((18, 20, 22))))
            k += len(run)
        else:
            assert row.label is not None
            label = wrap(_label(row.label, table, style), 20 if row.label.col < 2 else 14)
            cells = [label, *[[v] for v in _values(row, table)]]
            out.append(Block(_cells_block(cells), new_page=new_page, height=len(label) + 1))
            k += 1
        pending_sides += [(column, piece) for position, column, piece in sides if position == k - 1]
        last = k == len(rows)
        if (pending_labels and (rng.random() < 0.5 or last)) or (last and pending_sides):
            out.append(Block(_orphans(pending_labels, pending_sides, rng), height=0))
            pending_labels, pending_sides = [], []
    return out, ordered


def _orphans(labels: list[list[str]], sides: list[tuple[int, str]], rng: Random) -> list[str]:
    """Labels printed away from their rows: row labels first, then the vertical label's characters
    with the group labels' pieces between them (huaian-2024: 三、 / 本 / 年 … （三）不 / 予公开 …)."""
    lines = [line for label in labels for line in label]
    vertical = [piece for column, piece in sides if column == 0]
    groups = [piece for column, piece in sides if column != 0]
    if lines:
        lines.append("")
    while vertical or groups:
        take = rng.randint(1, 6)
        lines += [*vertical[:take], ""]
        vertical = vertical[take:]
        lines += groups[:2] + ([""] if groups[:2] else [])
        groups = groups[2:]
    return lines + ([""] if lines and lines[-1] else [])


def _reading_review(table: Table, rng: Random) -> list[Block]:
    """Table 4: its header cells one after the other, each wrapped (`结果` / `维持`) and a few out of
    place (复议后起诉 among the result words), then the fifteen values in the template's order.

    huaian-2024 reads the header line by line across the cells and prints some values between
    header words, groups out of order: only the header words' positions tell its groups apart
    there, not the template's arithmetic plus order, so that is not imitated (values printed
    apart from one another would leave a reader no order to trust)."""
    width = rng.choice((2, 3))
    headers = [s for s in table.grid.slots if s.role == HEADER and s.colspan == 1]
    review = [wrap(text_of(table, s), width) for s in headers if s.row == 1]
    litigation = [wrap(text_of(table, s), width) for s in headers if s.row == 2]
    cells = [["行政复议"], ["行政诉讼"], *review, ["未经复议直接起诉"], *litigation]
    cells.insert(rng.randint(len(cells) - 5, len(cells)), ["复议后起诉"])
    if rng.random() < 0.5:  # a one-line header read before its taller neighbours (`总计` first)
        k = next(i for i, c in enumerate(cells) if c == ["总计"])
        cells.insert(max(0, k - rng.randint(1, 3)), cells.pop(k))
    (row,) = value_rows(table.grid)
    return [Block(_cells_block([*cells, *[[v] for v in _values(row, table)]]), height=10)]


# --- pages ---------------------------------------------------------------------------------


def _paginate(blocks: list[Block], style: Style) -> str:
    """The pages, each closed by its footer; the next page's first line starts with a form feed."""
    pages: list[list[str]] = [[]]
    used = 0
    for block in blocks:
        blank = not any(line.strip() for line in block.lines)
        if pages[-1] and (block.new_page or used + block.room > style.page_lines):
            if blank and not block.new_page:
                continue  # blank lines that do not fit end the page; they do not start the next
            pages.append([])
            used = 0
        pages[-1].extend(block.lines)
        used += block.room
    pages = [page for page in pages if any(line.strip() for line in page)]
    out: list[str] = []
    for number, page in enumerate(pages, start=1):
        while style.layout and not page[-1].strip():
            page.pop()  # -layout: the footer after a few blank lines; reading order keeps a cell's blank
        footer = style.footer.format(n=number)
        if out:
            page[0] = "\f" + page[0]
        out += page
        if style.layout:
            out += ["", "", " " * style.footer_indent + footer]
        else:
            out += [footer, ""]
    out.append("\f")
    return "\n".join(out)


def _document_blocks(doc: ComposedReport, style: Style, rng: Random, tables: dict[str, list[Block]]) -> list[Block]:
    blocks, _ = _narrative_blocks(doc, style, rng)
    for block in doc.body:
        if isinstance(block, Table):
            blocks += tables[block.grid.table]
        elif isinstance(block, Heading):
            blocks.append(_heading(block.text, style))
        elif isinstance(block, SubHeading | Paragraph):
            blocks += _paragraph(block.text, style, style.indent)
    for line in doc.signature:
        text = _prose(line.strip(), style)
        blocks.append(Block([(" " * rng.randint(30, 40) if style.layout else "") + text]))
    return blocks


def render_pdf_layout(doc: ComposedReport, rng: Random) -> Printed:
    style = _style(rng, layout=True)
    tables: dict[str, list[Block]] = {}
    for block in doc.body:
        if isinstance(block, Table):
            render = {ACTIVE: _layout_active, REQUESTS: _layout_requests, REVIEW: _layout_review}[block.grid.table]
            tables[block.grid.table] = render(block, style, rng)
    return Printed(_paginate(_document_blocks(doc, style, rng, tables), style))


def render_reading_order(doc: ComposedReport, rng: Random, rule_broken: bool) -> Printed:
    style = _style(rng, layout=False)
    tables: dict[str, list[Block]] = {}
    ordered: list[OrderedBlock] = []
    for block in doc.body:
        if isinstance(block, Table):
            if block.grid.table == ACTIVE:
                tables[ACTIVE] = _reading_active(block, style)
            elif block.grid.table == REQUESTS:
                tables[REQUESTS], ordered = _reading_requests(block, style, rng, rule_broken)
            else:
                tables[REVIEW] = _reading_review(block, rng)
    return Printed(_paginate(_document_blocks(doc, style, rng, tables), style), ordered)
