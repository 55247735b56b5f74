{#- A report's own arithmetic: rows of `reconciliation_results` where `rule_id` fails.
    Errors only when var strict_reconciliation is true; otherwise warns, and the failures are
    stored (test_failures schema) so one bad report never stops a build. -#}
{% test rule_holds(model, rule_id) %}
{{ config(
    severity=('error' if var('strict_reconciliation', false) | string | lower in ['true', '1', 'yes'] else 'warn'),
    store_failures=true
) }}
select report_id, source_path, rule_id, scope_key, expected, actual, difference, message
from {{ model }}
where rule_id = '{{ rule_id }}' and passed = false
{% endtest %}
