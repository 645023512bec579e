"""What to dispense for each prescription period.

Periods run back to back from the schedule's start (the last one is cut short at the end).
Within a period the pieces of each solid formulation are added up exactly, then rounded up once
to whole units (two half tablets a day for 28 days is 28 tablets, not 56); liquids are totalled
in mL.

Units (0.25, 0.5, 1.5 tablets) and volumes (1.2 mL) are short decimals, so the sums are done in
Decimal under a context that traps any inexact result: exact, and much faster than Fraction.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Context, Decimal, Inexact, localcontext
from fractions import Fraction

from .doses import to_decimal
from .schedule import DispensingItem, DispensingPeriod, Step
from .types import EngineError, Formulation

# Exact or an error: a total that Decimal could not hold exactly raises rather than rounds.
EXACT = Context(prec=60, traps=[Inexact])


def dispense(
    *, steps: Sequence[Step], start: dt.date, end: dt.date, period_days: int
) -> tuple[DispensingPeriod, ...]:
    """Dispensing periods of ``period_days`` covering ``start`` up to (not including) ``end``."""
    if period_days < 1:
        raise EngineError(f"the prescription period must be at least 1 day, not {period_days}")
    with localcontext(EXACT):
        return _periods(steps=steps, start=start, end=end, period_days=period_days)


def _periods(
    *, steps: Sequence[Step], start: dt.date, end: dt.date, period_days: int
) -> tuple[DispensingPeriod, ...]:
    daily = [_daily_amounts(step) for step in steps]
    periods = []
    first = start
    index = 0  # the first step that may overlap this period
    while first < end:
        last = min(first + dt.timedelta(days=period_days - 1), end - dt.timedelta(days=1))
        totals: dict[tuple[str, Formulation], Decimal] = {}
        while index < len(steps) and steps[index].end_date < first:
            index += 1
        for step, amounts in zip(steps[index:], daily[index:], strict=True):
            if step.start_date > last:
                break
            days = (min(step.end_date, last) - max(step.start_date, first)).days + 1
            for key, amount in amounts.items():
                totals[key] = totals.get(key, ZERO) + amount * days
        ordered = sorted(totals.items(), key=lambda item: _item_order(*item[0]))
        items = tuple(_item(drug, formulation, total) for (drug, formulation), total in ordered)
        periods.append(DispensingPeriod(first, last, items))
        first = last + dt.timedelta(days=1)
    return tuple(periods)


ZERO = Decimal(0)


def _daily_amounts(step: Step) -> dict[tuple[str, Formulation], Decimal]:
    """Units (or mL) of each formulation taken on one day of ``step``."""
    amounts: dict[tuple[str, Formulation], Decimal] = {}
    for dose in step.doses:
        for unit in dose.units:
            amount = unit.volume_ml if unit.formulation.is_liquid else unit.count
            assert amount is not None
            key = (dose.drug, unit.formulation)
            amounts[key] = amounts.get(key, ZERO) + Decimal(amount)
    return amounts


def _item(drug: str, formulation: Formulation, total: Decimal) -> DispensingItem:
    if formulation.is_liquid:
        # As an exact fraction's decimal form, as the step doses are written (28, not 28.0).
        return DispensingItem(drug=drug, formulation=formulation, volume_ml=to_decimal(Fraction(total)))
    return DispensingItem(drug=drug, formulation=formulation, quantity=math.ceil(total))


def _item_order(drug: str, formulation: Formulation) -> tuple[str, bool, str, Decimal]:
    return (drug, bool(formulation.is_liquid), formulation.form, formulation.strength_mg)
