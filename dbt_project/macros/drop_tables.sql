{#- Drop the tables `relations` (if they exist), in a hook. Spark runs one statement per call, so
    each drop runs on its own and the hook itself is left empty. -#}
{% macro drop_tables(relations) -%}
    {{ return(adapter.dispatch('drop_tables')(relations)) }}
{%- endmacro %}

{% macro default__drop_tables(relations) -%}
    {%- for relation in relations %}
    drop table if exists {{ relation }};
    {%- endfor %}
{%- endmacro %}

{% macro spark__drop_tables(relations) -%}
    {%- if execute %}
        {%- for relation in relations %}
            {%- do run_query('drop table if exists ' ~ relation) %}
        {%- endfor %}
    {%- endif %}
{%- endmacro %}
