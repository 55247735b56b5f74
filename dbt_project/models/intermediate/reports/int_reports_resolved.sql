-- Reports with their agency key: the one extraction resolved from the name and the report's text
-- (pipelines/extract/read/agency.py). An agency no region fits still loads, under its own key
-- (unresolved_<md5>, with an `agency_unresolved` finding); a report naming no agency loads as
-- `unidentified`. Rejected files have no agency.
-- A table, not a view: nearly every model, and every incremental model's post-hook, reads it, and
-- as a view each read would scan the lake's reports and rank the editions again.
{{ config(materialized='table') }}

with reports as (
    select * from {{ ref('stg_lake__reports') }}
),

resolved as (
    select
        *,
        case when is_rejected then null else coalesce(resolved_agency_key, 'unidentified') end as agency_key,
        not is_rejected and region_code is not null as is_agency_resolved
    from reports
)

select
    *,
    -- A revised edition replaces the earlier one: latest publish date, then latest file time.
    coalesce(
        not is_rejected
        and report_year is not null
        and row_number() over (
            partition by agency_key, report_year, is_rejected
            order by published_on desc nulls last, file_modified_at desc nulls last, source_path desc
        ) = 1,
        false
    ) as is_current_edition
from resolved
