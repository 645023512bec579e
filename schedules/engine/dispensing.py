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
from decimal import Decimal, localcontext

from .schedule import DispensingItem, DispensingPeriod, Step, made
from .types import EXACT, EngineError, Formulation


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
    keys: list[tuple[str, Formulation]] = []
    daily = _daily_amounts(steps, keys)
    # Items in the order people read them: drug, tablets before liquids, form, strength.
    rank = {
        index: position
        for position, index in enumerate(sorted(range(len(keys)), key=lambda i: _item_order(*keys[i])))
    }
    # Days as ordinals: whole numbers are quicker to compare than dates.
    spans = [(step.start_date.toordinal(), step.end_date.toordinal()) for step in steps]
    periods = []
    first, stop = start.toordinal(), end.toordinal()
    index = 0  # the first step that may overlap this period
    items_made: dict[tuple[int, Decimal], DispensingItem] = {}
    while first < stop:
        last = min(first + period_days - 1, stop - 1)
        totals: dict[int, Decimal] = {}
        while index < len(spans) and spans[index][1] < first:
            index += 1
        for overlapping in range(index, len(spans)):
            step_start, step_end = spans[overlapping]
            if step_start > last:
                break
            days = min(step_end, last) - max(step_start, first) + 1
            for key, amount in daily[overlapping]:
                totals[key] = totals.get(key, ZERO) + amount * days
        items = []
        for key in sorted(totals, key=rank.__getitem__):
            total = totals[key]
            # The same item recurs while the doses stay: made once.
            item = items_made.get((key, total))
            if item is None:
                item = items_made[key, total] = _item(*keys[key], total)
            items.append(item)
        periods.append(
            made(
                DispensingPeriod,
                start_date=dt.date.fromordinal(first),
                end_date=dt.date.fromordinal(last),
                items=tuple(items),
            )
        )
        first = last + 1
    return tuple(periods)


ZERO = Decimal(0)


def _daily_amounts(
    steps: Sequence[Step], keys: list[tuple[str, Formulation]]
) -> list[list[tuple[int, Decimal]]]:
    """For each step, the units (or mL) of each formulation taken on one of its days, keyed by
    position in ``keys`` (each (drug, formulation) once, added as met)."""
    indexes: dict[tuple[str, Formulation], int] = {}
    # A plan's units share a few Formulation objects: each is compared by value once.
    by_object: dict[tuple[str, int], int] = {}
    # A dose kept from one step to the next is the same object: its amounts are worked out once.
    by_dose: dict[int, list[tuple[int, Decimal]]] = {}
    daily = []
    for step in steps:
        amounts: dict[int, Decimal] = {}
        for dose in step.doses:
            parts = by_dose.get(id(dose))
            if parts is None:
                parts = by_dose[id(dose)] = []
                for unit in dose.units:
                    formulation = unit.formulation
                    key = by_object.get((dose.drug, id(formulation)))
                    if key is None:
                        key = indexes.setdefault((dose.drug, formulation), len(indexes))
                        if key == len(keys):
                            keys.append((dose.drug, formulation))
                        by_object[dose.drug, id(formulation)] = key
                    amount = unit.volume_ml if formulation.is_liquid else unit.count
                    assert amount is not None
                    parts.append((key, amount))
            for key, amount in parts:
                amounts[key] = amounts.get(key, ZERO) + amount
        daily.append(list(amounts.items()))
    return daily


def _item(drug: str, formulation: Formulation, total: Decimal) -> DispensingItem:
    if formulation.is_liquid:
        # As an exact fraction's decimal form, as the step doses are written (28, not 28.0).
        return made(
            DispensingItem, drug=drug, formulation=formulation, quantity=None, volume_ml=_plain(total)
        )
    return made(DispensingItem, drug=drug, formulation=formulation, quantity=math.ceil(total), volume_ml=None)


def _plain(total: Decimal) -> Decimal:
    """``total`` written as ``to_decimal`` writes an exact fraction: a whole number without a
    decimal point, anything else without trailing zeros."""
    whole = total.to_integral_value()
    return Decimal(int(whole)) if whole == total else total.normalize()


def _item_order(drug: str, formulation: Formulation) -> tuple[str, bool, str, Decimal]:
    return (drug, bool(formulation.is_liquid), formulation.form, formulation.strength_mg)
