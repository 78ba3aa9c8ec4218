-- Accepted appeals (申诉) only: each makes one ticket compliant on one rule (access.md).
-- A pending or rejected appeal changes nothing, so it does not reach the models.
-- The item of a form_item / photo appeal is matched on the item's code or its Chinese
-- name (form items) and on the photo kind.
with

appeals as (

    select * from {{ source('appdb', 'appeals') }}

),

final as (

    select
        cast(appeal_id as bigint) as appeal_id,
        month,
        ticket_id,
        contractor,
        rule,
        nullif(trim(coalesce(item, '')), '') as item
    from appeals
    where state = 'accepted'

)

select * from final
