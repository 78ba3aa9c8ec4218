{#-
    One test per model or seed for its keys and plain column rules (decision 105): each unique
    column (NULLs aside, as dbt's `unique`) or combination of columns (NULLs included, as
    `unique_combination_of_columns`), each column that must not be NULL, each column whose values
    come from a fixed list (NULL allowed, as dbt's `accepted_values`), each column (or expression)
    whose values must be found in another model's field (`relationships`: `column`, `to`, `field`,
    an optional `name`; NULLs aside, as dbt's `relationships`), and each invariant of the
    model's rows (`expressions`: its `name`, the `expression` every row must make true, NULL
    counting as not true, and an optional `where_clause` narrowing the rows). A row per rule
    broken: the rule (an invariant's name), the columns (an invariant's expression) and how many
    rows (or duplicated keys) break it. One node instead of one per rule: each dbt node costs
    ≈ 17 ms of dbt's own work however small its query.
-#}
{% test row_checks(model, unique=[], not_null=[], accepted_values={}, relationships=[], expressions=[]) %}
    {%- set checks = [] -%}
    {%- for key in unique -%}
        {%- set columns = [key] if key is string else key -%}
        {%- set cols = columns | join(', ') -%}
        {%- set where = ("where " ~ key ~ " is not null") if key is string else "" -%}
        {%- do checks.append((
            "unique", cols,
            "(select " ~ cols ~ " from " ~ model ~ " " ~ where ~ " group by " ~ cols ~ " having count(*) > 1) as duplicated"
        )) -%}
    {%- endfor -%}
    {%- for column in not_null -%}
        {%- do checks.append(("not_null", column, model ~ " where " ~ column ~ " is null")) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- set quoted = [] -%}
        {%- for value in values -%}
            {%- do quoted.append("'" ~ dbt.escape_single_quotes(value | string) ~ "'") -%}
        {%- endfor -%}
        {%- do checks.append(("accepted_values", column, model ~ " where " ~ column ~ " not in (" ~ quoted | join(", ") ~ ")")) -%}
    {%- endfor -%}
    {%- for link in relationships -%}
        {%- do checks.append((
            link.name or "relationships",
            link.column ~ " → " ~ link.to.identifier ~ "." ~ link.field,
            "(select child.from_field from (select " ~ link.column ~ " as from_field from " ~ model
                ~ " where " ~ link.column ~ " is not null) as child left join (select " ~ link.field
                ~ " as to_field from " ~ link.to ~ ") as parent on child.from_field = parent.to_field"
                ~ " where parent.to_field is null) as orphans"
        )) -%}
    {%- endfor -%}
    {%- for invariant in expressions -%}
        {%- set broken = "not coalesce((" ~ invariant.expression ~ "), false)" -%}
        {%- if invariant.where_clause -%}
            {%- set broken = broken ~ " and (" ~ invariant.where_clause ~ ")" -%}
        {%- endif -%}
        {%- do checks.append((
            invariant.name or "expression_is_true", invariant.expression | trim, model ~ " where " ~ broken
        )) -%}
    {%- endfor %}

select broken_rule, checked_columns, failing_rows
from (
    {%- for rule, columns, rows_from in checks %}
    {% if not loop.first %}union all{% endif %}
    select
        '{{ dbt.escape_single_quotes(rule) }}' as broken_rule,
        '{{ dbt.escape_single_quotes(columns) }}' as checked_columns,
        count(*) as failing_rows
    from {{ rows_from }}
    {%- endfor %}
) as checks
where failing_rows > 0
{% endtest %}
