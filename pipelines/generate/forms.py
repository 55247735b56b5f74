"""The printed forms of the two template versions: keys, labels, and the Word table's merges.

Written from the spec (`docs/report-template.md`), not imported from the parser, so that the
generator checks the parser instead of sharing its mistakes. Every export format is a view of
the same Word table, so each table is described once as a grid of slots (a label or a value,
with its row and column spans); the renderers lay that grid out.
"""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATE_2021 = "2021"
TEMPLATE_2019 = "2019"
TEMPLATES: tuple[str, ...] = (TEMPLATE_2021, TEMPLATE_2019)

CellKey = tuple[str, str, str]  # (table, row, column)

ACTIVE = "active_disclosure"
REQUESTS = "requests"
REVIEW = "review_litigation"
TABLES: tuple[str, ...] = (ACTIVE, REQUESTS, REVIEW)

SECTION_HEADINGS: tuple[tuple[str, str], ...] = (
    ("一、", "总体情况"),
    ("二、", "主动公开政府信息情况"),
    ("三、", "收到和处理政府信息公开申请情况"),
    ("四、", "政府信息公开行政复议、行政诉讼情况"),
    ("五、", "存在的主要问题及改进情况"),
    ("六、", "其他需要报告的事项"),
)

# --- table 2 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActiveBlock:
    """One `第二十条第（x）项` block of table 2: its column labels and its rows."""

    item: str  # 第二十条第（一）项
    columns: tuple[tuple[str, str], ...]  # (column key, printed label)
    rows: tuple[tuple[str, str], ...]  # (row key, printed label)


_DECISIONS_2021 = (("decisions", "本年处理决定数量"),)
ACTIVE_BLOCKS_2021: tuple[ActiveBlock, ...] = (
    ActiveBlock(
        "第二十条第（一）项",
        (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数")),
        (("rules", "规章"), ("normative_documents", "行政规范性文件")),
    ),
    ActiveBlock("第二十条第（五）项", _DECISIONS_2021, (("administrative_licensing", "行政许可"),)),
    ActiveBlock(
        "第二十条第（六）项",
        _DECISIONS_2021,
        (("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")),
    ),
    ActiveBlock(
        "第二十条第（八）项",
        (("amount", "本年收费金额（单位：万元）"),),
        (("administrative_fees", "行政事业性收费"),),
    ),
)

_ITEMS_2019 = (("items_last_year", "上一年项目数量"), ("items_change", "本年增/减"), ("decisions", "处理决定数量"))
ACTIVE_BLOCKS_2019: tuple[ActiveBlock, ...] = (
    ActiveBlock(
        "第二十条第（一）项",
        (("produced", "本年新制作数量"), ("published", "本年新公开数量"), ("total_published", "对外公开总数量")),
        (("rules", "规章"), ("normative_documents", "规范性文件")),
    ),
    ActiveBlock(
        "第二十条第（五）项",
        _ITEMS_2019,
        (("administrative_licensing", "行政许可"), ("other_management_services", "其他对外管理服务事项")),
    ),
    ActiveBlock(
        "第二十条第（六）项",
        _ITEMS_2019,
        (("administrative_penalty", "行政处罚"), ("administrative_coercion", "行政强制")),
    ),
    ActiveBlock("第二十条第（八）项", _ITEMS_2019[:2], (("administrative_fees", "行政事业性收费"),)),
    ActiveBlock(
        "第二十条第（九）项",
        (("procurement_items", "采购项目数量"), ("procurement_amount", "采购总金额")),
        (("government_procurement", "政府集中采购"),),
    ),
)

# Cells holding an amount in 万元 (a decimal); every other cell is a whole count.
AMOUNT_CELLS: tuple[CellKey, ...] = (
    (ACTIVE, "administrative_fees", "amount"),
    (ACTIVE, "government_procurement", "procurement_amount"),
)
# Cells that may be negative (a change from last year).
SIGNED_COLUMNS: tuple[str, ...] = ("items_change",)

# --- table 3 -------------------------------------------------------------------------------

APPLICANT_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
)
REQUEST_COLUMNS: tuple[str, ...] = (*APPLICANT_COLUMNS, "total")

# (row key, printed label, group label or None). Groups are the merged labels in column 2.
_RESULTS_HEAD: tuple[tuple[str, str, str | None], ...] = (
    ("granted", "（一）予以公开", None),
    ("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None),
    ("denied_state_secret", "1.属于国家秘密", "（三）不予公开"),
    ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开", "（三）不予公开"),
    ("denied_security_stability", "3.危及“三安全一稳定”", "（三）不予公开"),
    ("denied_third_party_rights", "4.保护第三方合法权益", "（三）不予公开"),
    ("denied_internal_affairs", "5.属于三类内部事务信息", "（三）不予公开"),
    ("denied_process_info", "6.属于四类过程性信息", "（三）不予公开"),
    ("denied_enforcement_files", "7.属于行政执法案卷", "（三）不予公开"),
    ("denied_query_matters", "8.属于行政查询事项", "（三）不予公开"),
    ("unavailable_not_held", "1.本机关不掌握相关政府信息", "（四）无法提供"),
    ("unavailable_needs_creation", "2.没有现成信息需要另行制作", "（四）无法提供"),
    ("unavailable_unclear_after_correction", "3.补正后申请内容仍不明确", "（四）无法提供"),
    ("not_processed_petition", "1.信访举报投诉类申请", "（五）不予处理"),
    ("not_processed_duplicate", "2.重复申请", "（五）不予处理"),
    ("not_processed_publication", "3.要求提供公开出版物", "（五）不予处理"),
    ("not_processed_excessive", "4.无正当理由大量反复申请", "（五）不予处理"),
    ("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息", "（五）不予处理"),
)
_OTHER_2021: tuple[tuple[str, str, str | None], ...] = (
    ("other_overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "（六）其他处理"),
    ("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "（六）其他处理"),
    ("other", "3.其他", "（六）其他处理"),
)
_OTHER_2019: tuple[tuple[str, str, str | None], ...] = (("other_processing", "（六）其他处理", None),)

RESULT_ROWS_2021: tuple[tuple[str, str, str | None], ...] = _RESULTS_HEAD + _OTHER_2021
RESULT_ROWS_2019: tuple[tuple[str, str, str | None], ...] = _RESULTS_HEAD + _OTHER_2019

RESULTS_GROUP = "三、本年度办理结果"
REQUEST_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_TOP_ROWS = (("new_received", "一、本年新收政府信息公开申请数量"), ("carried_over", "二、上年结转政府信息公开申请数量"))
_TOTAL_ROW = ("total_handled", "（七）总计")
_FORWARD_ROW = ("carried_forward", "四、结转下年度继续办理")

# Where a long label wraps when a report wraps it: (head, tail). The head keeps the words that
# identify the row, as real reports' first lines do.
LABEL_WRAPS: dict[str, tuple[str, str]] = {
    "new_received": ("一、本年新收政府信息", "公开申请数量"),
    "carried_over": ("二、上年结转政府信息", "公开申请数量"),
    "partially_granted": ("（二）部分公开（区分处理的，只计这一情形，", "不计其他情形）"),
    "not_processed_confirmation": ("5.要求行政机关确认或重新出具", "已获取信息"),
    "other_overdue_correction": ("1.申请人无正当理由逾期不补正、", "行政机关不再处理其政府信息公开申请"),
    "other_unpaid_fee": ("2.申请人逾期未按收费通知要求缴纳费用、", "行政机关不再处理其政府信息公开申请"),
}
HEADER_WRAPS: dict[str, tuple[str, str]] = {
    "商业企业": ("商业", "企业"),
    "科研机构": ("科研", "机构"),
    "结果维持": ("结果", "维持"),
    "结果纠正": ("结果", "纠正"),
    "其他结果": ("其他", "结果"),
    "尚未审结": ("尚未", "审结"),
}

# --- table 4 -------------------------------------------------------------------------------

REVIEW_GROUPS: tuple[tuple[str, str], ...] = (
    ("administrative_review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
)
REVIEW_RESULTS: tuple[tuple[str, str], ...] = (
    ("upheld", "结果维持"),
    ("corrected", "结果纠正"),
    ("other", "其他结果"),
    ("pending", "尚未审结"),
    ("total", "总计"),
)


def active_blocks(template: str) -> tuple[ActiveBlock, ...]:
    return ACTIVE_BLOCKS_2019 if template == TEMPLATE_2019 else ACTIVE_BLOCKS_2021


def result_rows(template: str) -> tuple[tuple[str, str, str | None], ...]:
    return RESULT_ROWS_2019 if template == TEMPLATE_2019 else RESULT_ROWS_2021


def request_rows(template: str) -> tuple[tuple[str, str], ...]:
    """Every value row of table 3, in printed order: (key, label)."""
    results = tuple((key, label) for key, label, _group in result_rows(template))
    return (*_TOP_ROWS, *results, _TOTAL_ROW, _FORWARD_ROW)


def cell_keys(template: str) -> list[CellKey]:
    """Every value cell of the template version, in printed order (200 for 2021, 198 for 2019)."""
    keys: list[CellKey] = []
    for block in active_blocks(template):
        for row, _label in block.rows:
            keys += [(ACTIVE, row, column) for column, _ in block.columns]
    for row, _label in request_rows(template):
        keys += [(REQUESTS, row, column) for column in REQUEST_COLUMNS]
    for group, _label in REVIEW_GROUPS:
        keys += [(REVIEW, group, result) for result, _ in REVIEW_RESULTS]
    return keys


# --- grids ---------------------------------------------------------------------------------

HEADER = "header"  # a column label (may wrap when split_cells)
LABEL = "label"  # a row label (may wrap when wrapped_labels)
VALUE = "value"


@dataclass(frozen=True)
class Slot:
    """One cell of the Word table, anchored at (row, col), spanning rowspan × colspan."""

    row: int
    col: int
    role: str
    text: str = ""  # labels; values are printed later from `key`
    key: CellKey | None = None
    rowspan: int = 1
    colspan: int = 1
    wrap_id: str | None = None  # key into LABEL_WRAPS / HEADER_WRAPS when this label can wrap


@dataclass(frozen=True)
class Grid:
    table: str
    width: int
    height: int
    slots: tuple[Slot, ...]  # in row-major order of their anchors
    header_rows: int  # how many leading rows are column headers (pipe tables put `|---|` after the first)


def _grid(table: str, width: int, slots: list[Slot], header_rows: int) -> Grid:
    slots.sort(key=lambda s: (s.row, s.col))
    height = max(s.row + s.rowspan for s in slots)
    return Grid(table, width, height, tuple(slots), header_rows)


def active_grid(template: str) -> Grid:
    """Table 2: four columns; each block a sub-header row, a column-label row and its rows."""
    slots: list[Slot] = []
    r = 0
    for block in active_blocks(template):
        slots.append(Slot(r, 0, HEADER, block.item, colspan=4))
        r += 1
        slots.append(Slot(r, 0, HEADER, "信息内容"))
        widths = _spread(len(block.columns), 3)
        col = 1
        for (_key, label), span in zip(block.columns, widths, strict=True):
            slots.append(Slot(r, col, HEADER, label, colspan=span))
            col += span
        r += 1
        for row_key, label in block.rows:
            slots.append(Slot(r, 0, LABEL, label))
            col = 1
            for (column, _label), span in zip(block.columns, widths, strict=True):
                slots.append(Slot(r, col, VALUE, key=(ACTIVE, row_key, column), colspan=span))
                col += span
            r += 1
    return _grid(ACTIVE, 4, slots, header_rows=1)


def _spread(n: int, width: int) -> list[int]:
    """Column spans of n cells over `width` columns, the last one taking the rest (as Word merges)."""
    return [1] * (n - 1) + [width - (n - 1)]


def request_grid(template: str) -> Grid:
    """Table 3: three label columns (一、 / （一） / 1.) and seven applicant columns."""
    slots: list[Slot] = [
        Slot(0, 0, HEADER, REQUEST_NOTE, rowspan=3, colspan=3),
        Slot(0, 3, HEADER, "申请人情况", colspan=7),
        Slot(1, 3, HEADER, "自然人", rowspan=2),
        Slot(1, 4, HEADER, "法人或其他组织", colspan=5),
        Slot(1, 9, HEADER, "总计", rowspan=2),
    ]
    for k, label in enumerate(("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")):
        slots.append(Slot(2, 4 + k, HEADER, label, wrap_id=label if label in HEADER_WRAPS else None))

    def values(r: int, row_key: str) -> None:
        slots.extend(Slot(r, 3 + k, VALUE, key=(REQUESTS, row_key, c)) for k, c in enumerate(REQUEST_COLUMNS))

    def wrap(row_key: str) -> str | None:
        return row_key if row_key in LABEL_WRAPS else None

    r = 3
    for row_key, label in _TOP_ROWS:
        slots.append(Slot(r, 0, LABEL, label, colspan=3, wrap_id=wrap(row_key)))
        values(r, row_key)
        r += 1
    results = result_rows(template)
    slots.append(Slot(r, 0, LABEL, RESULTS_GROUP, rowspan=len(results) + 1))
    previous_group: str | None = None
    for k, (row_key, label, group) in enumerate(results):
        if group is None:
            slots.append(Slot(r, 1, LABEL, label, colspan=2, wrap_id=wrap(row_key)))
        else:
            if group != previous_group:
                size = sum(1 for _key, _label, g in results[k:] if g == group)
                slots.append(Slot(r, 1, LABEL, group, rowspan=size))
            slots.append(Slot(r, 2, LABEL, label, wrap_id=wrap(row_key)))
        previous_group = group
        values(r, row_key)
        r += 1
    slots.append(Slot(r, 1, LABEL, _TOTAL_ROW[1], colspan=2))
    values(r, _TOTAL_ROW[0])
    r += 1
    slots.append(Slot(r, 0, LABEL, _FORWARD_ROW[1], colspan=3))
    values(r, _FORWARD_ROW[0])
    return _grid(REQUESTS, 10, slots, header_rows=3)


def review_grid() -> Grid:
    """Table 4: 行政复议 (5 columns) and 行政诉讼 (2 × 5), a two-level header, one row of values."""
    slots: list[Slot] = [Slot(0, 0, HEADER, "行政复议", colspan=5), Slot(0, 5, HEADER, "行政诉讼", colspan=10)]
    for k, (_key, label) in enumerate(REVIEW_RESULTS):
        slots.append(Slot(1, k, HEADER, label, rowspan=2, wrap_id=label if label in HEADER_WRAPS else None))
    slots.append(Slot(1, 5, HEADER, REVIEW_GROUPS[1][1], colspan=5))
    slots.append(Slot(1, 10, HEADER, REVIEW_GROUPS[2][1], colspan=5))
    for g in (1, 2):
        for k, (_key, label) in enumerate(REVIEW_RESULTS):
            slots.append(Slot(2, 5 * g + k, HEADER, label, wrap_id=label if label in HEADER_WRAPS else None))
    col = 0
    for group, _label in REVIEW_GROUPS:
        for result, _label2 in REVIEW_RESULTS:
            slots.append(Slot(3, col, VALUE, key=(REVIEW, group, result)))
            col += 1
    return _grid(REVIEW, 15, slots, header_rows=3)


def grids(template: str) -> tuple[Grid, Grid, Grid]:
    return active_grid(template), request_grid(template), review_grid()


@dataclass(frozen=True)
class RowItem:
    """What a row of the grid shows at one place: an anchored slot, or a merged cell continuing
    from a row above (a placeholder: Word exports it as an empty cell)."""

    slot: Slot
    placeholder: bool


def row_items(grid: Grid, r: int) -> list[RowItem]:
    """The cells of row r left to right, once per merged cell (a colspan is one cell)."""
    items: list[RowItem] = []
    for slot in grid.slots:
        if slot.row == r:
            items.append(RowItem(slot, False))
        elif slot.row < r < slot.row + slot.rowspan:
            items.append(RowItem(slot, True))
    items.sort(key=lambda item: item.slot.col)
    return items
