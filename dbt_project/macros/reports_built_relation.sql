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
