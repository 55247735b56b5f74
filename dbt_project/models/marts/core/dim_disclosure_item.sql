-- The rows of table 2 (主动公开): what was disclosed, under which article of 条例 第二十条.
select
    row_key as item_key,
    label as item_label,
    group_key as article_key,
    group_label as article_label,
    case
        when row_key in ('rules', 'normative_documents') then 'documents'
        when row_key = 'administrative_fees' then 'fees'
        when row_key = 'government_procurement' then 'procurement'
        else 'decisions'
    end as measure_kind,
    template_versions,
    sort_order
from {{ ref('template_rows') }}
where table_key = 'active_disclosure'
