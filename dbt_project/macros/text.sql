{#- Text helpers. Each dispatches, so a Spark / Trino implementation can be added
    beside the DuckDB one without touching a model. -#}

{#- The characters trimmed around a value (ingestion/textnorm.py TRIM_CHARS):
    ASCII whitespace, NBSP and the ideographic space. -#}
{% macro trim_chars_codes() -%}
    {{ return([32, 9, 13, 10, 12, 11, 160, 12288]) }}
{%- endmacro %}

{#- trim_text(col): trimmed, blank -> NULL. Safe in views (no UDF). -#}
{% macro trim_text(col) -%}
    {{ return(adapter.dispatch('trim_text', 'daiwei')(col)) }}
{%- endmacro %}

{% macro default__trim_text(col) -%}
    nullif(trim({{ col }}), '')
{%- endmacro %}

{#- On Spark the same characters, as \u escapes in the literal (Spark's chr() wraps at 256). -#}
{% macro spark__trim_text(col) -%}
    {%- set chars = [] -%}
    {%- for c in trim_chars_codes() -%}{%- do chars.append('\\u%04X' % c) -%}{%- endfor -%}
    nullif(trim(both '{{ chars | join('') }}' from cast({{ col }} as string)), '')
{%- endmacro %}

{% macro duckdb__trim_text(col) -%}
    {%- set chars = [] -%}
    {%- for c in trim_chars_codes() -%}{%- do chars.append('chr(' ~ c ~ ')') -%}{%- endfor -%}
    nullif(trim(cast({{ col }} as varchar), {{ chars | join(' || ') }}), '')
{%- endmacro %}

{#- is_blank(col): true when the value is NULL or only whitespace. -#}
{% macro is_blank(col) -%}
    ({{ trim_text(col) }} is null)
{%- endmacro %}

{#- normalize_text(col): Unicode NFKC, trimmed, inner whitespace collapsed to one
    space, blank -> NULL; case is kept (kpis.md edge rule 12). On DuckDB this calls
    the Python UDF `nfkc` (orchestration/dbt_udfs.py): use it only in models
    materialised as tables. -#}
{% macro normalize_text(col) -%}
    {{ return(adapter.dispatch('normalize_text', 'daiwei')(col)) }}
{%- endmacro %}

{% macro default__normalize_text(col) -%}
    {{ exceptions.raise_compiler_error("normalize_text needs an NFKC implementation for " ~ target.type) }}
{%- endmacro %}

{% macro duckdb__normalize_text(col) -%}
    nullif(regexp_replace({{ trim_text(duckdb__nfkc_fast(col)) }}, '\s+', ' ', 'g'), '')
{%- endmacro %}

{#- Spark has no NFKC and no UDF here: spark__normalize_text / spark__nfkc_trim trim and
    collapse like DuckDB but leave the characters as they are. The build runs, but a
    value that NFKC would change (full-width ASCII, compatibility forms) compares
    differently from DuckDB: the columns need a stored NFKC twin from ingestion
    (docs/decisions.md 95). -#}
{% macro spark__normalize_text(col) -%}
    nullif(regexp_replace({{ spark__trim_text(col) }}, '[\\t\\n\\f\\r ]+', ' '), '')
{%- endmacro %}

{% macro spark__nfkc_trim(col) -%}
    {{ spark__trim_text(col) }}
{%- endmacro %}

{#- duckdb__nfkc_fast(col): NFKC through the Python UDF only for values that are not pure
    ASCII (byte length = character length): ASCII is its own NFKC, and skipping the UDF for
    it spares a Python round trip per vector on a year of tickets. -#}
{% macro duckdb__nfkc_fast(col) -%}
    (case
        when strlen(cast({{ col }} as varchar)) = length(cast({{ col }} as varchar))
            then cast({{ col }} as varchar)
        else nfkc(cast({{ col }} as varchar))
    end)
{%- endmacro %}

{#- nfkc_trim(col): NFKC then trimmed (no whitespace collapse); tables only. -#}
{% macro nfkc_trim(col) -%}
    {{ return(adapter.dispatch('nfkc_trim', 'daiwei')(col)) }}
{%- endmacro %}

{% macro duckdb__nfkc_trim(col) -%}
    {{ trim_text(duckdb__nfkc_fast(col)) }}
{%- endmacro %}

{#- matches_pattern(col, pattern): the whole value matches the regular expression. -#}
{% macro matches_pattern(col, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'daiwei')(col, pattern)) }}
{%- endmacro %}

{% macro default__matches_pattern(col, pattern) -%}
    regexp_like({{ col }}, '^(?:{{ pattern }})$')
{%- endmacro %}

{#- Spark: Java regular expressions, searched; anchored with \A ... \z (a Java `$` would
    also match before a final line break). -#}
{% macro spark__matches_pattern(col, pattern) -%}
    regexp_like({{ col }}, '\\A(?:{{ pattern | replace('\\', '\\\\') }})\\z')
{%- endmacro %}

{% macro duckdb__matches_pattern(col, pattern) -%}
    regexp_full_match({{ col }}, '{{ pattern }}')
{%- endmacro %}

{#- split_part_rows: a list column of the parts of `col` split on `sep`
    (to be unnested by the caller with unnest_list). -#}
{% macro split_to_list(col, sep) -%}
    {{ return(adapter.dispatch('split_to_list', 'daiwei')(col, sep)) }}
{%- endmacro %}

{% macro duckdb__split_to_list(col, sep) -%}
    string_split({{ col }}, '{{ sep }}')
{%- endmacro %}

{#- Spark's split takes a regular expression: the separator is quoted (\Q...\E); limit -1
    keeps empty parts as string_split does. -#}
{% macro spark__split_to_list(col, sep) -%}
    split({{ col }}, '\\Q{{ sep }}\\E', -1)
{%- endmacro %}

{% macro unnest_list(list_expr) -%}
    {{ return(adapter.dispatch('unnest_list', 'daiwei')(list_expr)) }}
{%- endmacro %}

{% macro duckdb__unnest_list(list_expr) -%}
    unnest({{ list_expr }})
{%- endmacro %}

{% macro spark__unnest_list(list_expr) -%}
    explode({{ list_expr }})
{%- endmacro %}

{#- string_agg_sorted(col, sep): the values joined in sorted order (deterministic). -#}
{% macro string_agg_sorted(col, sep) -%}
    {{ return(adapter.dispatch('string_agg_sorted', 'daiwei')(col, sep)) }}
{%- endmacro %}

{% macro duckdb__string_agg_sorted(col, sep) -%}
    string_agg({{ col }}, '{{ sep }}' order by {{ col }})
{%- endmacro %}

{#- Spark: NULLs skipped, NULL when none, ordered by byte (UTF8_BINARY), as on DuckDB. -#}
{% macro spark__string_agg_sorted(col, sep) -%}
    listagg({{ col }}, '{{ sep }}') within group (order by {{ col }})
{%- endmacro %}

{#- string_type(): the SQL name of the text type in casts (Spark needs a length for varchar). -#}
{% macro string_type() -%}
    {{ return(adapter.dispatch('string_type', 'daiwei')()) }}
{%- endmacro %}

{% macro default__string_type() -%}
    varchar
{%- endmacro %}

{% macro spark__string_type() -%}
    string
{%- endmacro %}

{#- is_present(col): the value is not blank (NULL or only whitespace). -#}
{% macro is_present(col) -%}
    {{ trim_text(col) }} is not null
{%- endmacro %}

{#- null_safe_equal(a, b): equal, or both NULL. -#}
{% macro null_safe_equal(a, b) -%}
    coalesce({{ a }} = {{ b }}, {{ a }} is null and {{ b }} is null)
{%- endmacro %}
