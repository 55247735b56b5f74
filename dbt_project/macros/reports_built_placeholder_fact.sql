{#- The fact whose recorded reports a test's `where` placeholder names, or none when the
    test's `where` is not the placeholder. -#}
{% macro reports_built_placeholder_fact(where, relation) %}
    {%- set placeholder = '__reports_built_in_this_run__' %}
    {%- if where is not string or not where.strip().startswith(placeholder) %}
        {{ return(none) }}
    {%- endif %}
    {%- set named = where.strip()[placeholder | length:].strip().strip('()').strip() %}
    {{ return(named or relation.identifier) }}
{% endmacro %}
