"""The 2021 national template as data: sections, tables, row and column keys.

The keys are the contract between the parser, the lake, the dbt models and the tests
(`docs/report-template.md`). Labels are matched through *signatures*: short normalised fragments
(Simplified, NFKC, no whitespace or punctuation) that identify a label even when a report
truncates, wraps or decorates it.
"""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATE_2021 = "2021"
TEMPLATE_2019 = "2019"


@dataclass(frozen=True)
class Section:
    number: int
    key: str
    heading: str  # Simplified, without its number


SECTIONS: tuple[Section, ...] = (
    Section(1, "overview", "总体情况"),
    Section(2, "active_disclosure", "主动公开政府信息情况"),
    Section(3, "requests", "收到和处理政府信息公开申请情况"),
    Section(4, "review_litigation", "政府信息公开行政复议行政诉讼情况"),
    Section(5, "problems", "存在的主要问题及改进情况"),
    Section(6, "other_matters", "其他需要报告的事项"),
)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: cheap as a cache key
class Row:
    """One printed row: its key, the label it is printed with, how to recognise it."""

    key: str
    label: str
    signatures: tuple[str, ...]
    exact: bool = False  # signature must equal the whole normalised label, not occur in it


# --- Table 2: 主动公开政府信息情况 -----------------------------------------------------------

ACTIVE_COLUMNS: dict[str, tuple[str, ...]] = {
    "rules": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "administrative_licensing": ("decisions",),
    "administrative_penalty": ("decisions",),
    "administrative_coercion": ("decisions",),
    "administrative_fees": ("amount",),
}

ACTIVE_ROWS: tuple[Row, ...] = (
    Row("rules", "规章", ("规章",), exact=True),
    Row("normative_documents", "行政规范性文件", ("规范性文件",)),
    Row("administrative_licensing", "行政许可", ("行政许可",)),
    Row("administrative_penalty", "行政处罚", ("行政处罚",)),
    Row("administrative_coercion", "行政强制", ("行政强制",)),
    Row("administrative_fees", "行政事业性收费", ("行政事业性收费", "事业性收费")),
)

# The 2019/2020 template's table 2 measures other things (documents made and published, item
# counts and their change, procurement): its cells keep keys of their own, except the
# decisions (处理决定数量), the same measure in both templates. A count of fee items is never
# aliased onto the 2021 fee amount.
_DOCUMENTS_2019 = ("produced", "published", "total_published")
_ITEMS_2019 = ("items_last_year", "items_change", "decisions")
ACTIVE_COLUMNS_2019: dict[str, tuple[str, ...]] = {
    "rules": _DOCUMENTS_2019,
    "normative_documents": _DOCUMENTS_2019,
    "administrative_licensing": _ITEMS_2019,
    "other_management_services": _ITEMS_2019,
    "administrative_penalty": _ITEMS_2019,
    "administrative_coercion": _ITEMS_2019,
    "administrative_fees": ("items_last_year", "items_change"),
    "government_procurement": ("procurement_items", "procurement_amount"),
}
ACTIVE_ROWS_2019: tuple[Row, ...] = (
    Row("rules", "规章", ("规章",), exact=True),
    Row("normative_documents", "规范性文件", ("规范性文件",)),
    Row("administrative_licensing", "行政许可", ("行政许可",)),
    Row("other_management_services", "其他对外管理服务事项", ("对外管理服务",)),
    Row("administrative_penalty", "行政处罚", ("行政处罚",)),
    Row("administrative_coercion", "行政强制", ("行政强制",)),
    Row("administrative_fees", "行政事业性收费", ("行政事业性收费", "事业性收费")),
    Row("government_procurement", "政府集中采购", ("集中采购",)),
)
# Column labels found only in the 2019/2020 template's table 2 (as label keys).
TEMPLATE_2019_MARKS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量")

# Cells whose value is an amount (万元, may have decimals); every other cell is a whole count.
DECIMAL_CELLS: frozenset[tuple[str, str, str]] = frozenset(
    {
        ("active_disclosure", "administrative_fees", "amount"),
        ("active_disclosure", "government_procurement", "procurement_amount"),
    }
)
# Cells that may be negative: the 2019 template's 本年增/减.
SIGNED_COLUMNS: frozenset[str] = frozenset({"items_change"})
# Tables whose rows can be narrower than the printed grid (table 2's sub-tables have one to
# three value columns), so a grid layout pads them with empty cells at the end of the row. In
# the other tables a label spans columns and the padding follows the label.
PADDED_AT_ROW_END: frozenset[str] = frozenset({"active_disclosure"})

# --- Table 3: 收到和处理政府信息公开申请情况 -------------------------------------------------

REQUEST_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)

REQUEST_ROWS: tuple[Row, ...] = (
    Row("new_received", "一、本年新收政府信息公开申请数量", ("本年新收",)),
    Row("carried_over", "二、上年结转政府信息公开申请数量", ("上年结转",)),
    Row("granted", "（一）予以公开", ("予以公开",)),
    Row("partially_granted", "（二）部分公开", ("部分公开",)),
    Row("denied_state_secret", "1.属于国家秘密", ("国家秘密",)),
    Row("denied_prohibited_by_law", "2.其他法律行政法规禁止公开", ("禁止公开",)),
    Row("denied_security_stability", "3.危及“三安全一稳定”", ("三安全一稳定",)),
    Row("denied_third_party_rights", "4.保护第三方合法权益", ("第三方合法权益",)),
    Row("denied_internal_affairs", "5.属于三类内部事务信息", ("内部事务",)),
    Row("denied_process_info", "6.属于四类过程性信息", ("过程性信息",)),
    Row("denied_enforcement_files", "7.属于行政执法案卷", ("行政执法案卷",)),
    Row("denied_query_matters", "8.属于行政查询事项", ("行政查询事项",)),
    Row("unavailable_not_held", "1.本机关不掌握相关政府信息", ("不掌握",)),
    Row("unavailable_needs_creation", "2.没有现成信息需要另行制作", ("另行制作", "没有现成信息")),
    Row("unavailable_unclear_after_correction", "3.补正后申请内容仍不明确", ("仍不明确",)),
    Row("not_processed_petition", "1.信访举报投诉类申请", ("信访举报投诉",)),
    Row("not_processed_duplicate", "2.重复申请", ("重复申请",), exact=True),
    Row("not_processed_publication", "3.要求提供公开出版物", ("公开出版物",)),
    Row("not_processed_excessive", "4.无正当理由大量反复申请", ("大量反复申请",)),
    Row("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息", ("重新出具",)),
    Row("other_overdue_correction", "1.申请人无正当理由逾期不补正……", ("逾期不补正",)),
    Row("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用……", ("缴纳费用", "收费通知")),
    Row("other", "3.其他", ("其他",), exact=True),
    Row("total_handled", "（七）总计", ("总计",), exact=True),
    Row("carried_forward", "四、结转下年度继续办理", ("结转下年度",)),
)

# Group labels of table 3: printed, but hold no values of their own.
REQUEST_GROUPS: tuple[Row, ...] = (
    Row("results", "三、本年度办理结果", ("本年度办理结果",)),
    Row("denied", "（三）不予公开", ("不予公开",), exact=True),
    Row("unavailable", "（四）无法提供", ("无法提供",), exact=True),
    Row("not_processed", "（五）不予处理", ("不予处理",), exact=True),
    # Some 2021-era reports print （六）其他处理 as one row with values (`other_processing`).
    Row("other_processing", "（六）其他处理", ("其他处理",), exact=True),
)

# The rows summed by R3 (granted … other), in printed order.
RESULT_ROWS: tuple[str, ...] = tuple(r.key for r in REQUEST_ROWS[2:23])
OTHER_PROCESSING_PARTS: tuple[str, ...] = ("other_overdue_correction", "other_unpaid_fee", "other")
OTHER_PROCESSING = Row("other_processing", "（六）其他处理", ("其他处理",), exact=True)

# The 2019/2020 template prints （六）其他处理 as one row: 23 rows instead of 25.
REQUEST_ROWS_2019: tuple[Row, ...] = tuple(
    row
    for r in REQUEST_ROWS
    if r.key not in OTHER_PROCESSING_PARTS[1:]
    for row in ((OTHER_PROCESSING,) if r.key == OTHER_PROCESSING_PARTS[0] else (r,))
)

# --- Table 4: 政府信息公开行政复议、行政诉讼情况 ---------------------------------------------

REVIEW_GROUPS: tuple[str, ...] = ("administrative_review", "litigation_direct", "litigation_after_review")
REVIEW_RESULTS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")
# Header words that must appear (in this order) before the 15 values.
REVIEW_HEADER: tuple[str, ...] = ("行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

TABLES: tuple[str, ...] = ("active_disclosure", "requests", "review_litigation")
ACTIVE, REQUESTS, REVIEW = TABLES


def active_layout(template: str) -> tuple[tuple[Row, ...], dict[str, tuple[str, ...]]]:
    """Table 2's rows and their columns in a template version."""
    return (ACTIVE_ROWS_2019, ACTIVE_COLUMNS_2019) if template == TEMPLATE_2019 else (ACTIVE_ROWS, ACTIVE_COLUMNS)


def request_rows(template: str) -> tuple[Row, ...]:
    return REQUEST_ROWS_2019 if template == TEMPLATE_2019 else REQUEST_ROWS


def expected_cells(template: str = TEMPLATE_2021) -> list[tuple[str, str, str]]:
    """Every (table, row, column) of a report, in printed order: 200 cells in the 2021
    template, 198 in the 2019 one (22 + 23 × 7 + 15)."""
    cells: list[tuple[str, str, str]] = []
    rows, columns = active_layout(template)
    for row in rows:
        cells += [("active_disclosure", row.key, col) for col in columns[row.key]]
    for row in request_rows(template):
        cells += [("requests", row.key, col) for col in REQUEST_COLUMNS]
    for group in REVIEW_GROUPS:
        cells += [("review_litigation", group, col) for col in REVIEW_RESULTS]
    return cells
