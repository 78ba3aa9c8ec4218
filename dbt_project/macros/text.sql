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

{#- NFKC without a UDF (docs/decisions.md 95). Neither engine has Unicode NFKC in SQL, so
    ingestion stores it: a column the models compare after NFKC has a twin `<col>_nfkc` in
    its raw table (ingestion/datasets.py `nfkc_twin`), NFKC of the stored value, passed
    through by staging. The two macros below take the column and read its twin: `col` is
    a column reference (`certifications`, `circuits.a_address`), and `<col>_nfkc` must
    exist beside it. Trim and collapse stay here, in SQL, the same on every engine. -#}

{#- normalize_text(col): Unicode NFKC (the stored twin), trimmed, inner whitespace
    collapsed to one space, blank -> NULL; case is kept (kpis.md edge rule 12). -#}
{% macro normalize_text(col) -%}
    {{ return(adapter.dispatch('normalize_text', 'daiwei')(col)) }}
{%- endmacro %}

{#- The whitespace collapsed is ASCII [\t\n\f\r ] on both engines (RE2's \s; Java's
    would also take \x0B), after NFKC has turned the other spaces into ASCII ones. -#}
{% macro default__normalize_text(col) -%}
    {{ exceptions.raise_compiler_error("normalize_text needs a whitespace collapse for " ~ target.type) }}
{%- endmacro %}

{% macro duckdb__normalize_text(col) -%}
    nullif(regexp_replace({{ trim_text(nfkc_twin(col)) }}, '\s+', ' ', 'g'), '')
{%- endmacro %}

{% macro spark__normalize_text(col) -%}
    nullif(regexp_replace({{ trim_text(nfkc_twin(col)) }}, '[\\t\\n\\f\\r ]+', ' '), '')
{%- endmacro %}

{#- nfkc_trim(col): Unicode NFKC (the stored twin), then trimmed (no whitespace collapse). -#}
{% macro nfkc_trim(col) -%}
    {{ trim_text(nfkc_twin(col)) }}
{%- endmacro %}

{#- nfkc_twin(col): the stored NFKC twin of a column reference: `<col>_nfkc`. -#}
{% macro nfkc_twin(col) -%}
    {{ col }}_nfkc
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
