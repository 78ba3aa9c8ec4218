{#- Rules live in seeds; these helpers read them inside a query. -#}

{#- in_value_set(col, set_code): the value is one of the seed kpi_value_sets' values
    for that set (e.g. 'satisfied' = 满意, 基本满意). -#}
{% macro in_value_set(col, set_code) -%}
    {{ col }} in (
        select vs.value from {{ ref('kpi_value_sets') }} as vs
        where vs.set_code = '{{ set_code }}'
    )
{%- endmacro %}

{#- is_cancelled_ticket(status_col): true for 已作废 (seed kpi_value_sets,
    set cancelled_ticket_status); such tickets count nowhere (edge rule 4). -#}
{% macro is_cancelled_ticket(status_col) -%}
    coalesce({{ in_value_set(status_col, 'cancelled_ticket_status') }}, false)
{%- endmacro %}

{#- value_by_latest(col, order_col): the value of col on the row with the greatest
    order_col (an aggregate). -#}
{% macro value_by_latest(col, order_col) -%}
    {{ return(adapter.dispatch('value_by_latest', 'daiwei')(col, order_col)) }}
{%- endmacro %}

{% macro default__value_by_latest(col, order_col) -%}
    max_by({{ col }}, {{ order_col }})
{%- endmacro %}

{% macro duckdb__value_by_latest(col, order_col) -%}
    arg_max({{ col }}, {{ order_col }})
{%- endmacro %}

{#- raise_message(message_expr): on DuckDB, raises the message as a query error so a
    failing singular test prints it in dbt's own output; elsewhere the message is
    returned as a column (the test fails on the row count). -#}
{% macro raise_message(message_expr) -%}
    {{ return(adapter.dispatch('raise_message', 'daiwei')(message_expr)) }}
{%- endmacro %}

{% macro default__raise_message(message_expr) -%}
    {{ message_expr }}
{%- endmacro %}

{% macro duckdb__raise_message(message_expr) -%}
    cast(error({{ message_expr }}) as varchar)
{%- endmacro %}
