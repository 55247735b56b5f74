"""A report as portals and their archivers publish it (pingtan-2025/2022/2019 in the real set).

- `cms_html`: the article body a portal CMS (TRS) stores, as a one-line fragment: `<div
  class=TRS_Editor>`, paragraphs `<p style="text-indent: 2em;">` (some cut into `<span>`
  pieces), tables whose every cell holds its text in `<p style="text-indent: 0em;">` pieces with
  `&nbsp;` runs after wrapped ones, `colspan`/`rowspan` as in the Word table, `<br/>` in table
  4's headers, blank cells as `<td></td>` or `<td><p>&nbsp;</p></td>`. No `<html>`, no `<body>`
  and no title: the opening paragraph states the statistics period and 总体情况 opens with the
  agency's name (`2025年，平潭综合实验区坚持…`), which is all a reader has.
- `archive_glued`: a web archiver's text of the page: its header lines (标题, 发布时间, 文号,
  发布机构, 栏目, 原文链接, 本地目录, links.tsv, the 正文 rule), then the body on one line or a few,
  blocks joined by a space or by nothing, and every table cell glued to the next with no
  separator except the occasional single space the archiver leaves (`230 000023`, table 4 as
  `0 1 1 0 2 …`). The value characters of every row are returned for the oracle, which finds the
  cells no reading decides.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from random import Random

from pipelines.generate.document import ComposedReport, Heading, Paragraph, SubHeading, Table
from pipelines.generate.forms import HEADER, HEADER_WRAPS, LABEL, REVIEW, VALUE, Slot, row_items
from pipelines.generate.oracle import GluedRow
from pipelines.generate.printing import NBSP, SPLIT, WRAP, CellText
from pipelines.generate.sheet import sheet_rows, wrap

# --- cms_html ------------------------------------------------------------------------------

_P = '<p style="text-indent: 2em;">'
_CELL_P = '<p style="text-indent: 0em;">'
_TD_STYLES = (
    "padding:0 4px 0 4px ;border-left:none;border-right:1px solid windowtext;border-top:none;"
    "border-bottom:1px solid windowtext",
    "padding:0 4px 0 4px ;border-left:1px solid windowtext;border-right:1px solid windowtext;border-top:none;"
    "border-bottom:1px solid windowtext",
    "padding:0 4px 0 4px ;border-left:none;border-right:1px solid windowtext;border-top:1px solid windowtext;"
    "border-bottom:1px solid windowtext",
    "padding: 0px 4px; border-width: medium 1px 1px medium; border-style: none solid solid none; "
    "border-color: currentcolor windowtext windowtext currentcolor; word-break: break-all;",
)
_NBSP_RUN = " &nbsp;" * 8


def _esc(text: str) -> str:
    return html.escape(text, quote=False).replace(NBSP, "&nbsp;")


def _spans(text: str, rng: Random) -> str:
    """A paragraph's text, sometimes cut into `<span>` pieces at punctuation as the CMS editor
    leaves it after edits."""
    if rng.random() < 0.7:
        return _esc(text)
    cuts = sorted({i + 1 for i, c in enumerate(text[:-1]) if c in "，。、；" and rng.random() < 0.5})
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return "".join(f'<span style="text-indent: 2em;">{_esc(p)}</span>' for p in pieces if p)


def _cell_html(cell: CellText, slot: Slot, table: str, rng: Random, vertical_pieces: int) -> str:
    """A cell's content: every piece in its own `<p>` (a wrapped one trailed by `&nbsp;` runs),
    table 4's headers with `<br/>`, a blank as nothing or `<p>&nbsp;</p>`."""
    if slot.role == VALUE and not cell.joined.strip():
        return "" if rng.random() < 0.5 else f"{_CELL_P}&nbsp;</p>"
    if cell.mode == SPLIT:
        pad, value = cell.pieces
        return f"{_CELL_P}{_esc(pad) or '&nbsp;'}</p>{_CELL_P}{_esc(value)}</p>"
    if slot.role == HEADER and table == REVIEW and (cell.mode == WRAP or slot.text in HEADER_WRAPS):
        header_pieces = cell.pieces if cell.mode == WRAP else HEADER_WRAPS[slot.text]
        if rng.random() < 0.9:
            return f"{_CELL_P}{'<br/>'.join(_esc(p) for p in header_pieces)}</p>"
    pieces = list(cell.pieces) if cell.mode == WRAP else [cell.joined]
    if slot.role == LABEL and slot.rowspan > 1 and slot.col == 0 and vertical_pieces:
        pieces = wrap(cell.joined, vertical_pieces)  # 三、本 / 年度办 / 理结果
    out = []
    for k, piece in enumerate(pieces):
        trail = _NBSP_RUN if k and len(pieces) > 1 and rng.random() < 0.8 else ""
        out.append(f"{_CELL_P}{_esc(piece)}{trail}</p>")
    return "".join(out)


def _cms_table(table: Table, rng: Random) -> str:
    vertical = rng.choice((0, 3, 3))
    rows = []
    for r in range(table.grid.height):
        cells = []
        for item in row_items(table.grid, r):
            if item.placeholder:
                continue
            slot = item.slot
            attrs = (f' colspan="{slot.colspan}"' if slot.colspan > 1 else "") + (
                f' rowspan="{slot.rowspan}"' if slot.rowspan > 1 else ""
            )
            style = _TD_STYLES[0] if slot.col else _TD_STYLES[1]
            if rng.random() < 0.05:
                style = rng.choice(_TD_STYLES)
            content = _cell_html(table.cells[slot], slot, table.grid.table, rng, vertical)
            cells.append(f'<td{attrs} style="{style}" valign="center">{content}</td>')
        first = ' class="firstRow"' if r == 0 else ""
        height = ' style="height:19px"' if rng.random() < 0.2 else ""
        rows.append(f"<tr{height}{first}>{''.join(cells)}</tr>")
    return (
        '<table style="border-collapse: collapse; border: none;" cellspacing="0" align="center" border="1">'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


_PREAMBLE = (
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）、《国务院办公厅政府信息与政务公开办公室"
    "关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（{notice}）等文件要求编制。"
    "本报告共分6个部分：总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和"
    "行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
)
_PERIODS = (
    "本报告所列数据统计期限为{y}年1月1日至{y}年12月31日。",
    "本报告中所列数据统计时限为{y}年1月1日至{y}年12月31日。",
)
_OPENERS = (
    "{y}年，{a}坚持以习近平新时代中国特色社会主义思想为指导，认真落实党中央、国务院关于新时代政务公开工作的"
    "决策部署，持续深化政府信息公开，助力经济社会高质量发展。",
    "{y}年，{a}认真贯彻落实《中华人民共和国政府信息公开条例》，围绕中心工作，强化责任担当，加强信息公开平台"
    "建设，扎实推进政务公开工作。",
)


def render_cms_html(doc: ComposedReport, rng: Random) -> str:
    """The article body as the CMS stores it: one line, no title (see the module docstring)."""
    year, agency = doc.year, doc.agency_name
    notice = "国办公开办函〔2021〕30号" if year >= 2021 else "国办公开办函〔2019〕60号"  # the template's notice
    parts = [f"{_P}{_esc(_PREAMBLE.format(notice=notice) + rng.choice(_PERIODS).format(y=year))}</p>"]
    opener_done = False
    for block in doc.body:
        if isinstance(block, Table):
            parts.append(_cms_table(block, rng))
        elif isinstance(block, Heading):
            text = _esc(block.text) + ("&nbsp;" if rng.random() < 0.3 else "")
            parts.append(
                f'{_P}<span style="text-indent: 2em;">{text}</span></p>' if rng.random() < 0.3 else f"{_P}{text}</p>"
            )
        elif isinstance(block, SubHeading):
            parts.append(f"{_P}{_esc(block.text)}</p>")
        elif isinstance(block, Paragraph):
            text = block.text
            if not opener_done:  # 总体情况 opens with the agency's name: the page has no title
                text, opener_done = rng.choice(_OPENERS).format(y=year, a=agency), True
            parts.append(f"{_P}{_spans(text, rng)}</p>")
    for line in doc.signature:
        parts.append(f'<p style="text-align: right;">{_esc(line.strip())}</p>')
    parts += [f"{_P}&nbsp;</p>", "<p><br/></p>"] * rng.randint(0, 2)
    return "<div class=TRS_Editor>" + "".join(parts) + "</div>"


# --- archive_glued -------------------------------------------------------------------------

_HOSTS = {
    "杭州市": "hangzhou",
    "宁波市": "ningbo",
    "温州市": "wenzhou",
    "嘉兴市": "jiaxing",
    "湖州市": "huzhou",
    "绍兴市": "sx",
    "金华市": "jinhua",
    "衢州市": "qz",
    "舟山市": "zhoushan",
    "台州市": "zjtz",
    "丽水市": "lishui",
}


@dataclass
class Glued:
    header: list[str]  # the archiver's own lines (its words, whatever the page's script)
    body: str  # the page's text
    rows: list[GluedRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Habits:
    """How one archived page joins things: between blocks, header cells, a label and its first
    value, value cells, table 4's values."""

    block_sep: str
    header_space: float
    label_space: float
    value_space: float
    review_spaced: bool
    header_pieces_space: float


def _glued_table(table: Table, habits: _Habits, rng: Random) -> tuple[str, list[GluedRow]]:
    out = ""
    rows: list[GluedRow] = []
    for row in sheet_rows(table.grid):
        for slot in sorted((*row.groups, *row.headers), key=lambda s: s.col):
            cell = table.cells[slot]
            if cell.mode == WRAP or slot.text in HEADER_WRAPS:
                pieces = cell.pieces if cell.mode == WRAP else HEADER_WRAPS[slot.text]
                text = (" " if rng.random() < habits.header_pieces_space else "").join(pieces)
            else:
                text = cell.joined
            out += text + (" " if rng.random() < habits.header_space else "")
        if not row.values:
            continue
        if row.label is not None:
            out += row.label.text + (" " if rng.random() < habits.label_space else "")
        values = ""
        for k, slot in enumerate(row.values):
            text = table.cells[slot].joined.strip()
            last = k == len(row.values) - 1
            if table.grid.table == REVIEW:
                space = habits.review_spaced and not last
            else:
                space = not last and rng.random() < habits.value_space
            values += text + (" " if space else "")
        out += values
        rows.append(GluedRow(row.keys, values))
    return out, rows


def _archive_header(doc: ComposedReport, rng: Random) -> list[str]:
    title = "".join(doc.title)
    published = doc.published
    assert published is not None, "an archived page has a publish date"
    clock = f"{rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
    month = f"{published.year}{published.month:02d}"
    article = rng.randint(10_000, 99_999)
    host = _HOSTS.get(doc.site[:3], "www")
    return [
        f"标题: {title}",
        f"发布时间: {published.isoformat()} {clock}",
        "文号: ",
        "发布机构: ",
        "栏目: 政府信息公开年报",
        f"原文链接: https://www.{host}.gov.cn/zwgk/zfxxgk/zfxxgknb/{month}/t{published:%Y%m%d}_{article}.htm",
        f"本地目录: zwgk/zfxxgk/zfxxgknb/{month}/{article}_{title}",
        "页面链接与图片详见 links.tsv(同目录)",
        "==================== 正文 ====================",
    ]


def render_archive_glued(doc: ComposedReport, rng: Random) -> Glued:
    """The archiver's text of the page (see the module docstring)."""
    spaced = rng.random() < 0.5  # pingtan-2022 joins blocks with a space, pingtan-2019 with nothing
    habits = _Habits(
        block_sep=" " if spaced else "",
        header_space=rng.choice((0.0, 0.3, 0.9)) if spaced else 0.0,
        label_space=rng.choice((0.0, 0.3, 0.6)),
        value_space=rng.choice((0.0, 0.0, 0.05, 0.15)),
        review_spaced=rng.random() < 0.5,
        header_pieces_space=rng.choice((0.0, 0.9)),
    )
    blocks: list[str] = []
    if rng.random() < 0.4:  # pingtan-2019: the body starts with the title
        blocks.append("".join(doc.title))
    rows: list[GluedRow] = []
    breaks: list[int] = []
    for block in doc.body:
        if isinstance(block, Table):
            text, table_rows = _glued_table(block, habits, rng)
            blocks.append(text.rstrip(" "))
            rows += table_rows
        else:
            if isinstance(block, Heading) and len(breaks) < 2 and rng.random() < 0.15:
                breaks.append(len(blocks))  # a few pages come as a few lines, cut at a section
            blocks.append(block.text)
    if doc.signature:
        blocks += [line.strip() for line in doc.signature]
    lines: list[str] = []
    start = 0
    for cut in [*breaks, len(blocks)]:
        if cut > start:
            lines.append(habits.block_sep.join(blocks[start:cut]))
        start = cut
    return Glued(_archive_header(doc, rng), "\n".join(lines), rows)
