{#- Rows, one per integer from `start` up to `stop` (excluded), as `data_type`: a generator for
    a select list. Spark cannot cast a generator's output (nor has `range` as a list), so it
    casts the array's elements before exploding them (and drops the descending
    sequence Spark makes when start >= stop, where DuckDB's range is empty). -#}
{% macro range_rows(start, stop, data_type) -%}
    {{ return(adapter.dispatch('range_rows')(start, stop, data_type)) }}
{%- endmacro %}

{% macro default__range_rows(start, stop, data_type) -%}
    cast(unnest(range({{ start }}, {{ stop }})) as {{ data_type }})
{%- endmacro %}

{% macro spark__range_rows(start, stop, data_type) -%}
    explode(transform(
        filter(sequence({{ start }}, {{ stop }} - 1), x -> x >= {{ start }} and x < {{ stop }}),
        x -> cast(x as {{ data_type }})
    ))
{%- endmacro %}
