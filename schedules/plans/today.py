"""What a plan version says for a given day: the step being taken, the next step and the next
change of dose.

A hold is not a dose change: "next change" everywhere (the plan and patient pages, the dashboard,
the dose journal, the calendar, check-ins at each reduction) means the next step whose doses
differ from the step before it; ``schedules.plans.steps.changes_dose`` is the one test of that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from schedules import engine
from schedules.engine.serialize import request_from_dict, steps_from_list
from schedules.models import PlanVersion
from schedules.plans.steps import Step, changes_dose, dose_changes


def schedule_of(version: PlanVersion) -> engine.Schedule:
    """The version's schedule rebuilt from its frozen request and steps (no table is read)."""
    return engine.validate_schedule(
        request=request_from_dict(version.request), steps=steps_from_list(version.steps)
    )


def current_step(version: PlanVersion, today: dt.date) -> dict[str, Any] | None:
    """The step (as in ``version.schedule``) in force on ``today``; None before and after."""
    day = today.isoformat()
    for step in version.schedule["steps"]:
        if step["start_date"] <= day <= step["end_date"]:
            return dict(step)
    return None


def with_changes(steps: Sequence[Step]) -> Iterable[tuple[Step, bool]]:
    """Each step with whether it changes the dose (``steps.changes_dose``)."""
    previous = None
    for step in steps:
        yield step, changes_dose(step, previous)
        previous = step


def next_change(steps: Sequence[Step], today: dt.date) -> dict[str, Any] | None:
    """The first step starting after ``today`` whose doses differ from the step before it."""
    day = today.isoformat()
    return next((dict(step) for step in dose_changes(steps) if step["start_date"] > day), None)


def next_hold(steps: Sequence[Step], today: dt.date) -> dict[str, Any] | None:
    """The next step after ``today`` when it keeps the dose (a hold, or the same doses), else None."""
    day = today.isoformat()
    upcoming = next(
        ((step, changes) for step, changes in with_changes(steps) if step["start_date"] > day), None
    )
    return dict(upcoming[0]) if upcoming is not None and not upcoming[1] else None


def change_days(steps: Sequence[Step]) -> list[dt.date]:
    """The days after the first on which the dose changes (a hold's first day is not one)."""
    first = steps[0] if steps else None
    return [dt.date.fromisoformat(step["start_date"]) for step in dose_changes(steps) if step is not first]
