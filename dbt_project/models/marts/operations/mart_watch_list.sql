-- The watch list (今日预警, operations.md) at the default moment: the latest 派单时间 or
-- 接单时间 of a ticket that is not cancelled (var watch_as_of overrides it, for the unit
-- tests). The rules are the macro watch_rows (macros/watch.sql); the post-hook writes the
-- same query as the table macro marts.watch_list_at(as_of), which `daiwei watch --as-of`
-- and the dashboard call for any other moment on the read-only published warehouse.
{{ config(post_hook="{{ watch_list_at_macro(this.schema) }}") }}

{%- if var('watch_as_of', none) is not none %}
    {%- set as_of_sql = "cast('" ~ var('watch_as_of') ~ "' as timestamp)" %}
{%- else %}
    {%- set as_of_sql = (
        "(select greatest(max(latest.dispatched_at), max(latest.acknowledged_at)) from "
        ~ ref('int_tickets_clocked') ~ " as latest)"
    ) %}
{%- endif %}

{{ watch_rows(as_of_sql) }}
