"""What a decision moved, in words a clinician checks at a glance: the next change after the
check-in and the end of the plan, before and after. Pure Python on schedule dicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from schedules.plans.today import next_change


@dataclass(frozen=True)
class DateChange:
    what: str
    before: dt.date | None
    after: dt.date | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _next_start(schedule: Mapping[str, Any], after: dt.date) -> dt.date | None:
    """The first day after ``after`` on which the dose changes (a hold is no change), else the end."""
    change = next_change(schedule["steps"], after)
    if change is not None:
        return dt.date.fromisoformat(change["start_date"])
    end = dt.date.fromisoformat(schedule["end_date"])
    return end if end > after and schedule.get("steps") else None


def date_changes(before: Mapping[str, Any], after: Mapping[str, Any], *, on: dt.date) -> list[DateChange]:
    """The next step after ``on`` and the plan's end date, in the old and the new schedule."""
    return [
        DateChange("Next change of dose", _next_start(before, on), _next_start(after, on)),
        DateChange(
            "End of the plan",
            dt.date.fromisoformat(before["end_date"]),
            dt.date.fromisoformat(after["end_date"]),
        ),
    ]
