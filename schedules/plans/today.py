"""What a plan version says for a given day: the step being taken and the next one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from schedules import engine
from schedules.engine.serialize import request_from_dict, steps_from_list
from schedules.models import PlanVersion


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


def next_step(version: PlanVersion, today: dt.date) -> dict[str, Any] | None:
    """The first step starting after ``today``, or None."""
    day = today.isoformat()
    return next((step for step in version.schedule["steps"] if step["start_date"] > day), None)
