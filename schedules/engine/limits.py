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
- the oral syringe's graduation: 0.01-1 mL (oral syringes are graduated in 0.01 mL at the finest,
  for a 1 mL syringe, and a graduation coarser than 1 mL measures no top-up worth the name); the
  most liquid in one dose: 1-30 mL (10 mL by default, issue 8; 30 mL, two tablespoons, is the most
  a clinic may allow). The web form and the command line refuse the same (issue 14).
- a fixed step (linear method) and a target daily dose: from 0.001 mg (a microgram, the finest
  dose the product records) to 100 mg a step and 300 mg a day (the regimen's own bound per time
  of day); the last dose before stopping: 0.05-1 mg diazepam-equivalent (see
  ``schedule.MIN_LAST_DOSE_DE_MG``).
- start date: from a year before today (a taper already under way, recorded late) to two years
  after it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .types import MAX_SWITCH_STAGE_DAYS as MAX_SWITCH_STAGE_DAYS
from .types import EngineError, as_decimal, format_mg

MIN_DOSE_MG = Decimal("0.001")
MAX_STEP_MG = Decimal(100)
MAX_TARGET_MG = Decimal(300)
MIN_LIQUID_STEP_ML = Decimal("0.01")
MAX_LIQUID_STEP_ML = Decimal(1)
MIN_MAX_LIQUID_ML = Decimal(1)
MAX_MAX_LIQUID_ML = Decimal(30)
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


def check_liquid_measures(*, step_ml: Decimal, max_ml: Decimal) -> None:
    """Raise unless the syringe's graduation and the most liquid in one dose lie within their
    bounds (see the module docstring)."""
    check_mg(
        step_ml,
        what="the oral syringe graduation",
        least=MIN_LIQUID_STEP_ML,
        most=MAX_LIQUID_STEP_ML,
        unit="mL",
    )
    check_mg(
        max_ml, what="the most liquid in one dose", least=MIN_MAX_LIQUID_ML, most=MAX_MAX_LIQUID_ML, unit="mL"
    )


def check_mg(value: Decimal, *, what: str, least: Decimal, most: Decimal, unit: str = "mg") -> Decimal:
    """``value`` as an exact Decimal; raise unless ``least <= value <= most``."""
    number = as_decimal(value, what=what)
    if not least <= number <= most:
        shown = format_mg(number) if abs(number) < 10**6 else f"{number:g}"
        raise EngineError(
            f"{what} must be from {format_mg(least)} to {format_mg(most)} {unit}, not {shown} {unit}"
        )
    return number
