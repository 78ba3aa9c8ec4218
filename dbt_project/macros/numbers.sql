{#- Exact arithmetic. KPI values are rounded once, at the end, from exact integer
    numerators and denominators, so the same input gives byte-identical numbers on
    every run however the aggregates were parallelised. -#}

{#- to_big_int(expr): an exact integer type wide enough for scaled sums. -#}
{% macro to_big_int(expr) -%}
    {{ return(adapter.dispatch('to_big_int', 'daiwei')(expr)) }}
{%- endmacro %}

{% macro default__to_big_int(expr) -%}
    cast({{ expr }} as decimal(38, 0))
{%- endmacro %}

{% macro duckdb__to_big_int(expr) -%}
    cast({{ expr }} as hugeint)
{%- endmacro %}

{#- int_div(a, b): integer division of non-negative exact integers (truncates). -#}
{% macro int_div(a, b) -%}
    {{ return(adapter.dispatch('int_div', 'daiwei')(a, b)) }}
{%- endmacro %}

{% macro default__int_div(a, b) -%}
    floor(({{ a }}) / ({{ b }}))
{%- endmacro %}

{#- Spark: `/` on decimals rounds the quotient to 6 places (a floor after it can be one too
    high) and `div` returns a 64-bit long; a - a % b is an exact multiple of b, so the
    DECIMAL(38,6) quotient is exact (up to 10^32, above every quotient of this project:
    the largest, a composite's weight × 100 × 10^18, stays below 10^27). -#}
{% macro spark__int_div(a, b) -%}
    cast(
        (cast({{ a }} as decimal(38, 0)) - cast({{ a }} as decimal(38, 0)) % cast({{ b }} as decimal(38, 0)))
        / cast({{ b }} as decimal(38, 0))
        as decimal(38, 0)
    )
{%- endmacro %}

{% macro duckdb__int_div(a, b) -%}
    (({{ a }}) // ({{ b }}))
{%- endmacro %}

{#- micros(expr): a DECIMAL(38,6) quantity as an exact integer count of millionths. -#}
{% macro micros(expr) -%}
    {{ to_big_int('cast(' ~ expr ~ ' as decimal(38, 6)) * 1000000') }}
{%- endmacro %}

{#- from_micros(expr): an exact integer count of millionths back to DECIMAL(38,6). -#}
{% macro from_micros(expr) -%}
    cast(cast({{ expr }} as decimal(32, 0)) * cast(0.000001 as decimal(7, 6)) as decimal(38, 6))
{%- endmacro %}

{#- ratio_half_up(num, den): num / den rounded half-up (half away from zero) to
    6 decimals, as DECIMAL(38,6); NULL when den is 0 or NULL. num and den are exact
    integers (den > 0). -#}
{% macro ratio_half_up(num, den) -%}
    case
        when coalesce({{ den }}, 0) = 0 then null
        else {{ from_micros(
            int_sign(num) ~ ' * ' ~ int_div(
                'abs(' ~ num ~ ') * 2000000 + (' ~ den ~ ')',
                '2 * (' ~ den ~ ')'
            )
        ) }}
    end
{%- endmacro %}

{#- int_sign(expr): the sign of an exact number as an integer (0 may read as 1: it only
    multiplies a magnitude that is then 0). -#}
{% macro int_sign(expr) -%}
    {{ return(adapter.dispatch('int_sign', 'daiwei')(expr)) }}
{%- endmacro %}

{% macro default__int_sign(expr) -%}
    sign({{ expr }})
{%- endmacro %}

{#- Spark: sign() returns a DOUBLE there. -#}
{% macro spark__int_sign(expr) -%}
    (case when ({{ expr }}) < 0 then -1 else 1 end)
{%- endmacro %}

{#- seconds_between(start, finish): exact elapsed seconds as DECIMAL(38,6). -#}
{% macro seconds_between(start, finish) -%}
    {{ from_micros(dbt.datediff(start, finish, 'microsecond')) }}
{%- endmacro %}

{#- try_to_bigint(expr): the value as BIGINT, NULL when it does not convert.
    (dbt.safe_cast compiles to a plain cast on dbt-duckdb.) -#}
{% macro try_to_bigint(expr) -%}
    {{ return(adapter.dispatch('try_to_bigint', 'daiwei')(expr)) }}
{%- endmacro %}

{% macro default__try_to_bigint(expr) -%}
    {{ dbt.safe_cast(expr, api.Column.translate_type('bigint')) }}
{%- endmacro %}

{% macro spark__try_to_bigint(expr) -%}
    try_cast({{ expr }} as bigint)
{%- endmacro %}

{% macro duckdb__try_to_bigint(expr) -%}
    try_cast({{ expr }} as bigint)
{%- endmacro %}
