{#-
    ref() and source() as dbt's own, but on DuckDB without the catalog: a view's SQL then says
    "marts"."x", not "warehouse"."marts"."x", and DuckDB binds it in the catalog the view lives in.
    A run builds its copy under one fixed name (core/warehouse.py BUILD_FILE, so dbt's saved parse
    stays valid for every warehouse) and publishes it under the warehouse's own name; a reader may
    also ATTACH it under any alias. Relations of another catalog, unit tests' fixtures and Spark's
    relations are returned as they are.
-#}
{% macro ref() %}
    {{- return(daiwei_local_relation(builtins.ref(*varargs, **kwargs))) -}}
{% endmacro %}

{% macro source() %}
    {{- return(daiwei_local_relation(builtins.source(*varargs, **kwargs))) -}}
{% endmacro %}

{% macro daiwei_local_relation(relation) %}
    {%- if target.type == 'duckdb' and relation is not string and relation.database == target.database -%}
        {{- return(relation.include(database=false)) -}}
    {%- endif -%}
    {{- return(relation) -}}
{% endmacro %}
