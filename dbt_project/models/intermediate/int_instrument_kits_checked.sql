-- One row per month × contractor × prefecture where the contractor has EOMS circuits
-- in service at month end (edge rule 11): which required instrument types (seed
-- required_instrument_types) it holds in that prefecture with status 正常 and
-- 校准有效期至 >= month end, and whether every type is covered. The instrument
-- register is current state and holds for every month.
with

areas as (

    select
        month,
        month_end_on,
        contractor,
        prefecture,
        count(*) as in_service_circuit_count
    from {{ ref('int_circuit_months_in_service') }}
    where contractor is not null and prefecture is not null
    group by month, month_end_on, contractor, prefecture

),

required_types as (

    select instrument_type from {{ ref('required_instrument_types') }}

),

instruments as (

    select *
    from {{ ref('stg_contractor__instruments') }}
    where {{ in_value_set('instrument_status', 'instrument_usable_status') }}

),

usable as (

    select
        areas.month,
        areas.contractor,
        areas.prefecture,
        instruments.instrument_type,
        count(*) as usable_count
    from areas
    inner join instruments
        on
            areas.contractor = instruments.contractor
            and areas.prefecture = instruments.prefecture
            and areas.month_end_on <= instruments.calibration_due_on
    group by areas.month, areas.contractor, areas.prefecture, instruments.instrument_type

),

checked as (

    select
        areas.month,
        areas.contractor,
        areas.prefecture,
        required_types.instrument_type,
        usable.usable_count is not null as is_covered
    from areas
    cross join required_types
    left join usable
        on
            areas.month = usable.month
            and areas.contractor = usable.contractor
            and areas.prefecture = usable.prefecture
            and required_types.instrument_type = usable.instrument_type

),

summarised as (

    select
        month,
        contractor,
        prefecture,
        count(*) as required_type_count,
        sum(case when is_covered then 1 else 0 end) as covered_type_count,
        {{ string_agg_sorted('case when is_covered then null else instrument_type end', ', ') }}
            as missing_instrument_types
    from checked
    group by month, contractor, prefecture

),

final as (

    select
        areas.month,
        areas.contractor,
        areas.prefecture,
        areas.in_service_circuit_count,
        coalesce(summarised.required_type_count, 0) as required_type_count,
        coalesce(summarised.covered_type_count, 0) as covered_type_count,
        summarised.missing_instrument_types,
        coalesce(summarised.covered_type_count, 0) = coalesce(summarised.required_type_count, 0) as is_covered
    from areas
    left join summarised
        on
            areas.month = summarised.month
            and areas.contractor = summarised.contractor
            and areas.prefecture = summarised.prefecture

)

select * from final
