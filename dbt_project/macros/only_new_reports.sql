{#- For an incremental model whose rows depend on a report's cells only (so never change for
    a report id, the hash of its bytes): on an incremental run, only reports not built yet.
    Written as `in (the lake's reports not built yet)`, not `not in (the reports built)`: the
    handful of ids lets DuckDB skip nearly all of the lake's cells (sorted by report id) instead
    of reading them all. A cell of a report the lake does not list, which the second form would
    keep, is deleted by the post-hook anyway. -#}
{% macro only_new_reports(column='report_id') %}
    {%- if is_incremental() %}
    and {{ column }} in (
        select report_id from {{ ref('int_reports_resolved') }}
        where report_id not in (select report_id from {{ this }})
    )
    {%- endif %}
{% endmacro %}
