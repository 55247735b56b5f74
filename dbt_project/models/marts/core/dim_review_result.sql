-- The five columns of each proceeding in table 4; `total` is the printed 总计.
select
    column_key as result_key,
    label as result_label,
    is_total,
    sort_order
from {{ ref('template_columns') }}
where table_key = 'review_litigation'
