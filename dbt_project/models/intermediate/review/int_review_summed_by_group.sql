-- Table 4 per proceeding: upheld + corrected + other + pending beside the printed total (R4).
-- Built incrementally: a report's rows depend on its cells only.
{{ report_incremental_config() }}

select
    report_id,
    row_key as proceeding_key,
    cast(sum(value) filter (where column_key <> 'total') as bigint) as parts_sum,
    count(value) filter (where column_key <> 'total') as parts_present,
    cast(max(value) filter (where column_key = 'total') as bigint) as printed_total
from {{ ref('stg_lake__report_cells') }}
where table_key = 'review_litigation' {{ only_new_reports() }}
group by report_id, row_key
