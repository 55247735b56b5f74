-- One wide row per agency and report year (its current edition): the headline figures of the
-- three tables, the rates people ask for, and how well the report reconciles.
with reports as (
    select * from {{ ref('dim_report') }} where is_current_edition
),

flow as (
    select
        report_id,
        any_value(new_received) filter (where applicant_type_key = 'total') as requests_new_received,
        any_value(carried_over) filter (where applicant_type_key = 'total') as requests_carried_over,
        any_value(total_handled) filter (where applicant_type_key = 'total') as requests_handled,
        any_value(carried_forward) filter (where applicant_type_key = 'total') as requests_carried_forward,
        any_value(new_received) filter (where applicant_type_key = 'natural_person') as requests_from_natural_persons
    from {{ ref('fct_request_flow') }}
    group by report_id
),

outcomes as (
    select
        facts.report_id,
        cast(sum(facts.request_count) filter (where outcome_key = 'granted') as bigint) as requests_granted,
        cast(sum(facts.request_count) filter (where outcome_key = 'partially_granted') as bigint)
            as requests_partially_granted,
        cast(sum(facts.request_count) filter (where dim.outcome_group_key = 'denied') as bigint) as requests_denied,
        cast(sum(facts.request_count) filter (where outcome_key = 'unavailable_not_held') as bigint)
            as requests_not_held,
        cast(sum(facts.request_count) filter (where dim.outcome_group_key = 'unavailable') as bigint)
            as requests_unavailable,
        cast(sum(facts.request_count) filter (where dim.outcome_group_key = 'not_processed') as bigint)
            as requests_not_processed,
        cast(sum(facts.request_count) filter (where dim.outcome_group_key = 'other_processing') as bigint)
            as requests_other_processing
    from {{ ref('fct_request_outcomes') }} as facts
    inner join {{ ref('dim_request_outcome') }} as dim using (outcome_key)
    where facts.is_printed_total
    group by facts.report_id
),

review as (
    select
        report_id,
        cast(sum(case_count) filter (
            where proceeding_key = 'administrative_review' and result_key = 'total'
        ) as bigint) as reviews_total,
        cast(sum(case_count) filter (
            where proceeding_key = 'administrative_review' and result_key = 'corrected'
        ) as bigint) as reviews_corrected,
        cast(sum(case_count) filter (
            where proceeding_key <> 'administrative_review' and result_key = 'total'
        ) as bigint) as lawsuits_total,
        cast(sum(case_count) filter (
            where proceeding_key <> 'administrative_review' and result_key = 'corrected'
        ) as bigint) as lawsuits_corrected
    from {{ ref('fct_review_litigation') }}
    group by report_id
),

active as (
    select
        report_id,
        any_value(issued) filter (where item_key = 'rules') as rules_issued,
        any_value(in_force) filter (where item_key = 'rules') as rules_in_force,
        any_value(issued) filter (where item_key = 'normative_documents') as normative_documents_issued,
        any_value(repealed) filter (where item_key = 'normative_documents') as normative_documents_repealed,
        any_value(in_force) filter (where item_key = 'normative_documents') as normative_documents_in_force,
        any_value(decisions) filter (where item_key = 'administrative_licensing') as licensing_decisions,
        any_value(decisions) filter (where item_key = 'administrative_penalty') as penalty_decisions,
        any_value(decisions) filter (where item_key = 'administrative_coercion') as coercion_decisions,
        any_value(fee_amount_wan_yuan) filter (where item_key = 'administrative_fees') as fees_wan_yuan,
        any_value(decisions) filter (where item_key = 'other_management_services') as other_management_decisions_2019
    from {{ ref('fct_active_disclosure') }}
    group by report_id
),

last_year as (
    -- the same agency's current edition the year before (int_reports_paired_with_previous_year): how much of
    -- this year's narrative is last year's text (null: no such report, or no section long enough)
    select pairs.report_id, max(pairs.similarity) as max_similarity_to_last_year
    from {{ ref('stg_lake__section_similarity') }} as pairs
    inner join {{ ref('int_reports_paired_with_previous_year') }} as predecessors
        on pairs.report_id = predecessors.report_id and pairs.compared_report_id = predecessors.compared_report_id
    where pairs.comparison = 'previous_year'
    group by pairs.report_id
),

reconciliation as (
    select
        report_id,
        count(*) filter (where passed) as checks_passed,
        count(*) filter (where not passed) as checks_failed,
        count(*) filter (where not is_assessable) as checks_not_assessable,
        count(*) filter (where rule_id = 'R7' and is_assessable) as narrative_numbers_checked,
        count(*) filter (where rule_id = 'R7' and not passed) as narrative_numbers_disagreeing
    from {{ ref('fct_reconciliation_checks') }}
    group by report_id
)

select
    reports.agency_key,
    agencies.agency_name,
    agencies.is_resolved as is_agency_resolved,
    agencies.kind,
    agencies.department_key,
    agencies.level,
    agencies.government_key,
    agencies.region_code,
    agencies.region_name,
    agencies.prefecture_code,
    agencies.prefecture_name,
    agencies.province_code,
    agencies.province_name,
    reports.report_year,
    reports.report_id,
    reports.published_on,
    coalesce(timeliness.timeliness, 'unknown') as timeliness,
    timeliness.days_late,
    reports.status,
    flow.requests_new_received,
    flow.requests_carried_over,
    flow.requests_handled,
    flow.requests_carried_forward,
    flow.requests_from_natural_persons,
    outcomes.requests_granted,
    outcomes.requests_partially_granted,
    outcomes.requests_denied,
    outcomes.requests_not_held,
    outcomes.requests_unavailable,
    outcomes.requests_not_processed,
    outcomes.requests_other_processing,
    round((outcomes.requests_granted + outcomes.requests_partially_granted) / nullif(flow.requests_handled, 0), 4)
        as share_granted_in_full_or_part,
    round(outcomes.requests_not_held / nullif(flow.requests_handled, 0), 4) as share_not_held,
    review.reviews_total,
    review.reviews_corrected,
    review.lawsuits_total,
    review.lawsuits_corrected,
    active.rules_issued,
    active.rules_in_force,
    active.normative_documents_issued,
    active.normative_documents_repealed,
    active.normative_documents_in_force,
    active.licensing_decisions,
    active.penalty_decisions,
    active.coercion_decisions,
    active.fees_wan_yuan,
    active.other_management_decisions_2019,
    reports.template_version,
    coalesce(reconciliation.checks_passed, 0) as reconciliation_checks_passed,
    coalesce(reconciliation.checks_failed, 0) as reconciliation_checks_failed,
    coalesce(reconciliation.checks_not_assessable, 0) as reconciliation_checks_not_assessable,
    coalesce(reconciliation.narrative_numbers_checked, 0) as narrative_numbers_checked,
    coalesce(reconciliation.narrative_numbers_disagreeing, 0) as narrative_numbers_disagreeing,
    reports.finding_count,
    last_year.max_similarity_to_last_year
from reports
inner join {{ ref('dim_agency') }} as agencies using (agency_key)
left join flow using (report_id)
left join outcomes using (report_id)
left join review using (report_id)
left join active using (report_id)
left join reconciliation using (report_id)
left join last_year using (report_id)
left join {{ ref('report_timeliness') }} as timeliness using (report_id)
