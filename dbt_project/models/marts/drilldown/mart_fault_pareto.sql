-- The fault-cause drill-down as Pareto tables: one row per month × contractor ('' =
-- all contractors) × level × path. The levels nest cause_category → cause_detail →
-- faulty_device → prefecture → county; a row of level k is one value of that level
-- inside one path of the levels above (its parent). tickets and breaches (not timely)
-- count the rows of mart_fault_tickets; share_of_parent = tickets / the parent's
-- tickets; cumulative_share adds the shares in descending order of tickets (ties by
-- key), the Pareto curve. Shares are rounded half-up to 6 decimals from the counts.
{% set levels = ['cause_category', 'cause_detail', 'faulty_device', 'prefecture', 'county'] %}
{#- a row's parent: the same month, contractor and level, and the path above the level -#}
{% set parent_keys -%}
month, contractor, level_no
{%- for path_level in levels[:-1] %}, case when level_no > {{ loop.index }} then {{ path_level }} end{% endfor %}
{%- endset %}
with

tickets as (

    select * from {{ ref('mart_fault_tickets') }}

),

scoped as (

    select
        '' as contractor_scope,
        tickets.*
    from tickets

    union all

    select
        tickets.contractor as contractor_scope,
        tickets.*
    from tickets
    where tickets.contractor is not null

),

counted as (

    {% for level in levels %}
    {% set depth = loop.index %}
    select
        month,
        contractor_scope as contractor,
        {{ depth }} as level_no,
        '{{ level }}' as level, -- noqa: RF04
        {% for path_level in levels %}
        {% if loop.index <= depth %}
        {{ path_level }},
        {% else %}
        '' as {{ path_level }},
        {% endif %}
        {% endfor %}
        {{ level }} as level_key,
        count(*) as tickets,
        sum(case when is_timely then 0 else 1 end) as breaches
    from scoped
    group by
        month,
        {% for path_level in levels[:depth] %}
        {{ path_level }},
        {% endfor %}
        contractor_scope
    {% if not loop.last %}
    union all
    {% endif %}
    {% endfor %}

),

parented as (

    select
        *,
        concat_ws(
            ' > ',
            {% for path_level in levels[:-2] %}
            case when level_no > {{ loop.index }} then {{ path_level }} end,
            {% endfor %}
            case when level_no > {{ levels | length - 1 }} then {{ levels[-2] }} end
        ) as parent_path
    from counted

),

shared as (

    select
        *,
        sum(tickets) over (partition by {{ parent_keys }}) as parent_tickets,
        row_number() over (
            partition by {{ parent_keys }}
            order by tickets desc, level_key asc
        ) as pareto_rank
    from parented

),

cumulated as (

    select
        *,
        sum(tickets) over (
            partition by {{ parent_keys }}
            order by pareto_rank
            rows between unbounded preceding and current row
        ) as cumulative_tickets
    from shared

),

final as (

    select
        month,
        contractor,
        cast(level_no as integer) as level_no,
        level,
        {% for path_level in levels %}
        {{ path_level }},
        {% endfor %}
        parent_path,
        level_key,
        cast(tickets as bigint) as tickets,
        cast(breaches as bigint) as breaches,
        cast(parent_tickets as bigint) as parent_tickets,
        {{ ratio_half_up(to_big_int('tickets'), to_big_int('parent_tickets')) }} as share_of_parent,
        cast(cumulative_tickets as bigint) as cumulative_tickets,
        {{ ratio_half_up(to_big_int('cumulative_tickets'), to_big_int('parent_tickets')) }} as cumulative_share,
        cast(pareto_rank as integer) as pareto_rank
    from cumulated

)

select * from final
order by month, contractor, level_no, parent_path, pareto_rank
