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
  gives some of, where one is within the cut, and a dose measured wholly with the liquid stays
  wholly on it where it can (issue 14: tablets and liquid alternating from step to step, with cuts
  swinging from 3.7% to 18.8%; then 0.3 mL, 1/2 tablet + 0.1 mL, 0.2 mL).
- Every reduction strictly lowers the daily total, so a taper always ends.

Doses are in their drug's grid units and daily totals in the plan's DE units (scale.py): every
decision here is integer arithmetic, exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import NamedTuple

from .doses import Measure
from .scale import DeScale, Place
from .types import Slot


class Reduction(NamedTuple):
    """The dose at ``place`` becomes ``grid`` grid units (0: it is dropped)."""

    place: Place
    grid: int
    larger_than_asked: bool


def positions(
    grids: Mapping[Place, int], *, slot_order: Sequence[Slot], drug_order: Sequence[str]
) -> list[Place]:
    """The (drug, time of day) doses present, in the order cuts are taken from them."""
    return [(drug, slot) for slot in slot_order for drug in drug_order if grids.get((drug, slot))]


def next_reduction(
    *,
    grids: Mapping[Place, int],
    total: int,
    target: tuple[int, int],
    floor: tuple[int, int],
    order: Sequence[Place],
    scale: DeScale,
    on_liquid: Mapping[Place, Measure] | None = None,
) -> Reduction | None:
    """The next dose aiming at the daily DE ``target``, or None when nothing at or above
    ``floor`` is below the current ``total`` (the end point is reached). ``target`` and
    ``floor`` are (numerator, denominator) in the scale's units. ``on_liquid``: how the dose at
    each place is measured already (absent: not with the liquid); it stays so where it can."""
    measures = on_liquid or {}
    target_num, target_den = target
    # The cut asked for is cut / target_den units.
    cut = total * target_den - target_num
    if cut <= 0:
        return None
    for place in order:
        drug = place[0]
        grid, weight = grids[place], scale.weights[drug]
        if weight * grid * target_den <= cut:
            return Reduction(place=place, grid=0, larger_than_asked=False)
        new = _at_least(scale, place, grid, (cut, target_den * weight), measures.get(place, Measure.ANY))
        if new < grid:
            return Reduction(place=place, grid=new, larger_than_asked=False)
    return _smallest_cut(grids, total, floor, order, scale, measures)


def _at_least(scale: DeScale, place: Place, grid: int, cut: tuple[int, int], liquid: Measure) -> int:
    """The smallest achievable dose at ``place`` of at least its ``grid`` less ``cut`` grid
    units, a (numerator, denominator) pair (see DoseMaker.at_least)."""
    maker = scale.makers[place[0]]
    found = maker.at_least_grid(grid - cut[0] // cut[1], liquid=liquid)
    if found is None:  # no dose holds it: the maker's own message, from the exact amount
        maker.at_least(maker.grid_mg * (grid - Fraction(*cut)), liquid=liquid)
    assert found is not None
    return found


def _smallest_cut(
    grids: Mapping[Place, int],
    total: int,
    floor: tuple[int, int],
    order: Sequence[Place],
    scale: DeScale,
    on_liquid: Mapping[Place, Measure],
) -> Reduction | None:
    """The smallest achievable cut at a single time of day, or None when it falls below ``floor``."""
    best: Reduction | None = None
    best_cut = 0
    for place in order:
        drug = place[0]
        grid = grids[place]
        lower = scale.makers[drug].below_grid(grid, liquid=on_liquid.get(place, Measure.ANY))
        cut = scale.weights[drug] * (grid - lower)
        if best is None or cut < best_cut:
            best, best_cut = Reduction(place=place, grid=lower, larger_than_asked=True), cut
    assert best is not None
    floor_num, floor_den = floor
    if (total - best_cut) * floor_den < floor_num:
        return None
    return best
