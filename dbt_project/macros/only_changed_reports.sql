{#- For an incremental fact: on an incremental run, keep only the reports to (re)build: new
    ones, and ones whose agency, year or edition changed since the fact was built (a report's
    cells never change: its id is the hash of its bytes). Emits an `and …` clause.
    All the rows of a report are written at once from one row of int_reports_resolved, so they
    share its agency, year and edition: grouped by report id alone (a third of the time of a
    distinct on the four columns, over 14M rows), min() gives each report's. -#}
{% macro only_changed_reports(alias) %}
    {%- if is_incremental() %}
    and not exists (
        select 1
        from (
            select report_id, min(agency_key) as agency_key, min(report_year) as report_year,
                min(is_current_edition) as is_current_edition
            from {{ this }}
            group by report_id
        ) as built
        where built.report_id = {{ alias }}.report_id
            and built.agency_key is not distinct from {{ alias }}.agency_key
            and built.report_year is not distinct from {{ alias }}.report_year
            and built.is_current_edition = {{ alias }}.is_current_edition
    )
    {%- endif %}
{% endmacro %}

{#- The reports an incremental fact builds in this run (all of them on a full refresh): not
    rejected, and new or changed since the fact was built. One row per report with the
    attributes every fact carries. -#}
{% macro reports_to_build() %}
    select report_id, agency_key, report_year, is_current_edition
    from {{ ref('int_reports_resolved') }} as resolved
    where not is_rejected {{ only_changed_reports('resolved') }}
{%- endmacro %}

{#- The reports fct_reconciliation_checks (re)builds in this run: the ones every fact rebuilds,
    and, on an incremental run, those whose previous year's edition changed (R5 and R6 compare
    a report with it). One row per report id. -#}
{% macro reports_to_check() %}
    select to_build.report_id
    from ({{ reports_to_build() }}) as to_build
    {%- if is_incremental() %}
    union
    select resolved.report_id
    from {{ ref('int_reports_resolved') }} as resolved
    left join {{ ref('int_report_predecessors') }} as now using (report_id)
    left join (
        select report_id, max(compared_report_id) as compared_report_id from {{ this }} group by report_id
    ) as built using (report_id)
    where not resolved.is_rejected and now.compared_report_id is distinct from built.compared_report_id
    {%- endif %}
{%- endmacro %}

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

{#- The config every incremental model shares: rows replaced per report (how, per engine:
    `report_incremental_strategy`), and the rows of reports that left the lake deleted after
    each run (`delete_reports_not_built`).

    `reports_built`, for a fact with data tests: the name of the macro that selects the reports
    the fact (re)builds in a run (`reports_to_build` for most). A pre-hook records them (see
    `record_reports_built`), so that the fact's tests check only those reports' rows on an
    incremental build (see `get_where_subquery`). -#}
{% macro report_incremental_config(reports_built=none) %}
    {%- set pre_hook = [] %}
    {%- if reports_built is not none %}
        {%- set pre_hook = ["{{ record_reports_built(" ~ reports_built ~ "()) }}"] %}
    {%- endif %}
    {{ config(
        materialized='incremental',
        unique_key='report_id',
        on_schema_change='fail',
        pre_hook=pre_hook,
        post_hook="{{ delete_reports_not_built() }}"
    ) }}
    {{- config(report_incremental_strategy()) }}
{% endmacro %}

{#- ---------------------------------------------------------------------------------------------
    Tests of the incremental facts check only the reports rebuilt in this run.

    At 100k reports a fact's whole-table tests (its grain, not_null, relationships) read tens of
    millions of rows on every build, though an incremental build wrote the rows of a handful of
    reports. Rows a build did not write are exactly the rows the previous build wrote and
    tested: delete+insert replaces all the rows of a report id at once, rows of other reports
    are never touched, and the rows of reports gone from the lake (or rejected) are deleted.
    What those untouched rows refer to stays too: their report is still in the lake with the
    same agency, year and edition (otherwise it would have been rebuilt), so it is still in
    dim_report, its agency in dim_agency, its year in dim_year; the template's keys come from
    the seeds, and changing a seed (or any file of the project) makes the pipeline rebuild from
    scratch (`warehouse_build.dbt_project_hash`). So on an incremental build a fact's row tests
    only need the rows of the reports it rebuilt, and they give the same verdict as on the whole
    table.

    How: a fact configured with `report_incremental_config(reports_built=…)` records, in a pre-hook
    run just before it is built, the ids of the reports it is about to (re)build in a small
    table `intermediate.<fact>__reports_built` (every report, on a full build). Its tests carry
    `config: {where: "__reports_built_in_this_run__"}` (or `__reports_built_in_this_run__(<fact>)`
    for a view over a fact, naming the fact), a placeholder `get_where_subquery` replaces when
    the test runs:

    - with `report_id is null or report_id in (<the recorded ids>)` when this invocation is a
      `dbt build` without --full-refresh that selected the fact, so the fact was built, and its
      ids recorded, earlier in this same invocation (a row with a null id is never left out);
    - otherwise with nothing: a full refresh, `dbt test` on its own, or a build that did not
      select the fact tests the whole table.

    Tests of completeness are not scoped: `assert_no_report_lost` and
    `assert_facts_match_lake_cells` compare the whole lake with the whole facts (a report the
    incremental logic missed is exactly what they must find, and it would not be among the
    recorded ids), and the reconciliation rules (R1–R4) list every failing report, so that a
    strict build fails on old failures too. The recorded tables are dropped when the
    invocation ends (on-run-end in dbt_project.yml).
    --------------------------------------------------------------------------------------------- -#}

{#- Where a fact's rebuilt report ids are recorded: beside the incremental pivots. -#}
{% macro reports_built_relation(relation, fact=none) %}
    {{ return(relation.incorporate(path={
        "schema": generate_schema_name('intermediate', none),
        "identifier": (fact or relation.identifier) ~ "__reports_built"
    })) }}
{% endmacro %}

{#- The pre-hook: record the report ids `reports_sql` selects, as the fact sees them now. -#}
{% macro record_reports_built(reports_sql) %}
    {%- set recorded = reports_built_relation(this) %}
    {{ replace_table_as(recorded, 'select distinct report_id from (' ~ reports_sql ~ ') as reports') }}
{%- endmacro %}

{#- The on-run-end hook: the recorded ids serve this invocation's tests only. -#}
{% macro drop_reports_built() %}
    {%- if execute %}
        {%- set recorded = [] %}
        {%- for node in graph.nodes.values() if node.resource_type == 'model'
            and 'record_reports_built' in node.config['pre-hook'] | map(attribute='sql') | join(' ') %}
            {%- do recorded.append(reports_built_relation(api.Relation.create(
                database=node.database, schema=node.schema, identifier=node.alias))) %}
        {%- endfor %}
    {{- drop_tables(recorded) }}
    {%- endif %}
{%- endmacro %}

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

{#- Whether `fact` was built, and its rebuilt reports recorded, earlier in this invocation, as an
    incremental build's part: a `dbt build` without --full-refresh that selected it. -#}
{% macro reports_built_in_this_run(fact) %}
    {%- set unique_id = 'model.' ~ project_name ~ '.' ~ fact %}
    {{ return(execute and flags.WHICH == 'build' and not flags.FULL_REFRESH and unique_id in selected_resources) }}
{% endmacro %}

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
