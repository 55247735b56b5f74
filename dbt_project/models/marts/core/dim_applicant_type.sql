-- The seven columns of table 3. `total` is the report's printed 总计: filter is_total to sum
-- across applicant types without counting twice.
select
    column_key as applicant_type_key,
    label as applicant_type_label,
    group_key as applicant_group_key,
    group_label as applicant_group_label,
    is_total,
    sort_order
from {{ ref('template_columns') }}
where table_key = 'requests'
