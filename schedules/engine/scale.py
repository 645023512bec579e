"""Diazepam equivalents as whole numbers, for planning's inner loop.

Every dose a dose maker makes is a whole number of its grid units (doses.py), and one grid unit
of a drug is a fixed amount of diazepam equivalent (DE). The largest amount of which each of
those is a whole multiple is a unit in which every daily total of a plan is a whole number, so
planning adds and compares integers; an exact Fraction is made only for what a schedule returns
(a step's DE), and a Fraction target is compared as an integer ratio in the same unit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from .doses import DoseMaker, common_divisor
from .schedule import ScheduleWarning
from .types import EquivalenceTable, Slot

Place = tuple[str, Slot]
# (drug, time of day) -> dose in the drug's grid units; only doses above 0 are present.
Grids = dict[Place, int]


class Planned(NamedTuple):
    """A step as planning worked it out, handed to the schedule's assembly as it is, so nothing
    is worked out twice: each dose in grid units (``grids``) and in mg (``mgs``, the same keys),
    both in the order a schedule lists doses (time of day, then the plan's drug order), and the
    daily DE in the scale's units."""

    days: int
    grids: Grids
    mgs: dict[Place, Decimal]
    units: int
    phase: str = "taper"
    flags: tuple[ScheduleWarning, ...] = ()
    hold: bool = False


@dataclass(frozen=True)
class DeScale:
    """``unit`` mg DE is one unit; one grid unit of ``drug`` is ``weights[drug]`` units."""

    unit: Fraction
    weights: Mapping[str, int]
    makers: Mapping[str, DoseMaker]

    @classmethod
    def of(cls, table: EquivalenceTable, makers: Mapping[str, DoseMaker]) -> DeScale:
        """The scale of the drugs of ``makers`` that ``table`` lists."""
        listed = set(table.drugs)
        amounts = {
            drug: table.to_diazepam(drug, maker.grid_mg) for drug, maker in makers.items() if drug in listed
        }
        unit = common_divisor(list(amounts.values())) if amounts else Fraction(1)
        return cls(
            unit=unit,
            weights={drug: int(amount / unit) for drug, amount in amounts.items()},
            makers=makers,
        )

    def grids(self, doses: Mapping[str, Mapping[Slot, object]]) -> Grids | None:
        """Each dose above 0 in its drug's grid units; None when one is no whole number of them
        (no dose maker can make it) or its drug has no maker or equivalence."""
        grids: Grids = {}
        for drug, slots in doses.items():
            maker = self.makers.get(drug)
            if maker is None or drug not in self.weights:
                return None
            for slot, mg in slots.items():
                grid = maker.grid_of(mg)  # type: ignore[arg-type]
                if grid is None:
                    return None
                if grid:
                    grids[drug, slot] = grid
        return grids

    def total(self, grids: Mapping[tuple[str, Slot], int]) -> int:
        """The daily DE of ``grids``, in units."""
        weights = self.weights
        return sum(weights[drug] * grid for (drug, _), grid in grids.items())

    def to_fraction(self, units: int) -> Fraction:
        """``units`` as exact mg DE."""
        return Fraction(units * self.unit.numerator, self.unit.denominator)

    def ratio(self, de: Fraction) -> tuple[int, int]:
        """``de`` mg in units, as (numerator, denominator) with a denominator above 0."""
        return de.numerator * self.unit.denominator, de.denominator * self.unit.numerator
