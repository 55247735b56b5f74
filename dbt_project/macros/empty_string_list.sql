{#- An empty list of text, e.g. an agency's aliases when no report names it. DuckDB's `[]` is not
    Spark SQL; Spark's `array()` alone has no element type, hence the cast. -#}
{% macro empty_string_list() -%}
    {{ return(adapter.dispatch('empty_string_list')()) }}
{%- endmacro %}

{% macro default__empty_string_list() -%}
    []
{%- endmacro %}

{% macro spark__empty_string_list() -%}
    cast(array() as array<string>)
{%- endmacro %}
