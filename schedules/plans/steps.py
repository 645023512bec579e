"""A saved schedule's steps as rows (PlanStep), the one definition of a dose change, and the drug
and method a version is grouped by (PlanVersion.drug and .method).

Pure functions of a version's ``schedule`` (``engine.schedule_to_dict``): the plan workflow writes
their rows with each version, and the data migration that filled the rows of older versions uses
the same function, so both say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from schedules import engine
from schedules.engine.serialize import request_from_dict

Step = Mapping[str, Any]


def dose_signature(step: Step) -> frozenset[tuple[str, str, float]]:
    """What is taken each day: drug, time of day and mg of each dose."""
    return frozenset((dose["drug"], dose["slot"], dose["mg"]) for dose in step["doses"])


def changes_dose(step: Step, previous: Step | None) -> bool:
    """A step changes the dose when its doses differ from the step before it: a hold keeps the
    dose, so it is no change; step 1 is a change unless it is a hold (of the starting regimen). A
    step back (plans.actions.step_back) is marked held but gives the earlier, larger dose: a change."""
    if previous is None:
        return not step["hold"]
    return dose_signature(step) != dose_signature(previous)


def dose_changes(steps: Sequence[Step]) -> list[Step]:
    """The steps of a schedule that change the dose, in order."""
    return [
        step for index, step in enumerate(steps) if changes_dose(step, steps[index - 1] if index else None)
    ]


def step_rows(schedule: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    """The field values of each step's PlanStep row (without the version)."""
    previous: Step | None = None
    for step in schedule["steps"]:
        yield {
            "number": step["number"],
            "start_date": dt.date.fromisoformat(step["start_date"]),
            "end_date": dt.date.fromisoformat(step["end_date"]),
            "hold": step["hold"],
            "changes_dose": changes_dose(step, previous),
            # The JSON holds floats of the engine's exact Decimals; str() gives them back digit for digit.
            "diazepam_mg": Decimal(str(step["diazepam_equivalent_mg"])),
            "doses": step["doses"],
        }
        previous = step


def next_dose_change(schedule: Mapping[str, Any], after: dt.date) -> dt.date | None:
    """The start of the first dose-changing step after ``after``, or None."""
    day = after.isoformat()
    return next(
        (
            dt.date.fromisoformat(s["start_date"])
            for s in dose_changes(schedule["steps"])
            if s["start_date"] > day
        ),
        None,
    )


def taper_labels(request: Mapping[str, Any]) -> tuple[str, str]:
    """The drug and the method a saved request (``request_to_dict``) is grouped by on the Outcomes
    page: the drugs taken at the start, and the preset or method with its interval (and the drug
    switched to, if any)."""
    planned = request_from_dict(request)
    drug = " and ".join(sorted({item.drug for item in planned.regimen}))
    method = engine.method_label(method=planned.method, interval_days=planned.interval_days)
    if planned.switch is not None:
        method += f", switched to {planned.switch.to_drug}"
    return drug, method
