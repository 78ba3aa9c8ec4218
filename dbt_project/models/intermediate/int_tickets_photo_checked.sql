-- One row per ticket in the photo population (the same as the form population:
-- a ticket type of seed form_items with status 已归档). 现场照片 is split on `;`,
-- each entry trimmed, and compared as a set with seed photo_kinds; unknown kinds
-- are ignored (kpis.md edge rule 6).
-- An accepted photo appeal counts its one photo kind as delivered (access.md); the
-- *_before columns keep the outcome as measured.
-- Incremental on ticket_id (macros/incremental.sql): a run checks only the tickets with a
-- newer row, an appeal ruling now or before, or all of them when a rule seed changed.
{{ ticket_incremental_config() }}
{% set fingerprint = rules_fingerprint(['photo_kinds', 'form_items', 'kpi_value_sets']) %}
with

photo_kinds as (

    select * from {{ ref('photo_kinds') }}

),

rulings as (

    -- accepted photo appeals name one photo kind
    {{ accepted_rulings('photo') }}

),

tickets as (

    {{ form_population_batch(
        fingerprint,
        "kept.missing_photo_count = kept.missing_photo_count_before"
            ~ " and coalesce(kept.missing_photo_kinds, '') = coalesce(kept.missing_photo_kinds_before, '')"
    ) }}

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
        delivered.photo_kind is not null as is_delivered_before,
        delivered.photo_kind is not null or rulings.ticket_id is not null as is_delivered,
        case
            when delivered.photo_kind is null and rulings.ticket_id is null
                then cast(photo_kinds.photo_no as {{ string_type() }}) || ' ' || photo_kinds.photo_kind
        end as missing_photo_label,
        case
            when delivered.photo_kind is null
                then cast(photo_kinds.photo_no as {{ string_type() }}) || ' ' || photo_kinds.photo_kind
        end as missing_photo_label_before
    from tickets
    cross join photo_kinds
    left join delivered
        on
            tickets.ticket_id = delivered.ticket_id
            and photo_kinds.photo_kind = delivered.photo_kind
    left join rulings
        on
            tickets.ticket_id = rulings.ticket_id
            and tickets.contractor = rulings.contractor
            and photo_kinds.photo_kind = rulings.item

),

counted as (

    select
        ticket_id,
        count(*) as required_photo_count,
        sum(case when is_delivered_before then 1 else 0 end) as delivered_photo_count,
        sum(case when is_delivered then 0 else 1 end) as missing_photo_count,
        sum(case when is_delivered_before then 0 else 1 end) as missing_photo_count_before,
        {{ string_agg_sorted('missing_photo_label', '; ') }} as missing_photo_kinds,
        {{ string_agg_sorted('missing_photo_label_before', '; ') }} as missing_photo_kinds_before
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
        counted.missing_photo_count = 0 as is_photo_complete,
        counted.missing_photo_count_before,
        counted.missing_photo_kinds_before,
        counted.missing_photo_count_before = 0 as is_photo_complete_before,
        tickets.load_seq as ticket_version,
        {{ fingerprint }} as rules_fingerprint
    from tickets
    inner join counted
        on tickets.ticket_id = counted.ticket_id

)

select * from final
