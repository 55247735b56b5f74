-- The three proceedings of table 4: 行政复议, and 行政诉讼 direct or after review.
select
    row_key as proceeding_key,
    label as proceeding_label,
    group_key as proceeding_kind,
    group_label as proceeding_kind_label,
    sort_order
from {{ ref('template_rows') }}
where table_key = 'review_litigation'
