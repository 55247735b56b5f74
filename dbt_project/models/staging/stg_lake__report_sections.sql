-- Section texts for full-text search; section 0 is the title and preamble.
select
    report_id,
    section_no,
    heading,
    line as heading_line,
    text as section_text
from {{ source('lake', 'report_sections') }}
