{#- dbt's own macro, extended: a test's `where` may be the placeholder above. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') %}
    {%- set fact = reports_built_placeholder_fact(where, relation) %}
    {%- if fact is none %}
        {{ return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) }}
    {%- elif reports_built_in_this_run(fact) %}
        {%- set filtered -%}
            (select * from {{ relation }}
             where report_id is null
                or report_id in (select report_id from {{ reports_built_relation(relation, fact) }})) dbt_subquery
        {%- endset %}
        {{ return(filtered) }}
    {%- else %}
        {{ return(relation) }}
    {%- endif %}
{%- endmacro %}
