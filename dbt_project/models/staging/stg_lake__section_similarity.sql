-- How alike a report's narrative section is to the same section of another report: the same
-- agency's the year before, or another agency's the same year (pipelines/textreuse).
select
    report_id,
    section_no,
    compared_report_id,
    comparison,
    similarity
from {{ source('lake', 'section_similarity') }}
