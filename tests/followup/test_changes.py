"""What a decision moved, from two schedule dicts."""

from __future__ import annotations

import datetime as dt

from followup.changes import date_changes


def schedule(*steps: tuple[str, float], end: str) -> dict[str, object]:
    return {
        "steps": [
            {"start_date": start, "hold": False, "doses": [{"drug": "diazepam", "slot": "night", "mg": mg}]}
            for start, mg in steps
        ],
        "end_date": end,
    }


def test_a_hold_moves_the_next_change_and_the_end() -> None:
    before = schedule(("2027-01-01", 10), ("2027-01-15", 9), end="2027-02-01")
    after = schedule(("2027-01-01", 10), ("2027-01-15", 10), ("2027-01-29", 9), end="2027-02-15")
    changes = date_changes(before, after, on=dt.date(2027, 1, 10))
    assert [(c.what, c.before, c.after) for c in changes] == [
        ("Next change of dose", dt.date(2027, 1, 15), dt.date(2027, 1, 29)),
        ("End of the plan", dt.date(2027, 2, 1), dt.date(2027, 2, 15)),
    ]
    assert all(change.changed for change in changes)


def test_after_the_last_step_the_next_change_is_the_end() -> None:
    plan = schedule(("2027-01-01", 10), end="2027-01-15")
    assert date_changes(plan, plan, on=dt.date(2027, 1, 5))[0].after == dt.date(2027, 1, 15)
    assert not date_changes(plan, plan, on=dt.date(2027, 1, 5))[0].changed
