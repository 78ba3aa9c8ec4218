{#- rollup(relation, measures, grains, keys, by, where): the rows of `relation` rolled up
    to the reporting grains of fct_kpi, one plain `group by` select per grain joined by
    `union all` (portable: no GROUPING SETS / ROLLUP), in the order of `grains`:
      province               contractor = '', prefecture = ''  every row
      contractor             contractor,      prefecture = ''  rows with a contractor
      contractor_prefecture  contractor,      prefecture       rows with both
    Columns, in this order: the `keys` (default ['month']), grain, contractor, prefecture
    (only when one of `grains` keeps it), the `by` columns (kept at every grain), then the
    `measures`: aggregate expressions over the rows, each written 'expr as name'.
    `relation` is a ref() or the name of a CTE; `where`, optional, filters the rows of
    every grain before they are grouped. The supporting marts roll up through this, so
    a grain means the same rows everywhere. For example
        rollup('employees', ['count(*) as employees'], grains=['province', 'contractor'])
    gives month, grain ('province' | 'contractor'), contractor ('' | the contractor),
    employees. -#}
{% macro rollup(
    relation,
    measures,
    grains=['province', 'contractor', 'contractor_prefecture'],
    keys=['month'],
    by=[],
    where=none
) -%}
    {%- set grain_columns = {
        'province': [],
        'contractor': ['contractor'],
        'contractor_prefecture': ['contractor', 'prefecture'],
    } -%}
    {%- set dimensions = [] -%}
    {%- for grain in grains -%}
        {%- if grain not in grain_columns -%}
            {{ exceptions.raise_compiler_error(
                "rollup: unknown grain '" ~ grain ~ "' (one of " ~ (grain_columns.keys() | list | join(', ')) ~ ")"
            ) }}
        {%- endif -%}
        {%- for column in grain_columns[grain] if column not in dimensions -%}
            {%- do dimensions.append(column) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for grain in grains -%}
        {%- set kept = grain_columns[grain] -%}
        {%- set filters = [] if where is none else ['(' ~ where ~ ')'] -%}
        {%- for column in kept %}{% do filters.append(column ~ ' is not null') %}{% endfor -%}
        {%- set group_columns = keys + kept + by -%}
        {%- if not loop.first %}

    union all

    {% endif -%}
    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        '{{ grain }}' as grain,
        {%- for column in dimensions %}
        {{ column if column in kept else "'' as " ~ column }},
        {%- endfor %}
        {%- for column in by %}
        {{ column }},
        {%- endfor %}
        {{ measures | join(',\n        ') }}
    from {{ relation }}
    {%- if filters %}
    where {{ filters | join(' and ') }}
    {%- endif %}
    {%- if group_columns %}
    group by {{ group_columns | join(', ') }}
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
