-- R5 and R6, wherever one agency has current editions for consecutive years. The result
-- belongs to the later report; `compared_report_id` names the earlier one.
with pairs as (
    select * from {{ ref('int_reports_paired_with_previous_year') }}
),

flow as (
    select * from {{ ref('int_requests_pivoted_by_column') }}
),

stock as (
    select * from {{ ref('int_active_disclosure_pivoted') }}
    where item_key in ('rules', 'normative_documents')
)

select
    pairs.report_id,
    'R5' as rule_id,
    'requests' as table_key,
    later.column_key as scope_key,
    earlier.carried_forward as expected,
    later.carried_over as actual,
    pairs.compared_report_id
from pairs
inner join flow as later on pairs.report_id = later.report_id
inner join flow as earlier
    on pairs.compared_report_id = earlier.report_id
    and later.column_key = earlier.column_key

union all

select
    pairs.report_id,
    'R6' as rule_id,
    'active_disclosure' as table_key,
    later.item_key as scope_key,
    earlier.in_force + later.issued - later.repealed as expected,
    later.in_force as actual,
    pairs.compared_report_id
from pairs
inner join stock as later on pairs.report_id = later.report_id
inner join stock as earlier
    on pairs.compared_report_id = earlier.report_id
    and later.item_key = earlier.item_key
