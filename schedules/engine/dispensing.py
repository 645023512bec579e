"""What to dispense for each prescription period.

Periods run back to back from the schedule's start (the last one is cut short at the end).
Within a period the pieces of each solid formulation are added up exactly, then rounded up once
to whole units (two half tablets a day for 28 days is 28 tablets, not 56); liquids are totalled
in mL.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from fractions import Fraction

from .doses import to_decimal
from .schedule import DispensingItem, DispensingPeriod, Step
from .types import EngineError, Formulation


def dispense(
    *, steps: Sequence[Step], start: dt.date, end: dt.date, period_days: int
) -> tuple[DispensingPeriod, ...]:
    """Dispensing periods of ``period_days`` covering ``start`` up to (not including) ``end``."""
    if period_days < 1:
        raise EngineError(f"the prescription period must be at least 1 day, not {period_days}")
    daily = [_daily_amounts(step) for step in steps]
    periods = []
    first = start
    index = 0  # the first step that may overlap this period
    while first < end:
        last = min(first + dt.timedelta(days=period_days - 1), end - dt.timedelta(days=1))
        totals: dict[tuple[str, Formulation], Fraction] = {}
        while index < len(steps) and steps[index].end_date < first:
            index += 1
        for step, amounts in zip(steps[index:], daily[index:], strict=True):
            if step.start_date > last:
                break
            days = (min(step.end_date, last) - max(step.start_date, first)).days + 1
            for key, amount in amounts.items():
                totals[key] = totals.get(key, Fraction(0)) + amount * days
        ordered = sorted(totals.items(), key=lambda item: _item_order(*item[0]))
        items = tuple(_item(drug, formulation, total) for (drug, formulation), total in ordered)
        periods.append(DispensingPeriod(first, last, items))
        first = last + dt.timedelta(days=1)
    return tuple(periods)


def _daily_amounts(step: Step) -> dict[tuple[str, Formulation], Fraction]:
    """Units (or mL) of each formulation taken on one day of ``step``."""
    amounts: dict[tuple[str, Formulation], Fraction] = {}
    for dose in step.doses:
        for unit in dose.units:
            amount = unit.volume_ml if unit.formulation.is_liquid else unit.count
            assert amount is not None
            key = (dose.drug, unit.formulation)
            amounts[key] = amounts.get(key, Fraction(0)) + Fraction(amount)
    return amounts


def _item(drug: str, formulation: Formulation, total: Fraction) -> DispensingItem:
    if formulation.is_liquid:
        return DispensingItem(drug=drug, formulation=formulation, volume_ml=to_decimal(total))
    return DispensingItem(drug=drug, formulation=formulation, quantity=math.ceil(total))


def _item_order(drug: str, formulation: Formulation) -> tuple[str, bool, str, Fraction]:
    return (drug, bool(formulation.is_liquid), formulation.form, Fraction(formulation.strength_mg))
