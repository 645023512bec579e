"""One reduction: from the current doses to the next, never cutting more than the method asked.

Rules (the issue, "Doses a person can take"):

- The cut comes from one time of day at a time, in the configured order (earliest first, so
  the night dose goes last). When the cut asked for is larger than the whole dose at that time
  of day, that dose is dropped and the step cuts no more: a step never changes two times of day.
- Within a time of day the new dose is the smallest achievable dose that is at least what the
  cut leaves, so the new daily total is at least the method's target and as close to it as the
  formulations allow. If the earliest time of day cannot be cut at all without exceeding the
  cut asked for, the next one is tried.
- When no cut within the asked amount is possible (a low dose with tablets only), the smallest
  achievable cut at any single time of day is taken instead (ties go to the earlier time of
  day) and reported as ``larger_than_asked`` so the step is flagged.
- A dose already measured with the liquid stays on the liquid: its next dose is one the liquid
  gives some of, where one is within the cut (issue 14: tablets and liquid alternating from step
  to step, with cuts swinging from 3.7% to 18.8%).
- Every reduction strictly lowers the daily total, so a taper always ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .doses import DoseMaker
from .schedule import Doses, daily_de, with_dose
from .types import EquivalenceTable, Slot


@dataclass(frozen=True)
class Reduction:
    doses: Doses
    larger_than_asked: bool


def positions(
    doses: Doses, *, slot_order: Sequence[Slot], drug_order: Sequence[str]
) -> list[tuple[str, Slot]]:
    """The (drug, time of day) doses present, in the order cuts are taken from them."""
    return [(drug, slot) for slot in slot_order for drug in drug_order if doses.get(drug, {}).get(slot)]


def next_reduction(
    *,
    doses: Doses,
    target_de: Fraction,
    floor_de: Fraction,
    order: Sequence[tuple[str, Slot]],
    table: EquivalenceTable,
    makers: Mapping[str, DoseMaker],
    on_liquid: Set[tuple[str, Slot]] = frozenset(),
) -> Reduction | None:
    """The next doses aiming at ``target_de``, or None when nothing at or above ``floor_de``
    is below the current total (the end point is reached). A dose at a place in ``on_liquid``
    is measured with the liquid already and stays on it where it can."""
    current = daily_de(doses, table)
    if target_de >= current:
        return None
    for start in range(len(order)):
        candidate = _cut_from(doses, order[start:], current - target_de, table, makers, on_liquid)
        if daily_de(candidate, table) < current:
            return Reduction(doses=candidate, larger_than_asked=False)
    fallback = _smallest_cut(doses, order, table, makers, on_liquid)
    if daily_de(fallback, table) < floor_de:
        return None
    return Reduction(doses=fallback, larger_than_asked=True)


def _cut_from(
    doses: Doses,
    order: Sequence[tuple[str, Slot]],
    cut_de: Fraction,
    table: EquivalenceTable,
    makers: Mapping[str, DoseMaker],
    on_liquid: Set[tuple[str, Slot]],
) -> Doses:
    """Cut up to ``cut_de`` from the dose at ``order[0]`` alone (dropping it if the cut covers it)."""
    drug, slot = order[0]
    mg = doses[drug][slot]
    if table.to_diazepam(drug, mg) <= cut_de:
        return with_dose(doses, drug, slot, Decimal(0))
    least = Fraction(mg) - table.from_diazepam(drug, cut_de)
    return with_dose(doses, drug, slot, makers[drug].at_least(least, liquid=(drug, slot) in on_liquid))


def _smallest_cut(
    doses: Doses,
    order: Sequence[tuple[str, Slot]],
    table: EquivalenceTable,
    makers: Mapping[str, DoseMaker],
    on_liquid: Set[tuple[str, Slot]],
) -> Doses:
    """The doses after the smallest achievable cut at a single time of day."""
    best: Doses | None = None
    best_cut: Fraction | None = None
    for drug, slot in order:
        mg = doses[drug][slot]
        lower = makers[drug].below(mg, liquid=(drug, slot) in on_liquid)
        cut = table.to_diazepam(drug, mg - lower)
        if best_cut is None or cut < best_cut:
            best, best_cut = with_dose(doses, drug, slot, lower), cut
    assert best is not None
    return best
