"""The dates a person enters about a plan, each within a window that makes sense for what it is.

A mistyped year (0026 for 2026) or a date from years ago must never reach a plan: a pause from
0026 would make a resume move every step 730,487 days later. The forms refuse a date outside its
window beside the field, naming the window; the plan and follow-up workflows check the same window
again, so no path skips it.

- a pause starts from the plan's first day to ``HORIZON_DAYS`` after today (and before the plan's
  end: there is nothing to pause after it);
- a resume is from the day the pause began (and the plan's first day) to ``HORIZON_DAYS`` after today;
- a check-in is from the plan's first day to today (a contact that happened);
- a plan's start date: ``engine.limits.check_start_date`` (a year before today to two years after).

``HORIZON_DAYS`` is the product's choice, not a guideline's: a pause or resume is decided for the
near term, and 4 weeks ahead is as far as one is arranged at a check-in (JCPG 2025 asks for a
check-in at each reduction, every 2-4 weeks); a longer change of pace is a hold or a re-plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from schedules.models import Plan, PlanVersion

HORIZON_DAYS = 28


class DateOutOfWindow(ValueError):
    """A date outside its window. ``str(error)`` names the window."""


def shown(day: dt.date) -> str:
    """ "1 Dec 0026": a four-digit year, so a mistyped one is plain to see."""
    return f"{day.day} {day:%b} {day.year:04d}"


@dataclass(frozen=True)
class DateWindow:
    """``earliest`` to ``latest`` inclusive, each with what it is (e.g. "the plan's first day")."""

    what: str
    earliest: dt.date
    earliest_is: str
    latest: dt.date
    latest_is: str

    @property
    def text(self) -> str:
        return f"from {shown(self.earliest)} ({self.earliest_is}) to {shown(self.latest)} ({self.latest_is})"

    def check(self, day: dt.date) -> dt.date:
        """``day`` if it lies in the window; else DateOutOfWindow naming the window."""
        if self.earliest > self.latest:
            raise DateOutOfWindow(
                f"{self.what} cannot be dated yet: {self.earliest_is} ({shown(self.earliest)}) is after "
                f"{self.latest_is} ({shown(self.latest)})."
            )
        if not self.earliest <= day <= self.latest:
            raise DateOutOfWindow(f"{self.what} is dated {self.text}, not {shown(day)}: check the year.")
        return day


def _horizon(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=HORIZON_DAYS)


def pause_window(version: PlanVersion, *, today: dt.date) -> DateWindow:
    horizon = _horizon(today)
    last_day = version.end_date - dt.timedelta(days=1)
    latest, latest_is = (
        (horizon, f"{HORIZON_DAYS // 7} weeks from today")
        if horizon < last_day
        else (last_day, "the plan's last day")
    )
    return DateWindow("A pause", version.start_date, "the plan's first day", latest, latest_is)


def resume_window(plan: Plan, version: PlanVersion, *, today: dt.date) -> DateWindow:
    paused_on = plan.paused_on or version.start_date
    earliest, earliest_is = (
        (paused_on, "the day the pause began")
        if paused_on >= version.start_date
        else (version.start_date, "the plan's first day")
    )
    return DateWindow(
        "A resume", earliest, earliest_is, _horizon(today), f"{HORIZON_DAYS // 7} weeks from today"
    )


def checkin_window(version: PlanVersion, *, today: dt.date) -> DateWindow:
    """Check-ins are recorded on a plan being followed (active or paused), whose life runs from its
    first day until it is completed or stopped: the final check-in often falls after its last step."""
    return DateWindow("A check-in", version.start_date, "the plan's first day", today, "today")
