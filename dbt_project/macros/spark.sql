{#- dbt's own cross-database macros, on Spark: dbt_project.yml puts this project first in
    the search order of namespace `dbt`; only spark__ implementations live here, so DuckDB
    keeps dbt-duckdb's. dbt-spark's datediff computes microseconds from text and its
    datediff / dateadd raise on NULL (assert_not_null); DuckDB returns NULL. -#}

{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%}
        datediff({{ second_date }}, {{ first_date }})
    {%- elif datepart == 'microsecond' -%}
        timestampdiff(MICROSECOND, {{ first_date }}, {{ second_date }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("spark__datediff: datepart " ~ datepart ~ " is not used by this project") }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- if datepart in ('day', 'month') -%}
        timestampadd({{ datepart | upper }}, {{ interval }}, {{ from_date_or_timestamp }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("spark__dateadd: datepart " ~ datepart ~ " is not used by this project") }}
    {%- endif -%}
{%- endmacro %}

{#- spark_type_name(type): a type name of this project's YAML (seed column_types, contract
    data_type, written for DuckDB) in Spark's spelling: Spark needs a length for varchar. -#}
{% macro spark_type_name(type) -%}
    {%- set t = type | string | trim | lower -%}
    {{ return('string' if t in ('varchar', 'text') else t) }}
{%- endmacro %}

{#- The contract check casts NULL to every YAML data_type (get_empty_schema_sql). -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type_name(type) }})
{%- endmacro %}

{#- Seeds: dbt-spark's own macros, with the column_types in Spark's spelling. -#}
{% macro spark_seed_node(model) -%}
    {%- set config = dict(model['config']) -%}
    {%- set types = {} -%}
    {%- for name, type in (config.get('column_types') or {}).items() -%}
        {%- do types.update({name: spark_type_name(type)}) -%}
    {%- endfor -%}
    {%- do config.update({'column_types': types}) -%}
    {%- set node = dict(model) -%}
    {%- do node.update({'config': config}) -%}
    {{ return(node) }}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) -%}
    {{ return(dbt.spark__create_csv_table(spark_seed_node(model), agate_table)) }}
{%- endmacro %}

{#- Rows inline, not as bindings: the session cursor formats bindings with `%`, so a NULL
    arrives as the text 'None' and a quote in a value ("New Year's Day") breaks the statement. -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set node = spark_seed_node(model) -%}
    {%- set column_override = node['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- if value is none -%}
                        cast(null as {{ types[loop.index0] }})
                    {%- else -%}
                        cast('{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}' as {{ types[loop.index0] }})
                    {%- endif -%}
                    {%- if not loop.last %},{% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{%- endmacro %}
