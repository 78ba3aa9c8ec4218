-- The penalty items as they were before any accepted appeal (access.md): the same rule
-- as int_penalty_items_traced (macro penalty_items), on the outcomes as measured. Only
-- the adjustments mart reads it, to show each adjusted figure's value before appeals.
{{ penalty_items('_before') }}
