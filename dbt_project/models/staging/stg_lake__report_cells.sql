-- One row per printed cell. `value` stays null for a blank or unreadable cell: never 0. A number
-- no count or amount can be (|value| at or above var max_cell_value) is null too, flagged
-- `is_out_of_range` and reported in `report_findings`: the facts' types cannot hold it, and one
-- report's typo must not stop a build.
select
    cells.report_id,
    cells.cell_no,
    cells.table_key,
    cells.row_key,
    cells.column_key,
    case when abs(cells.value) < {{ var('max_cell_value') }} then cells.value end as value,
    cells.value is null as is_blank,
    coalesce(abs(cells.value) >= {{ var('max_cell_value') }}, false) as is_out_of_range,
    cells.text as cell_text,
    cells.line as source_line
from {{ source('lake', 'report_cells') }} as cells
