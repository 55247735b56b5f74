{#- Whether `fact` was built, and its rebuilt reports recorded, earlier in this invocation, as an
    incremental build's part: a `dbt build` without --full-refresh that selected it. -#}
{% macro reports_built_in_this_run(fact) %}
    {%- set unique_id = 'model.' ~ project_name ~ '.' ~ fact %}
    {{ return(execute and flags.WHICH == 'build' and not flags.FULL_REFRESH and unique_id in selected_resources) }}
{% endmacro %}
