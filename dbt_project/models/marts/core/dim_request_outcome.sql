-- How a request was handled: the result rows of table 3 (the rows R3 sums), with their group.
select
    row_key as outcome_key,
    label as outcome_label,
    group_key as outcome_group_key,
    group_label as outcome_group_label,
    parent_key,
    template_versions,
    sort_order
from {{ ref('template_rows') }}
where table_key = 'requests' and is_result
