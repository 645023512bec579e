"""Doses a person can actually take, made exactly from the allowed formulations.

A dose is made from solid units (whole tablets or capsules, and halves or quarters where the
formulation allows it), topped up where tablets cannot make it with one oral liquid measured in
steps of the oral syringe (``liquid_step_ml``, 0.1 mL by default), never more than
``max_liquid_ml`` (10 mL by default) of liquid in one dose. A solid combination is preferred
whenever one exists; otherwise as much of the dose as possible comes from tablets and the rest,
the smallest volume that makes it, from the liquid. A dose uses at most two tablet (or capsule)
strengths, plus the liquid (issue 14: four products in one dose is a dose a person gets wrong).
Among solid combinations the engine prefers the fewest pieces to take (a half tablet is one
piece), then the fewest different formulations, then the fewest split pieces, then larger pieces.

One liquid strength per drug: when several are allowed the maker uses the most dilute one whose
largest measurable dose covers the smallest solid piece and whose measuring step divides the
tablet pieces evenly (so tablets and liquid together make a regular grid of doses), else the
most dilute that covers the smallest piece, else the strongest; a prescriber's pick is applied
by the planner before the maker is built.

Solid doses are found by a dynamic programme over integer multiples of a quantum (the greatest
common divisor of all piece sizes), grown on demand and memoised per set of formulations, so
planning a long schedule costs milliseconds.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from fractions import Fraction
from functools import lru_cache
from itertools import combinations
from typing import Any, TypeVar

from .types import EngineError, Formulation, exact, format_mg

# Liquids are measured to 0.1 mL (the issue; an oral syringe's finest graduation): the default
# of the clinic's setting (the graduation of the oral syringe it supplies).
LIQUID_STEP_ML = Decimal("0.1")
# At most 10 mL of liquid in a single dose (issue 8: a 40.5 mL dose is a hazard): the default of
# the clinic's setting.
MAX_LIQUID_DOSE_ML = Decimal(10)
# At most this many tablet or capsule strengths in one dose (issue 14; the liquid comes on top).
MAX_STRENGTHS_PER_DOSE = 2
# A maker's memoised answers are dropped past this many (a bound on memory, not a behaviour).
_MEMO_LIMIT = 20_000
_T = TypeVar("_T")


class Measure(IntEnum):
    """How a dose is measured already, so that its next dose is measured at least as much with
    the liquid where one can be (issue 14: tablets and the syringe alternating from step to step
    confuse patients; a dose measured wholly with the liquid stays wholly on it)."""

    ANY = 0  # not with the liquid: tablets, the liquid or both
    LIQUID = 1  # some of the dose with the liquid
    LIQUID_ONLY = 2  # all of the dose with the liquid


def to_decimal(value: Fraction) -> Decimal:
    """The exact Decimal of a fraction that has a finite decimal form (every made dose has)."""
    result = Decimal(value.numerator) / Decimal(value.denominator)
    if Fraction(result) != value:
        raise EngineError(f"internal error: {value} mg has no exact decimal form")
    return result


@dataclass(frozen=True)
class Unit:
    """Part of a dose: ``count`` units of a solid (0.25, 0.5, 1.5 ...) or ``volume_ml`` of a liquid."""

    formulation: Formulation
    count: Decimal | None = None
    volume_ml: Decimal | None = None

    @property
    def mg(self) -> Decimal:
        amount = self.volume_ml if self.formulation.is_liquid else self.count
        assert amount is not None
        return amount * self.formulation.strength_mg

    def describe(self) -> str:
        """'1 x 5 mg tablet', '1/2 x 2 mg tablet', '2.5 mL of 1 mg/mL oral solution'."""
        if self.volume_ml is not None:
            return f"{format_mg(self.volume_ml)} mL of {self.formulation.describe()}"
        assert self.count is not None
        return f"{format_count(self.count)} x {self.formulation.describe()}"

    def short(self) -> str:
        """'1 x 5 mg', '1/2 x 2 mg', '2.5 mL of 1 mg/mL': for a table cell."""
        if self.volume_ml is not None:
            return f"{format_mg(self.volume_ml)} mL of {format_mg(self.formulation.strength_mg)} mg/mL"
        assert self.count is not None
        return f"{format_count(self.count)} x {format_mg(self.formulation.strength_mg)} mg"


def format_count(count: Decimal) -> str:
    """1.5 -> '1 1/2', 0.25 -> '1/4', 2 -> '2'."""
    whole, part = divmod(Fraction(count), 1)
    if not part:
        return str(whole)
    fraction = f"{part.numerator}/{part.denominator}"
    return f"{whole} {fraction}" if whole else fraction


def describe_units(units: Iterable[Unit]) -> str:
    """'1 x 5 mg tablet + 1/2 x 2 mg tablet'."""
    return " + ".join(unit.describe() for unit in units)


@dataclass(frozen=True)
class _Piece:
    """One thing a person takes: a whole unit or a part of it, ``size`` quanta big."""

    formulation: Formulation
    fraction: Fraction
    size: int
    order: int  # position of the formulation in the maker's list, the last tie-break


@dataclass(frozen=True)
class _SolidTable:
    """Fewest pieces making each multiple of the quantum up to ``len(fewest) - 1``: ``groups``
    per group of at most two formulations, ``fewest`` the least over the groups."""

    fewest: tuple[int, ...]
    reachable: tuple[int, ...]
    groups: tuple[tuple[int, ...], ...] = ()


class DoseMaker:
    """Every dose of one drug that can be made from a set of its formulations."""

    def __init__(
        self,
        formulations: tuple[Formulation, ...],
        *,
        liquid_step_ml: Decimal = LIQUID_STEP_ML,
        max_liquid_ml: Decimal = MAX_LIQUID_DOSE_ML,
    ) -> None:
        if not formulations or len({f.drug for f in formulations}) != 1:
            raise EngineError("internal error: a dose maker needs formulations of one drug")
        if not liquid_step_ml > 0:
            raise EngineError(f"the liquid measuring step must be above 0 mL, not {liquid_step_ml}")
        if not max_liquid_ml >= liquid_step_ml:
            raise EngineError(
                f"the largest liquid dose ({format_mg(max_liquid_ml)} mL) must be at least the "
                f"measuring step ({format_mg(liquid_step_ml)} mL)"
            )
        self.drug = formulations[0].drug
        self.liquid_step_ml = Fraction(liquid_step_ml)
        self.max_liquid_ml = Fraction(max_liquid_ml)
        solids = [f for f in formulations if not f.is_liquid]
        liquid = _one_liquid(formulations, solids, self.max_liquid_ml, self.liquid_step_ml)
        self.liquid = liquid
        self.formulations = tuple(f for f in formulations if not f.is_liquid or f == liquid)
        sizes = [Fraction(f.strength_mg) * part for f in solids for part in f.fractions]
        self._quantum = common_divisor(sizes) if sizes else Fraction(0)
        self._pieces = tuple(
            sorted(
                (
                    _Piece(f, part, int(Fraction(f.strength_mg) * part / self._quantum), order)
                    for order, f in enumerate(solids)
                    for part in f.fractions
                ),
                key=lambda p: (-p.size, p.fraction != 1, p.order),
            )
        )
        self._sizes = tuple(sorted({piece.size for piece in self._pieces}, reverse=True))
        # The pieces of each group of at most MAX_STRENGTHS_PER_DOSE formulations a dose may mix.
        self._groups = tuple(
            tuple(piece for piece in self._pieces if piece.formulation in group)
            for group in combinations(solids, min(len(solids), MAX_STRENGTHS_PER_DOSE))
        )
        self._table = _SolidTable(fewest=(0,), reachable=(0,), groups=tuple((0,) for _ in self._groups))
        # The grid: every dose made is a whole number of these (see "Queries" below).
        steps = [self._quantum] if self._pieces else []
        if liquid is not None:
            steps.append(Fraction(liquid.strength_mg) * self.liquid_step_ml)
        self._grid = common_divisor(steps)
        self._grid_num, self._grid_den = self._grid.numerator, self._grid.denominator
        self._q = int(self._quantum / self._grid)  # a solid quantum, in grid units
        self._step = int(steps[-1] / self._grid) if liquid is not None else 0  # one liquid measure
        # The most liquid one dose may hold: whole measuring steps up to the volume limit.
        self._most = self._step * math.floor(self.max_liquid_ml / self.liquid_step_ml)
        self._units: dict[tuple[int, Measure], tuple[Unit, ...]] = {}
        self._measures: dict[tuple[int, Measure], Measure] = {}
        self._at_least_memos: dict[Measure, dict[int, int | None]] = {measure: {} for measure in Measure}
        self._at_most_memo: dict[int, int] = {}
        self._between_memo: dict[tuple[int, int], tuple[int, ...]] = {}
        self._mg_memo: dict[int, Decimal] = {}
        self._grid_memo: dict[Decimal, int | None] = {}

    # Queries -------------------------------------------------------------------------------
    #
    # Every dose the maker can make is a whole number of grid units (the greatest common
    # divisor of the solid quantum and the liquid's measuring step), so the queries below
    # work on integers in grid units: exact, and free of Fraction arithmetic in their loops.
    # Answers depend only on the grid point asked about and are memoised per maker.

    def is_achievable(self, mg: Decimal | Fraction) -> bool:
        value = exact(mg)
        if value < 0:
            return False
        grid = self._on_grid(value)
        if grid is None:
            return False
        return self._solid_at(grid) or self._top_up_grid(grid, below=False) is not None

    def at_least(self, mg: Decimal | Fraction, *, liquid: Measure = Measure.ANY) -> Decimal:
        """The smallest achievable dose of at least ``mg``.

        ``liquid``: how the dose is measured already. ``LIQUID``: only a dose the liquid gives
        some of (tablets topped up, or the liquid alone) is chosen, where one can be; ``LIQUID_ONLY``:
        only the liquid alone, where it can make one, else as ``LIQUID``: a dose that moved to the
        liquid stays on it (issue 14)."""
        value = max(exact(mg), Fraction(0))
        found = self.at_least_grid(self._ceil(value), liquid=liquid)
        if found is None:  # a liquid alone, and the dose is above its largest volume
            raise EngineError(
                f"{self.drug} {format_mg(to_decimal_or_round(value))} mg is more than one dose of "
                f"the allowed formulations can hold ({self.describe()})"
            )
        return self.to_mg(found)

    def at_least_grid(self, grid: int, *, liquid: Measure = Measure.ANY) -> int | None:
        """``at_least`` in grid units: the smallest achievable grid point at least ``grid``, or
        None when no dose can hold it."""
        if self.liquid is None:
            liquid = Measure.ANY
        memo = self._at_least_memos[liquid]
        if grid in memo:
            return memo[grid]
        options = []
        if self._pieces and not liquid:
            options.append(self._solid_at_least_grid(grid))
        if self.liquid is not None:
            step, most = self._step, self._most
            for solid in self._liquid_bases(grid - most, grid, liquid):
                k = max(-((solid - grid) // step), 1 if liquid else 0)
                if k * step <= most:
                    options.append(solid + k * step)
        if not options and liquid:
            return self.at_least_grid(grid, liquid=Measure(liquid - 1))
        return self._memo(memo, grid, min(options) if options else None)

    def at_most(self, mg: Decimal | Fraction) -> Decimal:
        """The largest achievable dose of at most ``mg`` (0 is always achievable)."""
        value = exact(mg)
        if value <= 0:
            return Decimal(0)
        return self.to_mg(self.at_most_grid(self._floor(value)))

    def below(self, mg: Decimal | Fraction, *, liquid: Measure = Measure.ANY) -> Decimal:
        """The largest achievable dose strictly below ``mg`` (which must be above 0); with
        ``liquid``, one the liquid gives some of where there is one (see ``at_least``)."""
        value = exact(mg)
        if value <= 0:
            raise EngineError(f"internal error: no {self.drug} dose below {value} mg")
        return self.to_mg(self.below_grid(self._ceil(value), liquid=liquid))

    def below_grid(self, grid: int, *, liquid: Measure = Measure.ANY) -> int:
        """``below`` in grid units: the largest achievable grid point under ``grid`` (above 0)."""
        grid -= 1
        if liquid and self.liquid is not None:
            step, most = self._step, self._most
            solids = [0] if liquid is Measure.LIQUID_ONLY else self._solids_under_grid(grid)
            made = [
                solid + min((grid - solid) // step * step, most) for solid in solids if grid - solid >= step
            ]
            if made:
                return max(made)
        return self.at_most_grid(grid)

    def smallest(self) -> Decimal:
        """The smallest dose above 0 that can be made."""
        return self.at_least(Fraction(1, 10**9))

    def between(self, low: Fraction, high: Fraction) -> list[Decimal]:
        """Achievable doses ``d`` with ``low <= d < high``, ascending."""
        return [self.to_mg(grid) for grid in self.between_grid(self._ceil(low), self._ceil(high))]

    def between_grid(self, first_grid: int, stop_grid: int) -> tuple[int, ...]:
        """``between`` in grid units: achievable grid points from ``first_grid`` up to (not
        including) ``stop_grid``, ascending."""
        key = (first_grid, stop_grid)
        found = self._between_memo.get(key)
        if found is None:
            values: set[int] = set()
            reach = self._most if self.liquid is not None else 0
            for solid in self._solids_between_grid(first_grid - reach, stop_grid):
                if first_grid <= solid < stop_grid:
                    values.add(solid)
                if self.liquid is not None:
                    step, most = self._step, self._most
                    first = max(-((solid - first_grid) // step), 1)
                    last = min(-((solid - stop_grid) // step) - 1, most // step)
                    values.update(solid + k * step for k in range(first, last + 1))
            found = self._memo(self._between_memo, key, tuple(sorted(values)))
        return found

    def units(self, mg: Decimal | Fraction, *, keep_liquid: Measure = Measure.ANY) -> tuple[Unit, ...]:
        """The best way to make ``mg``; raises EngineError when it cannot be made.

        ``keep_liquid``: how the patient already measures this dose. ``LIQUID``: a liquid that
        makes ``mg`` exactly (topping tablets up) is used rather than going back to tablets alone;
        ``LIQUID_ONLY``: the liquid alone, where it makes ``mg``, else as ``LIQUID``.
        """
        value = exact(mg)
        grid = self._on_grid(value)
        if grid is None or grid < 0:
            return self._make(value)  # raises: no dose off the grid or below 0 can be made
        return self.units_at(grid, keep_liquid=keep_liquid)

    def units_at(self, grid: int, *, keep_liquid: Measure = Measure.ANY) -> tuple[Unit, ...]:
        """``units`` of the dose ``grid`` grid units big (at least 0)."""
        key = (grid, keep_liquid)
        found = self._units.get(key)
        if found is None:
            value = self._grid * grid
            if keep_liquid and (solid := self._top_up(value, below=True, measure=keep_liquid)) is not None:
                found = self._topped_up(solid, value)
            elif keep_liquid:
                found = self.units_at(grid, keep_liquid=Measure(keep_liquid - 1))
            else:
                found = self._make(value)
            self._memo(self._units, key, found)
        return found

    def measure(self, grid: int, *, keep_liquid: Measure = Measure.ANY) -> Measure:
        """How ``units_at(grid, keep_liquid=...)`` measures the dose: with the liquid in part,
        wholly, or not at all."""
        key = (grid, keep_liquid)
        found = self._measures.get(key)
        if found is None:
            found = measured(self.units_at(grid, keep_liquid=keep_liquid))
            self._memo(self._measures, key, found)
        return found

    def grid_of(self, mg: Decimal) -> int | None:
        """``mg`` in grid units, or None when no dose of that size can be made (off the grid, or
        below 0): the exact integer every planning decision works on."""
        if mg in self._grid_memo:
            return self._grid_memo[mg]
        grid = self._on_grid(exact(mg))
        return self._memo(self._grid_memo, mg, grid if grid is not None and grid >= 0 else None)

    def to_mg(self, grid: int) -> Decimal:
        """The exact Decimal mg of a grid point."""
        found = self._mg_memo.get(grid)
        if found is None:
            found = self._memo(self._mg_memo, grid, to_decimal(self._grid * grid))
        return found

    def describe(self) -> str:
        """'0.5 mg tablet (halves), 1 mg/mL oral solution': what the doses are made from."""
        parts = []
        for f in self.formulations:
            split = {2: " (halves)", 3: " (quarters)"}.get(len(f.fractions), "")
            parts.append(f.describe() + split)
        return ", ".join(parts)

    # Grid units ----------------------------------------------------------------------------

    @property
    def grid_mg(self) -> Fraction:
        """The mg in one grid unit: every dose this maker makes is a whole number of them."""
        return self._grid

    def _floor(self, value: Fraction) -> int:
        """The largest grid point at most ``value``."""
        return (value.numerator * self._grid_den) // (value.denominator * self._grid_num)

    def _ceil(self, value: Fraction) -> int:
        """The smallest grid point at least ``value``."""
        return -((-value.numerator * self._grid_den) // (value.denominator * self._grid_num))

    def _on_grid(self, value: Fraction) -> int | None:
        """``value`` in grid units, or None when it is not a whole number of them."""
        whole, rest = divmod(value.numerator * self._grid_den, value.denominator * self._grid_num)
        return None if rest else whole

    def _memo(self, memo: dict[Any, Any], key: object, value: _T) -> _T:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = value
        return value

    # Solid doses ---------------------------------------------------------------------------

    def _solid_index(self, value: Fraction) -> int | None:
        if not self._pieces:
            return None if value else 0
        index, rest = divmod(value, self._quantum)
        if rest:
            return None
        table = self._cover(int(index))
        position = bisect_left(table.reachable, index)
        found = position < len(table.reachable) and table.reachable[position] == index
        return int(index) if found else None

    def _solid_at(self, grid: int) -> bool:
        """Whether tablets alone make ``grid`` (0 always)."""
        if not self._pieces:
            return grid == 0
        index, rest = divmod(grid, self._q)
        if rest:
            return False
        table = self._cover(index)
        position = bisect_left(table.reachable, index)
        return position < len(table.reachable) and table.reachable[position] == index

    def _solid_at_least_grid(self, grid: int) -> int:
        index = -(-grid // self._q)
        table = self._cover(index + self._sizes[0])
        return table.reachable[bisect_left(table.reachable, index)] * self._q

    def _solid_at_most_grid(self, grid: int) -> int:
        index = grid // self._q
        table = self._cover(index)
        return table.reachable[bisect_right(table.reachable, index) - 1] * self._q

    def at_most_grid(self, grid: int) -> int:
        """``at_most`` in grid units: the largest achievable grid point at most ``grid`` (which
        is at least 0)."""
        found = self._at_most_memo.get(grid)
        if found is None:
            options = [0]
            if self._pieces:
                options.append(self._solid_at_most_grid(grid))
            if self.liquid is not None:
                step, most = self._step, self._most
                for solid in self._solids_under_grid(grid):
                    options.append(solid + min((grid - solid) // step * step, most))
            found = self._memo(self._at_most_memo, grid, max(options))
        return found

    def _cover(self, index: int) -> _SolidTable:
        """The solid table, grown (doubling) until it reaches ``index``."""
        table = self._table
        if index < len(table.fewest):
            return table
        size = max(index + 1, 2 * len(table.fewest))
        impossible = size + 1
        groups = []
        for pieces in self._groups:
            sizes = sorted({piece.size for piece in pieces}, reverse=True)
            fewest = [0] + [impossible] * (size - 1)
            for value in range(1, size):
                best = impossible
                for piece in sizes:
                    if piece <= value and fewest[value - piece] + 1 < best:
                        best = fewest[value - piece] + 1
                fewest[value] = best
            groups.append(tuple(fewest))
        least = tuple(map(min, *groups)) if len(groups) > 1 else groups[0]
        reachable = tuple(v for v, count in enumerate(least) if count < impossible)
        self._table = _SolidTable(fewest=least, reachable=reachable, groups=tuple(groups))
        return self._table

    def _make(self, value: Fraction) -> tuple[Unit, ...]:
        if value < 0:
            raise EngineError(f"{self.drug} dose must not be negative")
        index = self._solid_index(value)
        if index is not None:
            return self._solid_units(index)
        solid = self._top_up(value)
        if solid is None:
            raise EngineError(
                f"{self.drug} {format_mg(to_decimal_or_round(value))} mg cannot be made "
                f"from the allowed formulations ({self.describe()})"
            )
        return self._topped_up(solid, value)

    def _topped_up(self, solid: Fraction, value: Fraction) -> tuple[Unit, ...]:
        """Tablets making ``solid`` mg, then the liquid making the rest of ``value``."""
        assert self.liquid is not None
        tablets = self._solid_units(int(solid / self._quantum)) if solid else ()
        volume = (value - solid) / Fraction(self.liquid.strength_mg)
        return (*tablets, Unit(formulation=self.liquid, volume_ml=to_decimal(volume)))

    def _solid_units(self, index: int) -> tuple[Unit, ...]:
        table = self._table
        best = min(
            (
                combination
                for group, fewest in enumerate(table.groups)
                if fewest[index] == table.fewest[index]
                for combination in self._optimal_combinations(group, index, 0)
            ),
            key=_combination_cost,
        )
        counts: dict[Formulation, Fraction] = {}
        for piece in best:
            counts[piece.formulation] = counts.get(piece.formulation, Fraction(0)) + piece.fraction
        ordered = sorted(counts.items(), key=lambda item: -item[0].strength_mg)
        return tuple(Unit(formulation=f, count=to_decimal(count)) for f, count in ordered)

    def _optimal_combinations(self, group: int, rest: int, start: int) -> Iterator[tuple[_Piece, ...]]:
        """Every multiset of ``group``'s pieces (in non-increasing order) with its fewest pieces,
        depth first with an explicit stack: a dose of thousands of pieces must not exhaust
        Python's recursion limit."""
        fewest = self._table.groups[group]
        pieces = self._groups[group]
        stack: list[tuple[int, int, tuple[_Piece, ...]]] = [(rest, start, ())]
        while stack:
            left, first, chosen = stack.pop()
            if left == 0:
                yield chosen
                continue
            # Pushed last first, so the earlier pieces are taken first (the order recursion gave).
            for i in range(len(pieces) - 1, first - 1, -1):
                piece = pieces[i]
                if piece.size <= left and fewest[left - piece.size] == fewest[left] - 1:
                    stack.append((left - piece.size, i, (*chosen, piece)))

    # Liquid doses --------------------------------------------------------------------------

    def _solids_between_grid(self, low: int, high: int) -> list[int]:
        """The solid doses (0 included) from ``low`` to ``high`` grid units, ascending."""
        if high < 0:
            return []
        if not self._pieces:
            return [0] if low <= 0 else []
        q = self._q
        first = -(-max(low, 0) // q)
        last = high // q
        table = self._cover(last)
        start = bisect_left(table.reachable, first)
        stop = bisect_right(table.reachable, last)
        return [i * q for i in table.reachable[start:stop]]

    def _solids_under_grid(self, grid: int) -> list[int]:
        """The solid doses a liquid top-up can start from to approach ``grid`` from below: those
        within the liquid's reach, and the largest one under that reach."""
        reach = grid - self._most
        solids = self._solids_between_grid(reach, grid)
        if reach > 0:
            solids.insert(0, self._solid_at_most_grid(reach) if self._pieces else 0)
        return solids

    def _liquid_bases(self, low: int, high: int, measure: Measure) -> list[int]:
        """The solid doses from ``low`` to ``high`` grid units that the liquid may top up: only
        none (0) for a dose measured wholly with the liquid."""
        if measure is Measure.LIQUID_ONLY:
            return [0] if low <= 0 <= high else []
        return self._solids_between_grid(low, high)

    def _top_up(
        self, value: Fraction, *, below: bool = False, measure: Measure = Measure.ANY
    ) -> Fraction | None:
        """The largest solid dose that the liquid can top up to ``value`` exactly (within the
        volume limit), or None. ``below``: the liquid must give some of the dose; ``measure``
        ``LIQUID_ONLY``: all of it."""
        grid = self._on_grid(value)
        if grid is None:
            return None
        solid = self._top_up_grid(grid, below=below, measure=measure)
        return None if solid is None else self._grid * solid

    def _top_up_grid(self, grid: int, *, below: bool, measure: Measure = Measure.ANY) -> int | None:
        if self.liquid is None:
            return None
        step = self._step
        for solid in reversed(self._liquid_bases(grid - self._most, grid, measure)):
            rest = grid - solid
            if (below and not rest) or rest % step:
                continue
            return solid
        return None


def measured(units: Iterable[Unit]) -> Measure:
    """How ``units`` measure a dose with the liquid: wholly, in part, or not at all."""
    liquid = [unit.formulation.is_liquid for unit in units]
    if liquid and all(liquid):
        return Measure.LIQUID_ONLY
    return Measure.LIQUID if any(liquid) else Measure.ANY


def _one_liquid(
    formulations: tuple[Formulation, ...],
    solids: list[Formulation],
    max_liquid_ml: Fraction,
    step_ml: Fraction,
) -> Formulation | None:
    """The one liquid a maker uses (see the module docstring), or None."""
    liquids = sorted((f for f in formulations if f.is_liquid), key=_strength)
    if len(liquids) <= 1:
        return liquids[0] if liquids else None
    pieces = [Fraction(f.strength_mg) * part for f in solids for part in f.fractions]
    if not pieces:
        return liquids[-1]
    smallest_piece = min(pieces)
    quantum = common_divisor(pieces)
    covering = [f for f in liquids if Fraction(f.strength_mg) * max_liquid_ml >= smallest_piece]
    # A liquid whose measuring step divides the tablets' pieces fills every gap between them
    # evenly (1 mg/mL in 0.1 mL steps with half tablets of 2 and 5 mg makes every 0.1 mg).
    even = [f for f in covering if (quantum / (Fraction(f.strength_mg) * step_ml)).denominator == 1]
    return (even or covering or liquids[::-1])[0]


def to_decimal_or_round(value: Fraction) -> Decimal:
    """For messages only: the exact decimal, or 4 places when there is none."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact if Fraction(exact) == value else exact.quantize(Decimal("0.0001"))


def _strength(formulation: Formulation) -> Decimal:
    return formulation.strength_mg


def common_divisor(values: list[Fraction]) -> Fraction:
    """The largest fraction of which every one of ``values`` is a whole multiple."""
    denominator = math.lcm(*(v.denominator for v in values))
    return Fraction(math.gcd(*(int(v * denominator) for v in values)), denominator)


def _combination_cost(
    pieces: tuple[_Piece, ...],
) -> tuple[int, int, tuple[tuple[int, int], ...]]:
    distinct = len({piece.formulation for piece in pieces})
    split = sum(1 for piece in pieces if piece.fraction != 1)
    return (distinct, split, tuple((-piece.size, piece.order) for piece in pieces))


@lru_cache(maxsize=256)
def _maker(formulations: tuple[Formulation, ...], step_ml: Decimal, max_ml: Decimal) -> DoseMaker:
    return DoseMaker(formulations, liquid_step_ml=step_ml, max_liquid_ml=max_ml)


def dose_makers(
    formulations: Iterable[Formulation],
    *,
    liquid_step_ml: Decimal = LIQUID_STEP_ML,
    max_liquid_ml: Decimal = MAX_LIQUID_DOSE_ML,
) -> dict[str, DoseMaker]:
    """One memoised DoseMaker per drug among ``formulations``."""
    by_drug: dict[str, list[Formulation]] = {}
    for formulation in formulations:
        by_drug.setdefault(formulation.drug, []).append(formulation)
    return {
        drug: _maker(tuple(sorted(group, key=_canonical_order)), liquid_step_ml, max_liquid_ml)
        for drug, group in by_drug.items()
    }


def _canonical_order(formulation: Formulation) -> tuple[bool, str, Decimal, str]:
    return (bool(formulation.is_liquid), formulation.form, formulation.strength_mg, str(formulation.id))
