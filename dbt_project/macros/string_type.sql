{#- The text type in a cast. Spark has no bare `varchar` (it needs a length); its `string` is
    DuckDB's `varchar`. -#}
{% macro string_type() -%}
    {{ return(adapter.dispatch('string_type')()) }}
{%- endmacro %}

{% macro default__string_type() -%}
    {{ return('varchar') }}
{%- endmacro %}

{% macro spark__string_type() -%}
    {{ return('string') }}
{%- endmacro %}
