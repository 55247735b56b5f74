-- One row per printed cell. `value` stays null for a blank or unreadable cell: never 0.
select
    report_id,
    cell_no,
    table_key,
    row_key,
    column_key,
    value,
    value is null as is_blank,
    text as cell_text,
    line as source_line
from {{ source('lake', 'report_cells') }}
