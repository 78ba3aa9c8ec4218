{#- Month helpers. A month is stored as the DATE of its first day. -#}

{% macro month_of(expr) -%}
    cast({{ dbt.date_trunc('month', expr) }} as date)
{%- endmacro %}

{% macro month_end(month_expr) -%}
    {{ dbt.last_day(month_expr, 'month') }}
{%- endmacro %}

{#- format_month(month): 'YYYY-MM' text. -#}
{% macro format_month(month_expr) -%}
    {{ return(adapter.dispatch('format_month', 'daiwei')(month_expr)) }}
{%- endmacro %}

{% macro default__format_month(month_expr) -%}
    to_char({{ month_expr }}, 'YYYY-MM')
{%- endmacro %}

{% macro spark__format_month(month_expr) -%}
    date_format({{ month_expr }}, 'yyyy-MM')
{%- endmacro %}

{% macro duckdb__format_month(month_expr) -%}
    strftime({{ month_expr }}, '%Y-%m')
{%- endmacro %}

{#- add_days / add_months on a DATE, kept a DATE. -#}
{% macro add_days(date_expr, n) -%}
    cast({{ dbt.dateadd('day', n, date_expr) }} as date)
{%- endmacro %}

{% macro add_months(date_expr, n) -%}
    cast({{ dbt.dateadd('month', n, date_expr) }} as date)
{%- endmacro %}

{% macro to_date(expr) -%}
    cast({{ expr }} as date)
{%- endmacro %}
