"""The batch's tables read through their plans: one plan per distinct table shape, values once per distinct text.

A table's shape (its cells as labels, values or empties, and where rows start) decides which
cell is which template key (plans.py). Here every table of the batch is given the plan of its
shape, its cells are joined to their keys, and each distinct cell text is read as a value once.
A table is planned first with empty and filled value cells alike (one plan serves every
pattern of blanks); only where a row's cell count is off does the finer shape decide.
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from pipelines.extract.read.distinct import map_distinct
from pipelines.extract.read.layouts import PARAGRAPH, ROWS_KNOWN, ROWS_WRAP
from pipelines.extract.read.normalize import BLANK, NUMBER, is_value_like, label_key, read_value
from pipelines.extract.read.plans import EMPTY, HEADING, LABEL, STRAY, VALUE, CellEvent, Plan, plan_for
from pipelines.extract.read.tables import is_stray_value
from pipelines.extract.template import DECIMAL_CELLS, SIGNED_COLUMNS


@lru_cache(maxsize=262144)
def _value(text: str, decimal: bool, signed: bool) -> tuple[str, float | None, str]:
    read = read_value(text, decimal, signed)
    return read.kind, None if read.value is None else float(read.value), read.reason


def _text_facts(texts: pl.Series) -> pl.DataFrame:
    """What the table readers ask of a cell's text, once per distinct text: is it value-like,
    a stray value (a page number), and its label key."""
    uniques = texts.unique().to_list()
    return pl.DataFrame(
        {
            "text": uniques,
            "value_like": [is_value_like(t) for t in uniques],
            "stray": [is_stray_value(t) for t in uniques],
            "key": [label_key(t) for t in uniques],
        },
        schema={"text": pl.String, "value_like": pl.Boolean, "stray": pl.Boolean, "key": pl.String},
    )


class PlanBook:
    """The distinct plans met in one batch, each under a small integer id (plans are hashable)."""

    def __init__(self) -> None:
        self._ids: dict[Plan, int] = {}
        self.plans: list[Plan] = []

    def id_of(self, plan: Plan) -> int:
        if plan not in self._ids:
            self._ids[plan] = len(self.plans)
            self.plans.append(plan)
        return self._ids[plan]


_PLAN_CELLS = {
    "plan": pl.Int32,
    "event": pl.Int32,
    "k": pl.Int32,
    "table_key": pl.String,
    "row_key": pl.String,
    "column_key": pl.String,
}
_PLAN_FINDINGS = {
    "plan": pl.Int32,
    "event": pl.Int32,
    "code": pl.String,
    "message": pl.String,
    "ref": pl.Int32,  # HEADING, or the index of the cell whose line the finding points at
    "table_key": pl.String,
    "row_key": pl.String,
    "column_key": pl.String,
}


def _plans(cells: pl.DataFrame, tables: pl.DataFrame, shape: pl.Expr, book: PlanBook) -> pl.DataFrame:
    """Each table's plan for the cell shapes `shape` gives: (doc, table_no, plan, counts_match)."""
    group = ["doc", "table_no"]
    shaped = cells.with_columns(shape=shape)
    signatures = shaped.group_by(group).agg(
        key=(pl.col("row_start").cast(pl.Int8).cast(pl.String) + pl.col("shape")).str.join("\x1f"),
    )
    tables = tables.join(signatures, on=group, how="left").with_columns(pl.col("key").fill_null(""))
    distinct = tables.unique(["table_no", "template", "layout", "key"], keep="first", maintain_order=True)
    shapes = shaped.join(distinct.select(group), on=group).group_by(group).agg(pl.col("shape"), pl.col("row_start"))
    shapes_of = {(d, t): (sh, rs) for d, t, sh, rs in shapes.iter_rows()}
    rows = []
    for doc, table, template, layout, key in distinct.select(*group, "template", "layout", "key").iter_rows():
        sh, rs = shapes_of.get((doc, table), ([], []))
        plan = plan_for(table, template, layout in ROWS_KNOWN, layout in ROWS_WRAP, tuple(zip(sh, rs, strict=True)))
        rows.append((table, template, layout, key, book.id_of(plan), plan.counts_match))
    ids = pl.DataFrame(
        rows,
        schema={
            "table_no": pl.Int8,
            "template": pl.String,
            "layout": pl.String,
            "key": pl.String,
            "plan": pl.Int32,
            "counts_match": pl.Boolean,
        },
        orient="row",
    )
    return tables.join(ids, on=["table_no", "template", "layout", "key"]).select(*group, "plan", "counts_match")


def read_tables(cells: pl.DataFrame, regions: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each table read through the plan of its shape.

    Returns the parsed cells (doc, table_no, event, keys, text, line, kind, value, reason) and
    the tables' structural findings (doc, table_no, event, code, message, line, keys).
    """
    group = ["doc", "table_no"]
    book = PlanBook()
    # a label's shape is its label key: the readers see labels only through their keys, so
    # Traditional, full-width or re-spaced forms of one label share a plan
    cells = cells.join(_text_facts(cells["text"]), on="text", how="left").sort("doc", "table_no", "k")
    label = pl.when(pl.col("stray")).then(pl.lit(STRAY)).otherwise(pl.lit(LABEL) + pl.col("key"))
    coarse = pl.when(pl.col("value_like")).then(pl.lit(VALUE)).otherwise(label)
    fine = (
        pl.when(pl.col("value_like") & (pl.col("text").str.strip_chars() == "")).then(pl.lit(EMPTY)).otherwise(coarse)
    )
    layouts = cells.group_by(group).agg(pl.col("layout").first())
    tables = regions.select(*group, "heading_line", "template").join(layouts, on=group, how="left")
    tables = tables.with_columns(pl.col("layout").fill_null(PARAGRAPH))
    planned = _plans(cells, tables.select(*group, "template", "layout"), coarse, book)
    refine = planned.filter(~pl.col("counts_match")).select(group)
    if refine.height:
        finer = _plans(
            cells.join(refine, on=group), tables.join(refine, on=group).select(*group, "template", "layout"), fine, book
        )
        planned = pl.concat([planned.join(refine, on=group, how="anti"), finer])
    tables = tables.join(planned.select(*group, "plan"), on=group)

    plan_cells, plan_findings = [], []
    for plan_id in tables["plan"].unique().to_list():
        for n, event in enumerate(book.plans[plan_id].events):
            if isinstance(event, CellEvent):
                plan_cells.append((plan_id, n, event.index, event.table, event.row, event.column))
            else:
                ref = HEADING if event.line == HEADING else event.line - 1
                plan_findings.append((plan_id, n, event.code, event.message, ref, event.table, event.row, event.column))
    plan_cells_frame = pl.DataFrame(plan_cells, schema=_PLAN_CELLS, orient="row")
    plan_findings_frame = pl.DataFrame(plan_findings, schema=_PLAN_FINDINGS, orient="row")

    # every table gets its plan: cells joined to their real text, values read per distinct text
    located = tables.select(*group, "plan", "heading_line")
    parsed = (
        located.join(plan_cells_frame, on="plan")
        .join(cells.select(*group, "k", "text", "line"), on=[*group, "k"], how="left")
        .with_columns(
            decimal=pl.concat_str("table_key", "row_key", "column_key", separator=".").is_in(
                [".".join(c) for c in DECIMAL_CELLS]
            ),
            signed=pl.col("column_key").is_in(list(SIGNED_COLUMNS)),
        )
    )
    reads = map_distinct(
        parsed.select(pl.struct("text", "decimal", "signed").alias("s"))["s"],
        lambda s: dict(zip(("kind", "value", "reason"), _value(s["text"], s["decimal"], s["signed"]), strict=True)),
        pl.Struct({"kind": pl.String, "value": pl.Float64, "reason": pl.String}),
    )
    parsed = parsed.with_columns(reads.alias("read")).unnest("read")
    cell_lines = cells.select(*group, pl.col("k").alias("ref"), pl.col("line").alias("cell_line"))
    structural = (
        located.join(plan_findings_frame, on="plan")
        .join(cell_lines, on=[*group, "ref"], how="left")
        .with_columns(line=pl.when(pl.col("ref") == HEADING).then("heading_line").otherwise("cell_line"))
        .select(*group, "event", "code", "message", "line", "table_key", "row_key", "column_key")
    )
    return parsed, structural


def cell_findings(parsed: pl.DataFrame) -> pl.DataFrame:
    """cell_blank, cell_unreadable and amount_in_yuan, worded as the table readers word them."""
    rows = []
    for doc, table_no, event, kind, table, row, column, text, line, reason in (
        parsed.filter((pl.col("kind") != NUMBER) | (pl.col("reason") != ""))
        .select("doc", "table_no", "event", "kind", "table_key", "row_key", "column_key", "text", "line", "reason")
        .iter_rows()
    ):
        where = f"{table}.{row}.{column}"
        if kind == BLANK:
            code, message = "cell_blank", f"{where} is blank ({text.strip()!r}); kept as null, not 0"
        elif kind == NUMBER:
            code, message = "amount_in_yuan", f"{where}: {reason}"
        else:
            code, message = "cell_unreadable", f"{where} holds {text.strip()!r}: {reason}; kept as null"
        rows.append((doc, table_no, event, code, message, line, table, row, column))
    return pl.DataFrame(rows, schema=TABLE_FINDINGS, orient="row")


TABLE_FINDINGS = pl.Schema(
    {
        "doc": pl.UInt32,
        "table_no": pl.Int8,
        "event": pl.Int32,
        "code": pl.String,
        "message": pl.String,
        "line": pl.Int32,
        "table_key": pl.String,
        "row_key": pl.String,
        "column_key": pl.String,
    }
)
