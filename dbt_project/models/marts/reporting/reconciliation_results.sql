-- One row per report × rule × scope (column, row, proceeding or item): what the template's
-- arithmetic expects, what the report prints, and whether they agree. A rule that cannot be
-- assessed (a blank or missing cell) has passed = null, kept apart from a failure.
-- A view over fct_reconciliation_checks, so names and paths are always today's.
{{ config(materialized='view') }}

select
    checks.report_id,
    checks.agency_key,
    agencies.agency_name,
    checks.report_year,
    reports.source_path,
    checks.rule_id,
    checks.rule_severity,
    checks.table_key,
    checks.scope_kind,
    checks.scope_key,
    checks.expected,
    checks.actual,
    checks.difference,
    checks.is_assessable,
    checks.passed,
    checks.compared_report_id,
    checks.reading_key,
    checks.narrative_line,
    checks.narrative_phrase,
    checks.table_lines,
    -- concat, not format: three times faster over millions of rows (publishing exports this view).
    -- concat skips a null where format returns null, hence the null cases first; an assessable
    -- check has its expected, actual and difference.
    case
        when checks.rule_id is null or checks.scope_key is null then null
        when checks.rule_id = 'R7'
            then concat(
                'R7 ', checks.scope_key, ': the narrative states ', cast(checks.actual as {{ string_type() }}),
                ' (line ', coalesce(cast(checks.narrative_line as {{ string_type() }}), '?'), ': ',
                coalesce(checks.narrative_phrase, ''), '), the table ', coalesce(checks.reading_key, ''), ' = ',
                coalesce(cast(checks.expected as {{ string_type() }}), 'blank or missing'),
                ' (line ', coalesce(checks.table_lines, '?'), ')',
                case
                    when not checks.is_assessable then ': not assessable'
                    when checks.passed then ': agrees'
                    else concat(': disagrees (difference ', cast(checks.difference as {{ string_type() }}), ')')
                end
            )
        when not checks.is_assessable
            then concat(checks.rule_id, ' ', checks.scope_key, ': not assessable (a cell it needs is blank or missing)')
        when rules.expected_as is null or rules.actual_as is null then null
        else
            concat(
                checks.rule_id, ' ', checks.scope_key, ': ', rules.expected_as, ' = ', checks.expected, ', ',
                rules.actual_as, ' = ', checks.actual, ' (difference ', checks.difference, ')'
            )
    end as message
from {{ ref('fct_reconciliation_checks') }} as checks
inner join {{ ref('dim_report') }} as reports using (report_id)
inner join {{ ref('reconciliation_rules') }} as rules using (rule_id)
left join {{ ref('dim_agency') }} as agencies on checks.agency_key = agencies.agency_key
