{#- ledger_fields(): the fields of a ledger line compared with its EOMS circuit, read
    from the seed ledger_fields (the one list; the Python side reads the same CSV
    through core/seeds.py). A list of {field_name, compare_as} in sort_order;
    compare_as is 'text' (compared after normalize_text) or 'number' (as typed).

    The seed is read when the calling model is compiled (run_query):

    * While dbt parses (`execute` false) the macro only refs the seed, which makes
      it a parent of the calling model (`dbt build` loads it before it compiles the
      model; no `-- depends_on` needed), and returns an empty list.
    * At compile time it reads the seed's table, located through `graph` rather
      than ref(): in a unit test ref() only knows the test's `given` inputs, and a
      fixture CTE cannot be queried at compile time anyway.
    * Where there is no such table, ledger_fields_from_file() answers: a unit test
      (its `graph` is empty), sqlfluff's in-memory lint target, `dbt compile` on an
      empty warehouse. On DuckDB it reads the seed's CSV file; elsewhere it asks
      for the seed to be loaded, or, in a unit test, for
      `overrides: {macros: {ledger_fields: [...]}}`. -#}
{% macro ledger_fields() -%}
    {%- if not execute -%}
        {%- do ref('ledger_fields') -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set node = graph.get('nodes', {}).get('seed.' ~ project_name ~ '.ledger_fields') -%}
    {%- set seed = none -%}
    {%- if node is not none -%}
        {%- set seed = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- endif -%}
    {%- if seed is none -%}
        {%- set query = ledger_fields_from_file() -%}
    {%- else -%}
        {%- set query = 'select field_name, compare_as from ' ~ seed ~ ' order by sort_order' -%}
    {%- endif -%}
    {%- set fields = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- do fields.append({'field_name': row['field_name'], 'compare_as': row['compare_as']}) -%}
    {%- endfor -%}
    {%- if fields | length == 0 -%}
        {{ exceptions.raise_compiler_error("seed ledger_fields lists no field") }}
    {%- endif -%}
    {{ return(fields) }}
{%- endmacro %}

{#- ledger_field_value(relation, field): the value of one field of ledger_fields() as
    compared: normalize_text for text fields, as typed for numbers. -#}
{% macro ledger_field_value(relation, field) -%}
    {%- if field.compare_as == 'text' -%}
        {{ normalize_text(relation ~ '.' ~ field.field_name) }}
    {%- else -%}
        {{ relation }}.{{ field.field_name }}
    {%- endif -%}
{%- endmacro %}

{#- ledger_fields_from_file(): a query for the seed's rows (field_name, compare_as in
    sort_order) that does not need its table. -#}
{% macro ledger_fields_from_file() -%}
    {{ return(adapter.dispatch('ledger_fields_from_file', 'daiwei')()) }}
{%- endmacro %}

{% macro default__ledger_fields_from_file() -%}
    {{ exceptions.raise_compiler_error(
        "seed ledger_fields is not loaded into target " ~ target.name ~ ": run `dbt seed` (or `dbt build`) "
        ~ "first; a unit test needs `overrides: {macros: {ledger_fields: [...]}}` on " ~ target.type
    ) }}
{%- endmacro %}

{#- On DuckDB: the seed's CSV file, found by name under the seed folder as
    core/seeds.py finds it (dbt passes the project folder; the current folder is
    dbt's own when it does not). -#}
{% macro duckdb__ledger_fields_from_file() -%}
    {%- set project_dir = invocation_args_dict.get('project_dir') or '.' -%}
    {%- set pattern = (project_dir ~ '/seeds/**/ledger_fields.csv') | replace("'", "''") -%}
    {{ return(
        "select field_name, compare_as from read_csv('" ~ pattern ~ "', header = true, all_varchar = true)"
        ~ " order by cast(sort_order as integer)"
    ) }}
{%- endmacro %}
