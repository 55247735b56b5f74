{#- The pre-hook: record the report ids `reports_sql` selects, as the fact sees them now. -#}
{% macro record_reports_built(reports_sql) %}
    {%- set recorded = reports_built_relation(this) %}
    {{ replace_table_as(recorded, 'select distinct report_id from (' ~ reports_sql ~ ') as reports') }}
{%- endmacro %}
