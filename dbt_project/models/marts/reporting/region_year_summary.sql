-- Year × region roll-up: each agency counts in its own region and in every region above it
-- (a district agency in its district, its city and the province). A county directly under its
-- province (a municipality's district, 济源市) has no prefecture to count in.
with summary as (
    select * from {{ ref('agency_year_summary') }} where region_code is not null
),

regions as (
    select * from {{ ref('dim_region') }}
),

ancestry as (
    select region_code, region_code as rollup_code from regions
    union all
    select region_code, prefecture_code from regions where region_level = 'county' and prefecture_code is not null
    union all
    select region_code, province_code from regions where region_level <> 'province'
)

select
    ancestry.rollup_code as region_code,
    rollup_region.region_name,
    rollup_region.region_level,
    rollup_region.parent_code,
    rollup_region.province_code,
    summary.report_year,
    count(distinct summary.agency_key) as agencies_reporting,
    count(distinct summary.agency_key) filter (where summary.kind = 'government') as governments_reporting,
    count(distinct summary.agency_key) filter (where summary.kind in ('department', 'government_office'))
        as departments_reporting,
    cast(sum(summary.requests_new_received) as bigint) as requests_new_received,
    cast(sum(summary.requests_handled) as bigint) as requests_handled,
    cast(sum(summary.requests_granted) as bigint) as requests_granted,
    cast(sum(summary.requests_partially_granted) as bigint) as requests_partially_granted,
    cast(sum(summary.requests_not_held) as bigint) as requests_not_held,
    round(
        (sum(summary.requests_granted) + sum(summary.requests_partially_granted))
        / nullif(sum(summary.requests_handled), 0),
        4
    ) as share_granted_in_full_or_part,
    cast(sum(summary.reviews_total) as bigint) as reviews_total,
    cast(sum(summary.reviews_corrected) as bigint) as reviews_corrected,
    cast(sum(summary.lawsuits_total) as bigint) as lawsuits_total,
    cast(sum(summary.lawsuits_corrected) as bigint) as lawsuits_corrected,
    cast(sum(summary.normative_documents_issued) as bigint) as normative_documents_issued,
    cast(sum(summary.licensing_decisions) as bigint) as licensing_decisions,
    cast(sum(summary.fees_wan_yuan) as decimal(38, 4)) as fees_wan_yuan,
    count(*) filter (where summary.reconciliation_checks_failed > 0) as reports_failing_reconciliation
from summary
inner join ancestry on summary.region_code = ancestry.region_code
inner join regions as rollup_region on ancestry.rollup_code = rollup_region.region_code
group by all
