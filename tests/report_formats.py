"""Test helper: a seed report re-published as an HTML page, a Word file and a PDF.

The fixture is built apart from the parser, so that a parser bug cannot be copied into it and
go unseen: the tables are the seed's hand-checked golden values (tests/golden) under the
template's own labels (docs/report-template.md), laid out as Word exports the template (rows,
with an empty placeholder under a cell merged from above); the paragraphs are the seed's text
outside its tables, cut at the template's section headings by a regex of this file. A seed whose
text lost its table rows (one cell per line) gets its tables one cell per row, as before.

The formats are written with their real machinery: HTML markup, python-docx tables with merged
cells, reportlab pages with a CJK font and page numbers (or real ruled tables with merged and
wrapped cells). The formats' readers in pipelines/extract/read/formats must bring them back.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

import opencc

Block = str | list[list[str]]  # a paragraph, or a table as rows of cell texts
Row = list[str | None]  # None: the placeholder of a cell merged from the row above
Label = Callable[[str], str]  # a label in the report's script

# The template's six section headings (docs/report-template.md), numbered or not; the tables
# are in the second to fourth.
SECTIONS = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
)
HEADING = re.compile(r"^(?:[一二三四五六][、.．]\s*)?(" + "|".join(SECTIONS) + r")$")
TO_SIMPLIFIED = opencc.OpenCC("t2s")
TO_TRADITIONAL = opencc.OpenCC("s2tw")  # Taiwan forms: all in Big5

# Table 2: the groups of 第二十条, each with its column labels and keys and its rows.
ARTICLE_20 = (
    (
        "第二十条第（一）项",
        (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")),
        (("rules", "规章"), ("normative_documents", "行政规范性文件")),
    ),
    ("第二十条第（五）项", (("decisions", "本年处理决定数量"),), (("administrative_licensing", "行政许可"),)),
    (
        "第二十条第（六）项",
        (("decisions", "本年处理决定数量"),),
        (("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")),
    ),
    ("第二十条第（八）项", (("amount", "本年收费金额（单位：万元）"),), (("administrative_fees", "行政事业性收费"),)),
)

# Table 3: the applicant columns in print order, and each row's label cells (None: merged from above).
REQUEST_COLUMNS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)
REQUEST_HEADER: list[Row] = [
    ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
    [None, "自然人", "法人或其他组织", "总计"],
    [None, None, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", None],
]
REQUEST_ROWS: tuple[tuple[str, Row], ...] = (
    ("new_received", ["一、本年新收政府信息公开申请数量"]),
    ("carried_over", ["二、上年结转政府信息公开申请数量"]),
    ("granted", ["三、本年度办理结果", "（一）予以公开"]),
    ("partially_granted", [None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]),
    ("denied_state_secret", [None, "（三）不予公开", "1.属于国家秘密"]),
    ("denied_prohibited_by_law", [None, None, "2.其他法律行政法规禁止公开"]),
    ("denied_security_stability", [None, None, "3.危及“三安全一稳定”"]),
    ("denied_third_party_rights", [None, None, "4.保护第三方合法权益"]),
    ("denied_internal_affairs", [None, None, "5.属于三类内部事务信息"]),
    ("denied_process_info", [None, None, "6.属于四类过程性信息"]),
    ("denied_enforcement_files", [None, None, "7.属于行政执法案卷"]),
    ("denied_query_matters", [None, None, "8.属于行政查询事项"]),
    ("unavailable_not_held", [None, "（四）无法提供", "1.本机关不掌握相关政府信息"]),
    ("unavailable_needs_creation", [None, None, "2.没有现成信息需要另行制作"]),
    ("unavailable_unclear_after_correction", [None, None, "3.补正后申请内容仍不明确"]),
    ("not_processed_petition", [None, "（五）不予处理", "1.信访举报投诉类申请"]),
    ("not_processed_duplicate", [None, None, "2.重复申请"]),
    ("not_processed_publication", [None, None, "3.要求提供公开出版物"]),
    ("not_processed_excessive", [None, None, "4.无正当理由大量反复申请"]),
    ("not_processed_confirmation", [None, None, "5.要求行政机关确认或重新出具已获取信息"]),
    (
        "other_overdue_correction",
        [None, "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"],
    ),
    ("other_unpaid_fee", [None, None, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"]),
    ("other", [None, None, "3.其他"]),
    ("total_handled", [None, "（七）总计"]),
    ("carried_forward", ["四、结转下年度继续办理"]),
)

# Table 4: three groups of five cells, in print order.
REVIEW_GROUPS = ("administrative_review", "litigation_direct", "litigation_after_review")
REVIEW_CELLS = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)


def _value(value: object) -> str:
    """A golden value as printed: blank stays blank (never 0)."""
    return "" if value is None else str(value)


def _active_disclosure(values: dict, label: Label) -> list[Row]:
    rows: list[Row] = []
    for group, columns, members in ARTICLE_20:
        rows.append([label(group)])
        rows.append([label("信息内容"), *(label(text) for _, text in columns)])
        rows += [[label(text), *(_value(values[key][column]) for column, _ in columns)] for key, text in members]
    return rows


def _requests(values: dict, label: Label) -> list[Row]:
    rows = [[None if cell is None else label(cell) for cell in row] for row in REQUEST_HEADER]
    for key, labels in REQUEST_ROWS:
        cells = [None if cell is None else label(cell) for cell in labels]
        rows.append(cells + [_value(values[key][column]) for column in REQUEST_COLUMNS])
    return rows


def _review_litigation(values: dict, label: Label) -> list[Row]:
    names = [label(text) for _, text in REVIEW_CELLS]
    return [
        [label("行政复议"), label("行政诉讼")],
        [*names, label("未经复议直接起诉"), label("复议后起诉")],
        [None] * len(names) + names + names,
        [_value(values[group][cell]) for group in REVIEW_GROUPS for cell, _ in REVIEW_CELLS],
    ]


TABLES = {
    1: ("active_disclosure", _active_disclosure),
    2: ("requests", _requests),
    3: ("review_litigation", _review_litigation),
}


def _laid_out(rows: list[Row], one_per_line: bool) -> list[list[str]]:
    """Rows as Word exports them (placeholders empty), or one cell per row, placeholders gone."""
    if one_per_line:
        return [[cell] for row in rows for cell in row if cell is not None]
    return [["" if cell is None else cell for cell in row] for row in rows]


def blocks(text: str, truth: dict, traditional: bool = False) -> list[Block]:
    """The report as paragraphs and tables, in order: `truth` is the seed's golden record.

    Labels are written in Traditional forms for a Traditional seed, or with `traditional`."""
    label: Label = TO_TRADITIONAL.convert if traditional or truth["script"] == "traditional" else str
    lines = text.split("\n")
    headings = {}
    for at, line in enumerate(lines):
        found = HEADING.match(TO_SIMPLIFIED.convert(line.strip()))
        if found:
            headings[at] = SECTIONS.index(found[1])
    assert set(TABLES) <= set(headings.values()), f"table headings not found: {sorted(headings.values())}"
    ends = [*sorted(headings)[1:], len(lines)]
    regions = {start: end for start, end in zip(sorted(headings), ends, strict=True) if headings[start] in TABLES}
    out: list[Block] = []
    at = 0
    while at < len(lines):
        if lines[at].strip():
            out.append(lines[at].strip())
        if at in regions:
            key, build = TABLES[headings[at]]
            one_per_line = not any(line.startswith("\t") for line in lines[at + 1 : regions[at]])
            out.append(_laid_out(build(truth["tables"][key], label), one_per_line))
            at = regions[at]
        else:
            at += 1
    return out


def to_html(text: str, truth: dict, charset: str = "utf-8", traditional: bool = False) -> bytes:
    title, index, footer = (
        ("政府信息公開", "索引號：", "主辦單位：某某局")
        if traditional
        else ("政府信息公开", "索引号：", "主办单位：某某局")
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html><head><meta charset="{charset}"><title>{title}</title>',
        "<style>td { border: 1px solid }</style><script>var x = '<td>0</td>';</script></head><body>",
        f'<div class="header"><span>{index}</span><span>000000/2024-1</span></div>',
    ]
    for block in blocks(text, truth, traditional):
        if isinstance(block, str):
            parts.append(f"<p>{html.escape(block)}</p>")
            continue
        parts.append('<table border="1" cellspacing="0">')
        for row in block:
            cells = "".join(
                f"<td>{'<br/>'.join(html.escape(piece) for piece in cell.split(chr(10)))}</td>" for cell in row
            )
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    parts.append(f'<div class="footer">{footer}</div></body></html>')
    return "\n".join(parts).encode(charset)


def to_docx(text: str, truth: dict) -> bytes:
    import docx

    document = docx.Document()
    for block in blocks(text, truth):
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        width = max(len(row) for row in block)
        table = document.add_table(rows=len(block), cols=width)
        for r, row in enumerate(block):
            cells = table.rows[r].cells
            if len(row) < width:  # a wider last cell, as Word merges them
                cells[len(row) - 1].merge(cells[width - 1])
            for c, value in enumerate(row):
                pieces = value.split("\n")
                cells[c].paragraphs[0].text = pieces[0]
                for piece in pieces[1:]:
                    cells[c].add_paragraph(piece)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Cell:
    """A cell of a ruled PDF table, placed as HTML places it (after the cells that cover its row)."""

    text: str
    rowspan: int = 1
    colspan: int = 1


PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0
FONT, SIZE, LEADING, PAD = "STSong-Light", 9.0, 11.0, 3.0


def place(rows: list[list[Cell]]) -> list[list[tuple[int, Cell]]]:
    """Each row's cells with their column: HTML's placement, skipping positions covered from above."""
    covered: set[tuple[int, int]] = set()
    placed: list[list[tuple[int, Cell]]] = []
    for r, row in enumerate(rows):
        col, out = 0, []
        for cell in row:
            while (r, col) in covered:
                col += 1
            out.append((col, cell))
            covered |= {(r + dr, col + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
            col += cell.colspan
        placed.append(out)
    return placed


def _wrap(text: str, width: float, font: str = FONT) -> list[str]:
    """The cell's lines, wrapped char by char like a word processor.

    PDFium's text page drops a text object that holds one CJK character in reportlab's
    non-embedded STSong-Light (it gives it no width), so a lone last character is drawn with the
    one before it.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for paragraph in text.split("\n"):
        wrapped = [""]
        for char in paragraph:
            if wrapped[-1] and stringWidth(wrapped[-1] + char, font, SIZE) > width:
                wrapped.append("")
            wrapped[-1] += char
        if len(wrapped) > 1 and len(wrapped[-1]) == 1:
            wrapped[-2:] = [wrapped[-2][:-1], wrapped[-2][-1] + wrapped[-1]]
        lines += wrapped
    return lines


class RuledWriter:
    """Paragraphs and ruled tables on A4 pages with a CJK font, a page number at each foot.

    Borders are real PDF paths: stroked lines, or thin filled rectangles (how Word and WPS draw
    them) with `borders="fill"`. A row that does not fit starts a new page. With `rotate=90` the
    pages are landscape the way scanners and Word print them: a portrait page with /Rotate 90
    whose content is drawn turned a quarter counter-clockwise. `font="Helvetica"` for ASCII text
    whose widths PDFium knows: it gives no width to CJK glyphs of the non-embedded STSong-Light
    on a rotated page or in a form, and full-width boxes to its Latin glyphs.
    """

    def __init__(self, borders: str = "stroke", rotate: int = 0, font: str = FONT) -> None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas

        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        self.out = BytesIO()
        self.width, self.height = (PAGE_HEIGHT, PAGE_WIDTH) if rotate else (PAGE_WIDTH, PAGE_HEIGHT)
        # reportlab's page size is the displayed one: with /Rotate 90 the MediaBox is its transpose
        self.canvas = canvas.Canvas(self.out, pagesize=(self.width, self.height))
        self.borders, self.rotate, self.font = borders, rotate, font
        self.page, self.y = 1, self.height - 40
        self._start_page()

    def _start_page(self) -> None:
        self.canvas.setFont(self.font, SIZE)
        if self.rotate == 90:
            self.canvas.setPageRotation(90)
            self.canvas.translate(PAGE_WIDTH, 0)
            self.canvas.rotate(90)

    def new_page(self) -> None:
        self.canvas.drawString(self.width / 2, 30, f"-{self.page}-")
        self.canvas.showPage()
        self.page, self.y = self.page + 1, self.height - 40
        self._start_page()

    def paragraph(self, text: str) -> None:
        if self.y < 60:
            self.new_page()
        self.canvas.drawString(30, self.y, text)
        self.y -= 16

    def _rule(self, x0: float, y0: float, x1: float, y1: float) -> None:
        if self.borders == "fill":  # a 0.6 pt filled rectangle along the edge
            self.canvas.rect(min(x0, x1) - 0.3, min(y0, y1) - 0.3, abs(x1 - x0) + 0.6, abs(y1 - y0) + 0.6, 0, 1)
        else:
            self.canvas.line(x0, y0, x1, y1)

    def table(self, rows: list[list[Cell]], widths: list[float]) -> None:
        placed = place(rows)
        edges = [30.0]
        for width in widths:
            edges.append(edges[-1] + width)
        text = {
            (r, col): _wrap(cell.text, edges[col + cell.colspan] - edges[col] - 2 * PAD, self.font)
            for r, row in enumerate(placed)
            for col, cell in row
        }
        heights = [LEADING + 2 * PAD] * len(rows)
        for r, row in enumerate(placed):  # rows grow to fit their cells (a spanning cell: its last row)
            for col, cell in sorted(row, key=lambda item: item[1].rowspan):
                need = len(text[r, col]) * LEADING + 2 * PAD
                last = r + cell.rowspan - 1
                have = sum(heights[r : last + 1])
                heights[last] += max(0.0, need - have)
        self.y -= 4
        on_page: list[tuple[int, float]] = []  # rows on the current page, with their tops
        for r, height in enumerate(heights):
            if on_page and self.y - height < 50:  # the rest of the table on a new page
                self._draw(placed, on_page, heights, edges, text)
                self.new_page()
                on_page = []
            on_page.append((r, self.y))
            self.y -= height
        self._draw(placed, on_page, heights, edges, text)
        self.y -= 12

    def _draw(
        self,
        placed: list[list[tuple[int, Cell]]],
        on_page: list[tuple[int, float]],
        heights: list[float],
        edges: list[float],
        text: dict[tuple[int, int], list[str]],
    ) -> None:
        last = on_page[-1][0]
        for r, top in on_page:
            for col, cell in placed[r]:
                x0, x1 = edges[col], edges[col + cell.colspan]
                bottom = top - sum(heights[r : min(r + cell.rowspan - 1, last) + 1])
                for a, b, c, d in (
                    (x0, top, x1, top),
                    (x0, bottom, x1, bottom),
                    (x0, top, x0, bottom),
                    (x1, top, x1, bottom),
                ):
                    self._rule(a, b, c, d)
                lines = text[r, col]
                first = (top + bottom) / 2 + len(lines) * LEADING / 2 - LEADING + 2.5  # centred in the cell
                for k, line in enumerate(lines):
                    self.canvas.drawString(x0 + PAD, first - k * LEADING, line)

    def finish(self) -> bytes:
        self.canvas.drawString(self.width / 2, 30, f"-{self.page}-")
        self.canvas.showPage()
        self.canvas.save()
        return self.out.getvalue()


def seed_table(block: list[list[str]]) -> list[list[Cell]]:
    """A seed's table as ruled cells: a short row's last cell spans to the right, as Word merges them."""
    width = max(len(row) for row in block)
    return [
        [Cell(text, colspan=1 + (width - len(row) if c == len(row) - 1 else 0)) for c, text in enumerate(row)]
        for row in block
    ]


def to_pdf(text: str, truth: dict, lines_per_page: int = 45, ruled: bool = False, borders: str = "stroke") -> bytes:
    """The report as a PDF: table rows as lines of cells side by side (as text-order PDF readers
    see them), or with `ruled` as real ruled tables whose cells wrap inside their borders."""
    if ruled:
        writer = RuledWriter(borders)
        for block in blocks(text, truth):
            if isinstance(block, str):
                writer.paragraph(block)
            else:
                width = max(len(row) for row in block)
                writer.table(seed_table(block), [(PAGE_WIDTH - 60) / width] * width)
        return writer.finish()
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    lines: list[str] = []
    for block in blocks(text, truth):
        if isinstance(block, str):
            lines.append(block)
        else:  # a row as its cells side by side; empty cells leave no text, as in real PDFs
            lines += [" ".join(c.replace("\n", "").strip() for c in row if c.strip()) for row in block]
            lines = [line for line in lines if line]
    out = BytesIO()
    page = canvas.Canvas(out)
    for start in range(0, len(lines), lines_per_page):
        page.setFont("STSong-Light", 9)
        for k, line in enumerate(lines[start : start + lines_per_page]):
            page.drawString(30, 800 - 16 * k, line)
        page.drawString(290, 30, str(start // lines_per_page + 1))  # the page number at the foot
        page.showPage()
    page.save()
    return out.getvalue()
