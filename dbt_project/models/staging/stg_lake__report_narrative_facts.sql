-- Numbers the narrative states about the tables' measures, one row per statement, with the
-- source line and the words matched (pipelines/extract/read/narrative.py reads them).
select
    report_id,
    fact_no,
    section_no,
    measure_key,
    value as stated_value,
    unit,
    is_approximate,
    line as source_line,
    phrase
from {{ source('lake', 'report_narrative_facts') }}
