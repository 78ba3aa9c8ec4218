-- One row per month × EOMS circuit in the inspection population: in service for the
-- whole window (activated_on <= window start and, edge rule 8, still in service on
-- the window's last day: removed_on blank or > that day). The window is the last c
-- months ending with this month, c from seed inspection_cycles by 站点类型; a circuit
-- whose 站点类型 has no cycle has no window and is left out. has_inspection: at least
-- one inspection of the circuit (站点编号 = 专线编号, by any contractor) inside it.
with

circuits as (

    select * from {{ ref('stg_eoms__circuits') }}

),

cycles as (

    select * from {{ ref('inspection_cycles') }}

),

months as (

    select * from {{ ref('int_months') }}

),

inspections as (

    select
        inspection_id,
        site_id,
        inspected_at,
        {{ to_date('inspected_at') }} as inspected_on
    from {{ ref('stg_eoms__inspections') }}

),

windows as (

    select
        months.month,
        circuits.circuit_id,
        circuits.contractor,
        circuits.prefecture,
        circuits.county,
        circuits.site_type,
        cycles.cycle_months,
        circuits.activated_on,
        circuits.removed_on,
        {{ add_months('months.month', '1 - cycles.cycle_months') }} as window_start_on,
        months.month_end_on as window_end_on
    from months
    cross join circuits
    inner join cycles
        on circuits.site_type = cycles.site_type

),

in_population as (

    select *
    from windows
    where
        activated_on <= window_start_on
        and (removed_on is null or removed_on > window_end_on)

),

visits as (

    select
        in_population.month,
        in_population.circuit_id,
        count(*) as inspection_count,
        max(inspections.inspected_at) as last_inspected_at
    from in_population
    inner join inspections
        on
            in_population.circuit_id = inspections.site_id
            and inspections.inspected_on between in_population.window_start_on and in_population.window_end_on
    group by in_population.month, in_population.circuit_id

),

final as (

    select
        in_population.*,
        coalesce(visits.inspection_count, 0) as inspection_count,
        visits.last_inspected_at,
        visits.circuit_id is not null as has_inspection
    from in_population
    left join visits
        on
            in_population.month = visits.month
            and in_population.circuit_id = visits.circuit_id

)

select * from final
