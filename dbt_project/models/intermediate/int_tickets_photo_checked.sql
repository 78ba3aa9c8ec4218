-- One row per ticket in the photo population (the same as the form population:
-- a ticket type of seed form_items with status 已归档). 现场照片 is split on `;`,
-- each entry trimmed, and compared as a set with seed photo_kinds; unknown kinds
-- are ignored (kpis.md edge rule 6).
with

photo_kinds as (

    select * from {{ ref('photo_kinds') }}

),

tickets as (

    select *
    from {{ ref('stg_eoms__tickets') }}
    where
        {{ in_value_set('ticket_status', 'form_population_status') }}
        and ticket_type in (select fi.ticket_type from {{ ref('form_items') }} as fi)
        and not {{ is_cancelled_ticket('ticket_status') }}

),

entries as (

    select
        ticket_id,
        {{ unnest_list(split_to_list('photos', ';')) }} as photo_entry
    from tickets
    where photos is not null

),

delivered as (

    select distinct
        entries.ticket_id,
        photo_kinds.photo_kind
    from entries
    inner join photo_kinds
        on {{ trim_text('entries.photo_entry') }} = photo_kinds.photo_kind

),

expected as (

    select
        tickets.ticket_id,
        photo_kinds.photo_kind,
        photo_kinds.photo_no,
        delivered.photo_kind is not null as is_delivered,
        case
            when delivered.photo_kind is null
                then cast(photo_kinds.photo_no as varchar) || ' ' || photo_kinds.photo_kind
        end as missing_photo_label
    from tickets
    cross join photo_kinds
    left join delivered
        on
            tickets.ticket_id = delivered.ticket_id
            and photo_kinds.photo_kind = delivered.photo_kind

),

counted as (

    select
        ticket_id,
        count(*) as required_photo_count,
        sum(case when is_delivered then 1 else 0 end) as delivered_photo_count,
        sum(case when is_delivered then 0 else 1 end) as missing_photo_count,
        {{ string_agg_sorted('missing_photo_label', '; ') }} as missing_photo_kinds
    from expected
    group by ticket_id

),

final as (

    select
        tickets.ticket_id,
        tickets.ticket_type,
        tickets.technician_id,
        {{ month_of('tickets.dispatched_at') }} as month,
        tickets.contractor,
        tickets.prefecture,
        tickets.photos,
        counted.required_photo_count,
        counted.delivered_photo_count,
        counted.missing_photo_count,
        counted.missing_photo_kinds,
        counted.missing_photo_count = 0 as is_photo_complete
    from tickets
    inner join counted
        on tickets.ticket_id = counted.ticket_id

)

select * from final
