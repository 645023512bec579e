"""Clinical bounds on a plan's inputs: what a taper can sensibly be asked for.

Every bound is checked in the engine (EngineError, one line) so the command line and the web
refuse the same things. The bounds are the product's, set from the guidelines' paces:

- days between reductions: 1-84. The slowest guideline pace is every 4 weeks (JCPG 2025
  algorithm: "5-10% every 2-4 weeks"); 84 days (12 weeks, three times that) leaves room for a
  deliberately slow taper while refusing an interval that would end in another century.
- days per switch stage: 1-28. JCPG 2025 Table 7 text: transition "over 1-2 weeks rather than
  1-2 days"; NHS Scotland: review 5-7 days after a switch; 28 days is twice the longest of these.
- prescription period: 1-90 days (a quarter: the longest supply the product dispenses at once).
- a single held or edited step: 1-365 days.
- start date: from a year before today (a taper already under way, recorded late) to two years
  after it.
"""

from __future__ import annotations

import datetime as dt

from .types import MAX_SWITCH_STAGE_DAYS as MAX_SWITCH_STAGE_DAYS
from .types import EngineError

MAX_INTERVAL_DAYS = 84
MAX_PERIOD_DAYS = 90
MAX_STEP_DAYS = 365
START_DAYS_BEFORE_TODAY = 365
START_DAYS_AFTER_TODAY = 730


def check_days(value: int, *, what: str, most: int, least: int = 1) -> None:
    """Raise unless ``least <= value <= most`` (whole days)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise EngineError(f"{what} must be a whole number of days, not {value!r}")
    if value < least:
        raise EngineError(f"{what} must be at least {least} day{'s' if least != 1 else ''}, not {value}")
    if value > most:
        raise EngineError(f"{what} must be at most {most} days, not {value}")


def check_start_date(start: dt.date, *, today: dt.date) -> None:
    """Raise unless ``start`` lies from a year before ``today`` to two years after it."""
    earliest = today - dt.timedelta(days=START_DAYS_BEFORE_TODAY)
    latest = today + dt.timedelta(days=START_DAYS_AFTER_TODAY)
    if not earliest <= start <= latest:
        raise EngineError(
            f"the start date {start.isoformat()} must lie between {earliest.isoformat()} "
            f"and {latest.isoformat()} (a year before today to two years after)"
        )
