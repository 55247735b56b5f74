"""A report's PDF as a PDF-to-Markdown converter writes it (shanghai-stcsm-2024 in the real set).

The converter finds table fragments, not tables: pipe tables broken into pieces (a `|---|` line
after arbitrary rows, the table restarting after loose text), the label lines it could not
place standing outside the pipe rows (a label wrapped at its cell width, glued line by line to
the pieces of a vertical or group label beside it: `（四）无2.没有现成信息需要另` / `法提供行制作`),
rows without a label (`| 0 | 0 | 0 | 0 | 0 | 0 | 0 |`), a header row made of the tails of
wrapped header words (`| 业 | 构 | 益组织 | 务机构 |  |  |  |  |  |`) and rows padded to its
width with an empty cell, a group label's piece as a row's first cell (`| 三、 | （一）予以公开 |
…`), a stray page number on a line of its own, `## 表三：…` headings, table 2's blocks as loose
`行政许可 97` lines or as a pipe table moved after them, the title split anywhere after the
agency's name or as a `#` heading, and the narrative wrapped at the PDF's line width.

Every pipe row keeps its cells in order and the rows keep the template's order, so a row
without a label is the one between its labelled neighbours: nothing here is undecidable.
"""

from __future__ import annotations

from random import Random

from pipelines.generate.document import ComposedReport, Heading, Paragraph, SubHeading, Table
from pipelines.generate.forms import ACTIVE, HEADER, REQUESTS, REVIEW
from pipelines.generate.sheet import SheetRow, group_spans, sheet_rows, space_digits, text_of, value_rows, wrap

_TABLE_HEADINGS = {
    ACTIVE: "## 表二：主动公开政府信息情况",
    REQUESTS: "## 表三：收到和处理政府信息公开申请情况",
    REVIEW: "## 表四：政府信息公开行政复议、行政诉讼情况",
}


def _pipe(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _separator(n: int) -> str:
    return "|" + "---|" * n


def _values(row: SheetRow, table: Table) -> list[str]:
    return [text_of(table, s).strip() for s in row.values]


def _merge_columns(left: list[str], right: list[str]) -> list[str]:
    """Two text columns read line by line into one (`（四）无` + `2.没有现成信息需要另`)."""
    return [
        (left[k] if k < len(left) else "") + (right[k] if k < len(right) else "")
        for k in range(max(len(left), len(right)))
    ]


def _active(table: Table, rng: Random) -> list[str]:
    loose: list[str] = []
    piped: list[str] = []
    rows = sheet_rows(table.grid)
    k = 0
    while k < len(rows):
        title = rows[k]
        k += 1
        block = [title]
        while k < len(rows) and not (rows[k].headers and rows[k].headers[0].colspan == 4):
            block.append(rows[k])
            k += 1
        loose.append(title.headers[0].text)
        header, *body = block[1:]
        columns = [text_of(table, s) for s in header.headers]
        wide = len(columns) > 2
        if rng.random() < (0.8 if wide else 0.2):
            if not piped:
                piped.append(_TABLE_HEADINGS[ACTIVE])
            elif rng.random() < 0.5:
                piped.append("")  # the next block's grid starts a table of its own
            piped += [_pipe(columns), _separator(len(columns))]
            piped += [_pipe([row.label.text if row.label else "", *_values(row, table)]) for row in body]
        else:
            loose.append("".join(columns))
            loose += [" ".join([row.label.text if row.label else "", *_values(row, table)]) for row in body]
    return loose + piped


def _requests_header(table: Table, rng: Random, vertical: list[str]) -> tuple[list[str], list[str]]:
    """The loose header lines, and the pipe header row of wrapped header tails."""
    width = rng.choice((3, 4))
    org = [wrap(text_of(table, s), width) for s in table.grid.slots if s.role == HEADER and s.row == 2]
    note = wrap(table.grid.slots[0].text, rng.randint(16, 18))
    lines = ["申请人情况", *_merge_columns(note, ["法人或其他组织"]), "自然人总计"]
    lines.append("".join(p[0] for p in org if len(p) > 1))
    lines += [p[0] for p in org if len(p) == 1]
    if vertical and rng.random() < 0.5:
        lines.append(vertical.pop(0))  # a stray piece of the vertical label (`本年`)
    tails = [p[-1] for p in org if len(p) > 1]
    return lines, tails


def _requests(table: Table, rng: Random) -> list[str]:
    grid = table.grid
    rows = value_rows(grid)
    vertical_slot, *_ = [s for s, _first, _last in group_spans(grid) if s.col == 0]
    text = text_of(table, vertical_slot)
    vertical = [text[k : k + 2] for k in range(0, len(text), 2)]  # 三、 / 本年 / 度办 / 理结 / 果
    first_piece = vertical.pop(0)
    header, tails = _requests_header(table, rng, vertical)
    width = 9
    out = [*header, _TABLE_HEADINGS[REQUESTS], _pipe([*tails, *[""] * (width - len(tails))]), _separator(width)]
    fixed = {"new_received", "carried_over", "total_handled", "carried_forward"}
    unlabeled = {row.key for row in rows if row.key not in fixed and rng.random() < 0.3}
    groups = {
        s.text: [r.key for r in rows if s.row <= r.index < s.row + s.rowspan]
        for s, _first, _last in group_spans(grid)
        if s.col == 1
    }
    group_of = {key: name for name, keys in groups.items() for key in keys}
    placed_groups: set[str] = set()
    pending: list[str] = []  # loose lines waiting for the next break
    first_piece_used = False
    in_first_piece = True
    stray = rng.random() < 0.6
    for k, row in enumerate(rows):
        assert row.label is not None
        values = _values(row, table)
        if row.key in unlabeled:
            out.append(_pipe(values))
            label = wrap(text_of(table, row.label), rng.randint(10, 13))
            group = group_of.get(row.key or "")
            if group and group not in placed_groups:
                placed_groups.add(group)
                pending += _merge_columns(wrap(group, 4), label)
            elif vertical and rng.random() < 0.5:
                pending += _merge_columns([vertical.pop(0)], label)
            else:
                pending += label
        else:
            cells = [text_of(table, row.label), *values]
            if row.key == "granted" and not first_piece_used and rng.random() < 0.6:
                cells.insert(0, first_piece)  # `| 三、 | （一）予以公开 | …`
                first_piece_used = True
            elif in_first_piece and len(cells) < width:
                cells += [""] * (width - len(cells))
            out.append(_pipe(cells))
            group = group_of.get(row.key or "")
            if group and group not in placed_groups and rng.random() < 0.5:
                placed_groups.add(group)
                pending += wrap(group, 4)
        if rng.random() < 0.35:
            out.append(_separator(len(out[-1].split("|")) - 2))
        last = k == len(rows) - 1
        if not last and (rng.random() < 0.15 or len(pending) > 4):
            in_first_piece = False
            out.append("")
            if stray and rng.random() < 0.5:
                out.append(str(rng.randint(2, 9)))  # a stray page number, once a table at most
                stray = False
            leftovers = [vertical.pop(0)] if vertical and rng.random() < 0.4 else []
            out += pending + leftovers
            pending = []
    if not first_piece_used:
        vertical.insert(0, first_piece)
    missing = [g for g in groups if g not in placed_groups]
    tail = pending + [piece for g in missing for piece in wrap(g, 4)] + vertical
    return out + (["", *tail] if tail else [])


def _review(table: Table, rng: Random) -> list[str]:
    headers = [s for s in table.grid.slots if s.role == HEADER and s.colspan == 1]
    review = [wrap(text_of(table, s), 2) for s in headers if s.row == 1]
    litigation = [wrap(text_of(table, s), 2) for s in headers if s.row == 2]
    (row,) = value_rows(table.grid)
    values = _values(row, table)
    loose = [
        "行政复议行政诉讼",
        "未经复议直接起诉复议后起诉",
        "".join(p[0] for p in review if len(p) > 1),
        "总计",
        "总计总计",
        "".join(p[-1] for p in litigation if len(p) > 1),
    ]
    tails = [p[-1] for p in review if len(p) > 1] + [p[0] for p in litigation if len(p) > 1]
    out = loose + ([_TABLE_HEADINGS[REVIEW]] if rng.random() < 0.3 else [])
    return [*out, _pipe(tails), _separator(len(tails)), _pipe(values), _separator(len(values))]


def _title(doc: ComposedReport, rng: Random, spaced: bool) -> list[str]:
    joined = "".join(doc.title)
    prose = space_digits if spaced else (lambda t: t)
    if rng.random() < 0.3:
        return [f"# {prose(joined)}"]
    if len(doc.title) == 1 and joined.startswith(doc.agency_name) and rng.random() < 0.5:
        cut = rng.randint(len(doc.agency_name), len(joined) - 2)  # never inside the agency's name
        return [prose(joined[:cut]), prose(joined[cut:])]
    return [prose(line) for line in doc.title]


def render_converter_md(doc: ComposedReport, rng: Random) -> str:
    """The converter's Markdown (see the module docstring)."""
    spaced = rng.random() < 0.85
    width = rng.randint(26, 30)

    def prose(text: str) -> list[str]:
        return wrap(space_digits(text) if spaced else text, width)

    lines = ["正文"] if rng.random() < 0.5 else []
    lines += doc.portal
    lines += _title(doc, rng, spaced)
    lines += doc.after_title
    renderers = {ACTIVE: _active, REQUESTS: _requests, REVIEW: _review}
    for block in doc.body:
        if isinstance(block, Table):
            lines += renderers[block.grid.table](block, rng)
        elif isinstance(block, Heading):
            lines += ["", block.text]
        elif isinstance(block, SubHeading):
            lines.append(block.text)
        elif isinstance(block, Paragraph):
            lines += prose(block.text)
    if doc.signature:
        lines += [""] + [line.strip() for line in doc.signature]
    return "\n".join(lines) + "\n"
