-- One row per report × rule × scope (column, row, proceeding or item): what the template's
-- arithmetic expects, what the report prints, and whether they agree. A rule that cannot be
-- assessed (a blank or missing cell) has passed = null, kept apart from a failure.
with checks as (
    select * from {{ ref('int_reconciliation__request_columns') }}
    union all
    select * from {{ ref('int_reconciliation__request_rows') }}
    union all
    select * from {{ ref('int_reconciliation__review_groups') }}
    union all
    select * from {{ ref('int_reconciliation__across_years') }}
),

scored as (
    select
        *,
        actual - expected as difference,
        expected is not null and actual is not null as is_assessable
    from checks
)

select
    scored.report_id,
    reports.agency_key,
    agencies.agency_name,
    reports.report_year,
    reports.source_path,
    scored.rule_id,
    rules.severity as rule_severity,
    scored.table_key,
    rules.scope_kind,
    scored.scope_key,
    scored.expected,
    scored.actual,
    scored.difference,
    scored.is_assessable,
    case when scored.is_assessable then scored.difference = 0 end as passed,
    scored.compared_report_id,
    case
        when not scored.is_assessable
            then format('{} {}: not assessable (a cell it needs is blank or missing)', scored.rule_id, scored.scope_key)
        else format(
            '{} {}: {} = {}, {} = {} (difference {})',
            scored.rule_id, scored.scope_key, rules.expected_as, scored.expected,
            rules.actual_as, scored.actual, scored.difference
        )
    end as message
from scored
inner join {{ ref('reconciliation_rules') }} as rules using (rule_id)
inner join {{ ref('int_reports_resolved') }} as reports using (report_id)
left join {{ ref('dim_agency') }} as agencies on agencies.agency_key = reports.agency_key
