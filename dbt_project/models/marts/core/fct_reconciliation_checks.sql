-- Grain: report × rule × scope. The template's arithmetic checked on every report (R1–R4) and,
-- where an agency has consecutive years, across them (R5, R6); the narrative's stated numbers
-- against the tables (R7). Rebuilt incrementally: for new
-- or changed reports, and for reports whose previous year's edition changed.
{{ report_incremental_config(reports_built='reports_to_check') }}
-- depends_on: {{ ref('int_reports_paired_with_previous_year') }}

with changed as (
    {{ reports_to_check() }}
),

arithmetic as (
    select * from {{ ref('int_reconciliation__request_columns') }}
    union all
    select * from {{ ref('int_reconciliation__request_rows') }}
    union all
    select * from {{ ref('int_reconciliation__review_groups') }}
    union all
    select * from {{ ref('int_reconciliation__across_years') }}
),

checks as (
    select
        *,
        cast(null as {{ string_type() }}) as reading_key,
        cast(null as integer) as narrative_line,
        cast(null as {{ string_type() }}) as narrative_phrase,
        cast(null as {{ string_type() }}) as table_lines
    from arithmetic
    union all
    select
        report_id, rule_id, table_key, scope_key, expected, actual, compared_report_id,
        reading_key, narrative_line, narrative_phrase, table_lines
    from {{ ref('int_reconciliation__narrative') }}
)

select
    checks.report_id,
    reports.agency_key,
    reports.report_year,
    reports.is_current_edition,
    checks.rule_id,
    rules.severity as rule_severity,
    checks.table_key,
    rules.scope_kind,
    checks.scope_key,
    checks.expected,
    checks.actual,
    checks.actual - checks.expected as difference,
    checks.expected is not null and checks.actual is not null as is_assessable,
    case when checks.expected is not null and checks.actual is not null then checks.actual = checks.expected end
        as passed,
    checks.compared_report_id,
    checks.reading_key,
    checks.narrative_line,
    checks.narrative_phrase,
    checks.table_lines
from checks
inner join changed using (report_id)
inner join {{ ref('int_reports_resolved') }} as reports using (report_id)
inner join {{ ref('reconciliation_rules') }} as rules using (rule_id)
