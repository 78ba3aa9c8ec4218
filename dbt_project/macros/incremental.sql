{#- Incremental ticket-level models (operations.md, cheap daily runs).

    A ticket-level model keyed on ticket_id keeps, on each row, the version of the ticket
    it was computed from (`ticket_version`: the load_seq of the ticket's current row) and
    the fingerprint of its rules (`rules_fingerprint`: the rows of the seeds it reads, the
    model's own SQL and the project's macros). A run recomputes only the tickets
      * whose current row is newer than the one the kept row was computed from (a new
        month, or a correction to an earlier month: the load sequence is the watermark),
      * or that are ruled on by an accepted appeal now, or were when the kept row was
        computed (its after-appeal columns differ from its before-appeal columns),
    and every ticket when the fingerprint changed (a rule seed or the model was edited).
    The post-hook `drop_stale_tickets` removes the rows of tickets that left the model's
    population (a later row changed their status or type). Built either way, month by
    month or in one go, the table holds the same rows (tests/test_incremental.py). -#}

{#- ticket_incremental_config(): the config of these models (call it first in the model). -#}
{#- On Spark these models are plain tables, rebuilt whole (docs/decisions.md 96): dbt-spark's
    incremental strategies (append, insert_overwrite, merge) need Delta / Iceberg / Hudi
    for merge, and a Parquet table takes no DELETE for the stale-ticket post-hook. -#}
{#- `population`: the name of the macro giving the model's population (ticket_id, load_seq):
    form_population (the default), clocked_population, ... -#}
{% macro ticket_incremental_config(population='form_population') -%}
    {{ delete_insert_config('ticket_id', "{{ drop_stale_tickets(" ~ population ~ "()) }}") }}
{%- endmacro %}

{#- delete_insert_config(unique_key, post_hook): where the engine builds incrementally, a
    delete+insert model on unique_key with the post-hook; elsewhere a table (decision 96). -#}
{% macro delete_insert_config(unique_key, post_hook) -%}
    {%- if not is_incremental_engine() -%}
        {{ config(materialized='table') }}
    {%- else -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=unique_key,
        on_schema_change='append_new_columns',
        post_hook=post_hook,
    ) }}
    {%- endif -%}
{%- endmacro %}

{#- is_incremental_engine(): whether the target builds the incremental models incrementally
    (DuckDB: delete+insert), or rebuilds them as tables (Spark on Parquet). -#}
{% macro is_incremental_engine() -%}
    {{ return(adapter.dispatch('is_incremental_engine', 'daiwei')()) }}
{%- endmacro %}

{% macro default__is_incremental_engine() -%}
    {{ return(true) }}
{%- endmacro %}

{% macro spark__is_incremental_engine() -%}
    {{ return(false) }}
{%- endmacro %}

{#- incremental_materialization(): 'incremental' where the engine builds incrementally, else 'table'. -#}
{% macro incremental_materialization() -%}
    {{ return('incremental' if is_incremental_engine() else 'table') }}
{%- endmacro %}

{#- accepted_rulings(rule): the tickets, contractors and items of accepted appeals under `rule`. -#}
{% macro accepted_rulings(rule) -%}
    select distinct
        ticket_id,
        contractor,
        item
    from {{ ref('stg_appdb__rulings') }}
    where rule = '{{ rule }}'
{%- endmacro %}

{#- form_population_batch(fingerprint, unchanged_by_rulings): the population tickets this run
    computes (all of them unless incremental); expects a CTE `rulings` (accepted_rulings). -#}
{% macro form_population_batch(fingerprint, unchanged_by_rulings) -%}
    {{ population_batch(form_population(), fingerprint, unchanged_by_rulings) }}
{%- endmacro %}

{#- population_batch(population, fingerprint, unchanged_by_rulings): the same for any population
    SQL (rows of stg_eoms__tickets, with ticket_id and load_seq). -#}
{% macro population_batch(population, fingerprint, unchanged_by_rulings) -%}
    select population.*
    from ({{ population }}) as population
    {% if is_ticket_incremental() %}
        where
            population.ticket_id in (select r.ticket_id from rulings as r)
            or not {{ is_ticket_cached('population', fingerprint, unchanged_by_rulings) }}
    {% endif %}
{%- endmacro %}

{#- rules_fingerprint(seeds): md5 over every row of the given seeds and this model's SQL. -#}
{% macro rules_fingerprint(seeds) -%}
    {{ return(adapter.dispatch('rules_fingerprint', 'daiwei')(seeds)) }}
{%- endmacro %}

{% macro default__rules_fingerprint(seeds) -%}
    (
        select md5(string_agg(rule_row, '|' order by rule_row))
        from (
            {%- for seed in seeds %}
                select '{{ seed }}:' || cast(s as varchar) as rule_row from {{ ref(seed) }} as s
                union all
            {%- endfor %}
            select 'model:{{ model.checksum.checksum }}' as rule_row
            union all
            -- the project's macros, hashed by the run (orchestration/assets/dbt.py)
            select 'macros:{{ var("daiwei_macros_sha256", "") }}' as rule_row
        ) as rule_rows
    )
{%- endmacro %}

{#- Spark: a row has no text cast; each seed row as JSON (column order of the seed). Only
    compared with itself on the same engine (the incremental test), never exported. -#}
{% macro spark__rules_fingerprint(seeds) -%}
    (
        select md5(listagg(rule_row, '|') within group (order by rule_row))
        from (
            {%- for seed in seeds %}
                select '{{ seed }}:' || to_json(struct(s.*)) as rule_row from {{ ref(seed) }} as s
                union all
            {%- endfor %}
            select 'model:{{ model.checksum.checksum }}' as rule_row
            union all
            select 'macros:{{ var("daiwei_macros_sha256", "") }}' as rule_row
        ) as rule_rows
    )
{%- endmacro %}

{#- is_ticket_cached(alias, fingerprint, unchanged_by_rulings): true when `this` already holds
    the row of ticket `alias` computed from its current version under the current rules and
    untouched by appeals. Only meaningful inside `{% if is_ticket_incremental() %}`. -#}
{% macro is_ticket_cached(alias, fingerprint, unchanged_by_rulings) -%}
    exists (
        select 1
        from {{ this }} as kept
        where
            kept.ticket_id = {{ alias }}.ticket_id
            and kept.ticket_version = {{ alias }}.load_seq
            and kept.rules_fingerprint = {{ fingerprint }}
            and ({{ unchanged_by_rulings }})
    )
{%- endmacro %}

{#- is_ticket_incremental(): an incremental run on a table that already carries the
    version columns (a table built before they existed is rebuilt whole once). -#}
{% macro is_ticket_incremental() -%}
    {{ return(is_incremental_with(['ticket_version', 'rules_fingerprint'])) }}
{%- endmacro %}

{#- is_incremental_with(columns): an incremental run on a table that already has `columns`. -#}
{% macro is_incremental_with(columns) -%}
    {#- a unit test has no `this` unless it gives one (and then overrides is_incremental) -#}
    {%- if this is none or not execute -%}{{ return(false) }}{%- endif -%}
    {%- if not is_incremental() -%}{{ return(false) }}{%- endif -%}
    {%- set names = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- for column in columns -%}
        {%- if column not in names -%}{{ return(false) }}{%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}

{#- drop_stale_tickets(population): post-hook; deletes the rows of tickets whose current
    row is not in the population any more (or is a newer row than the one kept). -#}
{% macro drop_stale_tickets(population) -%}
    delete from {{ this }}
    where not exists (
        select 1
        from ({{ population }}) as current_population
        where
            current_population.ticket_id = {{ this }}.ticket_id
            and current_population.load_seq = {{ this }}.ticket_version
    )
{%- endmacro %}

{#- form_population(): the tickets of the confirmation-form and photo checks (kpis.md edge
    rules 5 and 6): a ticket type of seed form_items, status 已归档, never cancelled. -#}
{% macro form_population() -%}
    select *
    from {{ ref('stg_eoms__tickets') }}
    where
        {{ in_value_set('ticket_status', 'form_population_status') }}
        and ticket_type in (select fi.ticket_type from {{ ref('form_items') }} as fi)
        and not {{ is_cancelled_ticket('ticket_status') }}
{%- endmacro %}

{#- clocked_population(): the tickets of int_tickets_clocked, every ticket not cancelled (edge rule 4). -#}
{% macro clocked_population() -%}
    select *
    from {{ ref('stg_eoms__tickets') }}
    where not {{ is_cancelled_ticket('ticket_status') }}
{%- endmacro %}

{#- clocked_versions(): the tickets of int_tickets_clocked and the version each row was clocked
    from: the population of the models computed from its rows (int_tickets_described). -#}
{% macro clocked_versions() -%}
    select
        ticket_id,
        ticket_version as load_seq
    from {{ ref('int_tickets_clocked') }}
{%- endmacro %}

{#- fault_versions(): the same for the 故障 tickets (int_tickets_repeat_flagged). -#}
{% macro fault_versions() -%}
    {{ clocked_versions() }}
    where is_fault
{%- endmacro %}

{#- Month-incremental marts (mart_fault_pareto): computed per month from a ticket-level model.
    Each row keeps the fingerprint of its month's input rows (month_rows_fingerprint: their count,
    the sum of their 64-bit hashes, the model's SQL and the project's macros); a run recomputes
    the months whose fingerprint changed or is new, keeps the others, and the post-hook drops the
    months no input row has any more. Built month by month or in one go, the table holds the same
    rows (tests/test_incremental.py). On Spark a plain table, rebuilt whole (as above). -#}
{% macro month_incremental_config(source_model) -%}
    {{ delete_insert_config('month', "{{ drop_absent('month', '" ~ source_model ~ "') }}") }}
{%- endmacro %}

{#- is_month_incremental(): an incremental run on a table that already carries month_fingerprint. -#}
{% macro is_month_incremental() -%}
    {{ return(is_incremental_with(['month_fingerprint'])) }}
{%- endmacro %}

{#- month_rows_fingerprint(columns): aggregate; the fingerprint of a month's rows over `columns`. -#}
{% macro month_rows_fingerprint(columns) -%}
    {{ return(adapter.dispatch('month_rows_fingerprint', 'daiwei')(columns)) }}
{%- endmacro %}

{% macro default__month_rows_fingerprint(columns) -%}
    md5(concat_ws(
        ':',
        cast(count(*) as varchar),
        cast(coalesce(sum(hash({{ columns | join(', ') }})), 0) as varchar),
        'model:{{ model.checksum.checksum }}',
        'macros:{{ var("daiwei_macros_sha256", "") }}'
    ))
{%- endmacro %}

{#- Spark: only compared with itself on the same engine (there the table is rebuilt whole). -#}
{% macro spark__month_rows_fingerprint(columns) -%}
    md5(concat_ws(
        ':',
        cast(count(*) as string),
        cast(coalesce(sum(xxhash64({{ columns | join(', ') }})), 0) as string),
        'model:{{ model.checksum.checksum }}',
        'macros:{{ var("daiwei_macros_sha256", "") }}'
    ))
{%- endmacro %}

{#- drop_absent(key, source_model, population): post-hook; deletes the rows whose `key` (month,
    ticket_id) no row of the source has any more among those meeting `population`, a condition on
    the source's rows (`source_rows`). -#}
{% macro drop_absent(key, source_model, population='true') -%}
    delete from {{ this }}
    where not exists (
        select 1
        from {{ ref(source_model) }} as source_rows
        where source_rows.{{ key }} = {{ this }}.{{ key }} and ({{ population }})
    )
{%- endmacro %}

{#- Row-incremental marts (mart_ticket_steps, mart_fault_tickets): projections of a ticket-level
    model, one row per ticket. A run computes every row (a projection: cheap) and writes only the
    rows the table does not already hold exactly as computed, compared on every column of the
    model's contract (EXCEPT, NULL-safe): new tickets, corrected ones, those a ruling or a rule
    seed changed, a row edited by hand. Unchanged rows are not rewritten (a million sorted rows
    were rewritten by every run before, decision 108); the post-hook drops the tickets that left
    the population. Content, not history, decides, so the table carries no bookkeeping column and
    equals a full build row for row (tests/test_incremental.py). On Spark a plain table. -#}
{% macro row_incremental_config(source_model, population='true') -%}
    {{ delete_insert_config(
        'ticket_id',
        "{{ drop_absent('ticket_id', '" ~ source_model ~ "', '" ~ population ~ "') }}"
    ) }}
{%- endmacro %}

{#- changed_rows(cte): the rows of `cte` to write: all of them, or (incrementally, on a table that
    has every contract column) those not in the table as they are. -#}
{% macro changed_rows(cte) -%}
    {%- set columns = model.columns.keys() | list -%}
    {%- if columns and is_incremental_with(columns) %}
        select {{ columns | join(', ') }} from {{ cte }}
        except
        select {{ columns | join(', ') }} from {{ this }}
    {%- else %}
        select * from {{ cte }}
    {%- endif %}
{%- endmacro %}
