-- R4, per report × proceeding of table 4: the printed total against its four parts.
select
    report_id,
    'R4' as rule_id,
    'review_litigation' as table_key,
    proceeding_key as scope_key,
    case when parts_present = 4 then parts_sum end as expected,
    printed_total as actual,
    cast(null as {{ string_type() }}) as compared_report_id
from {{ ref('int_review_summed_by_group') }}
