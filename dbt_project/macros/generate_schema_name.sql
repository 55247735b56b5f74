{#- Use the folder's schema name as is (`staging`, `intermediate`, `reference`); marts land
    in the target's schema (`main`), so BI users query `agency_year_summary` without a prefix. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
