{{ config(severity='warn') }}
-- Warns when an acceptance's documents deadline lies beyond seed work_calendar (its
-- deadline is then unknown and the documents count as late). Fix as for
-- assert_work_calendar_covers_data_months.
select
    acceptance_id,
    accepted_on,
    'no documents deadline for acceptance ' || acceptance_id
    || ': the work calendar ends before the 3rd working day after '
    || cast(accepted_on as {{ string_type() }}) as message
from {{ ref('int_acceptances_assessed') }}
where docs_deadline_on is null
