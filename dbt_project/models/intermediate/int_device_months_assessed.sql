-- One row per device × month with at least one sample: the monthly means and the
-- ping loss over samples of the assessed size, and whether the device was healthy
-- (seed health_thresholds: mean CPU < 50, mean memory < 60, Σ lost / Σ sent < 1/1000
-- over 1472-byte pings with Σ sent > 0; no such pings = not healthy). Sums are exact
-- DECIMALs, summed from int_device_months_aggregated (the per-month sums of the
-- 100 M-row sample table, built incrementally). The circuit is the one of the
-- device's latest sample that names one; the contractor and prefecture come from
-- that circuit in EOMS (NULL when it is not there: province grain only, edge rule 10).
with

thresholds as (

    select
        max(case when metric = 'cpu_mean_pct' then threshold end) as cpu_mean_pct_max,
        max(case when metric = 'mem_mean_pct' then threshold end) as mem_mean_pct_max,
        max(case when metric = 'ping_loss_ratio' then threshold end) as ping_loss_ratio_max,
        max(case when metric = 'ping_size_bytes' then threshold end) as ping_size_bytes
    from {{ ref('health_thresholds') }}

),

device_months as (

    select
        aggregated.device_id,
        aggregated.month,
        sum(aggregated.sample_count) as sample_count,
        {{ value_by_latest('aggregated.latest_circuit_id', 'aggregated.latest_circuit_at') }} as circuit_id,
        sum(aggregated.cpu_pct_sum) as cpu_pct_sum,
        sum(aggregated.cpu_sample_count) as cpu_sample_count,
        sum(aggregated.mem_pct_sum) as mem_pct_sum,
        sum(aggregated.mem_sample_count) as mem_sample_count,
        sum(
            case when aggregated.ping_size_bytes = thresholds.ping_size_bytes then aggregated.sample_count else 0 end
        ) as assessed_ping_sample_count,
        coalesce(
            sum(case when aggregated.ping_size_bytes = thresholds.ping_size_bytes then aggregated.pings_sent end), 0
        ) as assessed_pings_sent,
        coalesce(
            sum(case when aggregated.ping_size_bytes = thresholds.ping_size_bytes then aggregated.pings_lost end), 0
        ) as assessed_pings_lost
    from {{ ref('int_device_months_aggregated') }} as aggregated
    cross join thresholds
    group by aggregated.device_id, aggregated.month

),

final as (

    select
        device_months.device_id,
        device_months.month,
        device_months.circuit_id,
        circuits.contractor,
        circuits.prefecture,
        device_months.sample_count,
        device_months.cpu_sample_count,
        device_months.mem_sample_count,
        cast(device_months.cpu_pct_sum as double) / nullif(device_months.cpu_sample_count, 0) as cpu_mean_pct,
        cast(device_months.mem_pct_sum as double) / nullif(device_months.mem_sample_count, 0) as mem_mean_pct,
        device_months.assessed_ping_sample_count,
        device_months.assessed_pings_sent,
        device_months.assessed_pings_lost,
        coalesce(device_months.cpu_pct_sum < thresholds.cpu_mean_pct_max * device_months.cpu_sample_count, false)
            as is_cpu_healthy,
        coalesce(device_months.mem_pct_sum < thresholds.mem_mean_pct_max * device_months.mem_sample_count, false)
            as is_mem_healthy,
        coalesce(
            device_months.assessed_pings_sent > 0
            and device_months.assessed_pings_lost
            < thresholds.ping_loss_ratio_max * device_months.assessed_pings_sent,
            false
        ) as is_loss_healthy,
        circuits.circuit_id is not null as is_circuit_in_eoms
    from device_months
    cross join thresholds
    left join {{ ref('stg_eoms__circuits') }} as circuits
        on device_months.circuit_id = circuits.circuit_id

),

assessed as (

    select
        *,
        is_cpu_healthy and is_mem_healthy and is_loss_healthy as is_healthy
    from final

)

select * from assessed
