-- R1 and R3, per report × applicant column of table 3. `expected` is null (not assessable)
-- when a cell it needs is blank or missing: a blank is not a 0.
with by_column as (
    select * from {{ ref('int_requests_pivoted_by_column') }}
)

select
    report_id,
    'R1' as rule_id,
    'requests' as table_key,
    column_key as scope_key,
    new_received + carried_over as expected,
    total_handled + carried_forward as actual,
    cast(null as {{ string_type() }}) as compared_report_id
from by_column

union all

select
    report_id,
    'R3' as rule_id,
    'requests' as table_key,
    column_key as scope_key,
    case when results_present = results_expected then results_sum end as expected,
    total_handled as actual,
    cast(null as {{ string_type() }}) as compared_report_id
from by_column
