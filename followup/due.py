"""When a plan's next check-in and its next risk-and-benefit review are due. Pure Python, no Django;
"today" is always passed in.

Sources (quoted in followup/guidance.py): JCPG 2025 Recommendation 9 (evaluate at each dose
reduction), Recommendation 1 (risks and benefits at least every 3 months) and Key Takeaway 1a (more
frequent assessments with opioid co-use or a substance use disorder). The guideline gives no shorter
interval, so with opioid or other CNS-depressant co-use the review is due at the next check-in when that
comes before 3 months.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum

# JCPG 2025 Recommendation 1: "at least every 3 months".
REVIEW_INTERVAL_MONTHS = 3
# "Due this week": today and the six days after it.
WEEK_DAYS = 7


class Cadence(StrEnum):
    EACH_STEP = "each_step"
    EVERY_WEEKS = "every_weeks"


class DueState(StrEnum):
    OVERDUE = "overdue"
    THIS_WEEK = "this week"
    LATER = "later"


def add_months(day: date, months: int) -> date:
    """The same day of the month, months later (the last day of a shorter month)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_checkin_date(
    *,
    change_days: Sequence[date],
    plan_end: date | None,
    plan_start: date,
    last_checkin: date | None,
    cadence: Cadence,
    every_weeks: int | None = None,
) -> date | None:
    """The next check-in date, or None when the plan has no change left to check on.

    At each reduction: each day after the start on which the dose changes (``change_days``, from
    schedules.plans.today: a hold's first day is not one), and the plan's end date (the first day on
    which nothing is taken), whichever comes first after the last check-in. Every N weeks:
    N weeks after the last check-in, or after the start when there has been none.
    """
    if cadence == Cadence.EVERY_WEEKS:
        if not every_weeks or every_weeks < 1:
            raise ValueError("A check-in every N weeks needs N of at least 1.")
        return (last_checkin or plan_start) + timedelta(weeks=every_weeks)
    changes = sorted({*change_days, *([plan_end] if plan_end else [])})
    for change in changes:
        if last_checkin is None or change > last_checkin:
            return change
    return None


def next_review_date(*, last_review: date, co_use: bool, next_checkin: date | None) -> date:
    """At least every 3 months; sooner, at the next check-in, with opioid or CNS-depressant co-use."""
    due = add_months(last_review, REVIEW_INTERVAL_MONTHS)
    if co_use and next_checkin is not None:
        due = min(due, next_checkin)
    return due


def due_state(*, due: date, today: date) -> DueState:
    if due < today:
        return DueState.OVERDUE
    if due < today + timedelta(days=WEEK_DAYS):
        return DueState.THIS_WEEK
    return DueState.LATER
