-- R2, per report × printed row of table 3: the printed total against its six parts.
select
    report_id,
    'R2' as rule_id,
    'requests' as table_key,
    row_key as scope_key,
    case when parts_present = 6 then parts_sum end as expected,
    printed_total as actual,
    cast(null as {{ string_type() }}) as compared_report_id
from {{ ref('int_requests_summed_by_row') }}
