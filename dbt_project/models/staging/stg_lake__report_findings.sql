-- Findings of the extraction step (the warehouse adds its own in `report_findings`).
select
    report_id,
    finding_no,
    code as finding_code,
    severity,
    line as source_line,
    table_key,
    row_key,
    column_key,
    message
from {{ source('lake', 'report_findings') }}
