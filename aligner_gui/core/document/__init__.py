"""The editable alignment: tiers, reversible edits and their invariants."""
