-- For every current edition, the current edition of the same agency's previous year, if any:
-- the pair the across-year rules (R5, R6) compare.
with editions as (
    select report_id, agency_key, report_year
    from {{ ref('int_reports_resolved') }}
    where is_current_edition and agency_key <> 'unidentified'
)

select later.report_id, earlier.report_id as compared_report_id
from editions as later
inner join editions as earlier
    on later.agency_key = earlier.agency_key
    and later.report_year - 1 = earlier.report_year
