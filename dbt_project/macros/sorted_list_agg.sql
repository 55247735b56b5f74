{#- An aggregate: the group's values of `expression` as a list, in ascending order (nulls are
    dropped by the callers' filters). Spark has no ordered `list(… order by …)`; sorting the
    collected array gives the same list. -#}
{% macro sorted_list_agg(expression) -%}
    {{ return(adapter.dispatch('sorted_list_agg')(expression)) }}
{%- endmacro %}

{% macro default__sorted_list_agg(expression) -%}
    list({{ expression }} order by {{ expression }})
{%- endmacro %}

{% macro spark__sorted_list_agg(expression) -%}
    array_sort(collect_list({{ expression }}))
{%- endmacro %}
