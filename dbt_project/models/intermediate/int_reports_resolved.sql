-- Reports with their agency resolved through the registry's names and aliases.
-- An agency missing from the registry still loads, under a generated key (unregistered_<md5>),
-- and `report_findings` tells the user to add it. Rejected files resolve to no agency.
with reports as (
    select * from {{ ref('stg_lake__reports') }}
),

names as (
    select alias as name, agency_key from {{ ref('agency_aliases') }}
    union
    select canonical_name as name, agency_key from {{ ref('agency_registry') }}
),

matches as (
    select reports.report_id, min(names.agency_key) as agency_key
    from reports
    inner join names on names.name in (reports.reported_agency, reports.agency_as_written)
    group by reports.report_id
),

resolved as (
    select
        reports.*,
        case
            when reports.is_rejected then null
            when matches.agency_key is not null then matches.agency_key
            when reports.reported_agency is null then 'unidentified'
            else 'unregistered_' || left(md5(reports.reported_agency), 12)
        end as agency_key,
        matches.agency_key is not null as is_registered
    from reports
    left join matches using (report_id)
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
