"""Doses a person can actually take, made exactly from the allowed formulations.

A dose is made either from solid units (whole tablets or capsules, and halves or quarters where
the formulation allows it) or from one liquid measured in 0.1 mL steps, never a mix: a solid
combination is preferred whenever one exists, and a liquid is used only for doses tablets cannot
make. Among solid combinations the engine prefers the fewest pieces to take (a half tablet is one
piece), then the fewest different formulations, then the fewest split pieces, then larger
pieces. Among liquids it takes the most dilute one that makes the dose exactly (largest volume,
easiest to measure).

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
from fractions import Fraction
from functools import lru_cache

from .types import EngineError, Formulation, format_mg

# Liquids are measured to 0.1 mL (the issue; an oral syringe's finest graduation).
LIQUID_STEP_ML = Fraction(1, 10)


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
    """Fewest pieces making each multiple of the quantum up to ``len(fewest) - 1``."""

    fewest: tuple[int, ...]
    reachable: tuple[int, ...]


class DoseMaker:
    """Every dose of one drug that can be made from a set of its formulations."""

    def __init__(self, formulations: tuple[Formulation, ...]) -> None:
        if not formulations or len({f.drug for f in formulations}) != 1:
            raise EngineError("internal error: a dose maker needs formulations of one drug")
        self.formulations = formulations
        self.drug = formulations[0].drug
        self._liquids = tuple(sorted((f for f in formulations if f.is_liquid), key=_strength))
        solids = [f for f in formulations if not f.is_liquid]
        sizes = [Fraction(f.strength_mg) * part for f in solids for part in f.fractions]
        self._quantum = _common_divisor(sizes) if sizes else Fraction(0)
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
        self._table = _SolidTable(fewest=(0,), reachable=(0,))
        self._units: dict[Fraction, tuple[Unit, ...]] = {}

    # Queries -------------------------------------------------------------------------------

    def is_achievable(self, mg: Decimal | Fraction) -> bool:
        value = Fraction(mg)
        return value >= 0 and (self._solid_index(value) is not None or self._liquid_for(value) is not None)

    def at_least(self, mg: Decimal | Fraction) -> Decimal:
        """The smallest achievable dose of at least ``mg``."""
        value = max(Fraction(mg), Fraction(0))
        options = [math.ceil(value / step) * step for step in self._liquid_steps()]
        if self._pieces:
            options.append(self._solid_at_least(value))
        return to_decimal(min(options))

    def at_most(self, mg: Decimal | Fraction) -> Decimal:
        """The largest achievable dose of at most ``mg`` (0 is always achievable)."""
        value = Fraction(mg)
        if value <= 0:
            return Decimal(0)
        options = [math.floor(value / step) * step for step in self._liquid_steps()]
        if self._pieces:
            options.append(self._solid_at_most(value))
        return to_decimal(max(options))

    def below(self, mg: Decimal | Fraction) -> Decimal:
        """The largest achievable dose strictly below ``mg`` (which must be above 0)."""
        value = Fraction(mg)
        options = [(math.ceil(value / step) - 1) * step for step in self._liquid_steps()]
        if self._pieces:
            options.append(self._solid_at_most(self._quantum * (math.ceil(value / self._quantum) - 1)))
        return to_decimal(max(options))

    def smallest(self) -> Decimal:
        """The smallest dose above 0 that can be made."""
        return self.at_least(Fraction(1, 10**9))

    def between(self, low: Fraction, high: Fraction) -> list[Decimal]:
        """Achievable doses ``d`` with ``low <= d < high``, ascending."""
        values: set[Fraction] = set()
        for step in self._liquid_steps():
            first = max(math.ceil(low / step), 0)
            values.update(k * step for k in range(first, math.ceil(high / step)))
        if self._pieces:
            first_index = max(math.ceil(low / self._quantum), 0)
            last_index = math.ceil(high / self._quantum) - 1
            table = self._cover(last_index)
            start = bisect_left(table.reachable, first_index)
            stop = bisect_right(table.reachable, last_index)
            values.update(i * self._quantum for i in table.reachable[start:stop])
        return [to_decimal(v) for v in sorted(values)]

    def units(self, mg: Decimal | Fraction, *, keep_liquid: bool = False) -> tuple[Unit, ...]:
        """The best way to make ``mg``; raises EngineError when it cannot be made.

        ``keep_liquid``: the patient already measures this dose as a liquid, so a liquid that
        makes ``mg`` exactly is used rather than going back to tablets.
        """
        value = Fraction(mg)
        if keep_liquid and (liquid := self._liquid_for(value)) is not None:
            return (self._liquid_unit(liquid, value),)
        if value not in self._units:
            self._units[value] = self._make(value)
        return self._units[value]

    def describe(self) -> str:
        """'0.5 mg tablet (halves), 1 mg/mL oral solution': what the doses are made from."""
        parts = []
        for f in self.formulations:
            split = {2: " (halves)", 3: " (quarters)"}.get(len(f.fractions), "")
            parts.append(f.describe() + split)
        return ", ".join(parts)

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

    def _solid_at_least(self, value: Fraction) -> Fraction:
        index = math.ceil(value / self._quantum)
        table = self._cover(index + self._sizes[0])
        return table.reachable[bisect_left(table.reachable, index)] * self._quantum

    def _solid_at_most(self, value: Fraction) -> Fraction:
        index = math.floor(value / self._quantum)
        table = self._cover(index)
        return table.reachable[bisect_right(table.reachable, index) - 1] * self._quantum

    def _cover(self, index: int) -> _SolidTable:
        """The solid table, grown (doubling) until it reaches ``index``."""
        table = self._table
        if index < len(table.fewest):
            return table
        size = max(index + 1, 2 * len(table.fewest))
        impossible = size + 1
        fewest = [0] + [impossible] * (size - 1)
        for value in range(1, size):
            best = impossible
            for piece in self._sizes:
                if piece <= value and fewest[value - piece] + 1 < best:
                    best = fewest[value - piece] + 1
            fewest[value] = best
        reachable = tuple(v for v, count in enumerate(fewest) if count < impossible)
        self._table = _SolidTable(fewest=tuple(fewest), reachable=reachable)
        return self._table

    def _make(self, value: Fraction) -> tuple[Unit, ...]:
        if value < 0:
            raise EngineError(f"{self.drug} dose must not be negative")
        index = self._solid_index(value)
        if index is not None:
            return self._solid_units(index)
        liquid = self._liquid_for(value)
        if liquid is None:
            raise EngineError(
                f"{self.drug} {format_mg(to_decimal_or_round(value))} mg cannot be made "
                f"from the allowed formulations ({self.describe()})"
            )
        return (self._liquid_unit(liquid, value),)

    @staticmethod
    def _liquid_unit(liquid: Formulation, value: Fraction) -> Unit:
        return Unit(formulation=liquid, volume_ml=to_decimal(value / Fraction(liquid.strength_mg)))

    def _solid_units(self, index: int) -> tuple[Unit, ...]:
        best = min(self._optimal_combinations(index, 0), key=_combination_cost)
        counts: dict[Formulation, Fraction] = {}
        for piece in best:
            counts[piece.formulation] = counts.get(piece.formulation, Fraction(0)) + piece.fraction
        ordered = sorted(counts.items(), key=lambda item: -item[0].strength_mg)
        return tuple(Unit(formulation=f, count=to_decimal(count)) for f, count in ordered)

    def _optimal_combinations(self, rest: int, start: int) -> Iterator[tuple[_Piece, ...]]:
        """Every multiset of pieces (in non-increasing order) with the fewest pieces."""
        if rest == 0:
            yield ()
            return
        fewest = self._table.fewest
        for i in range(start, len(self._pieces)):
            piece = self._pieces[i]
            if piece.size <= rest and fewest[rest - piece.size] == fewest[rest] - 1:
                for tail in self._optimal_combinations(rest - piece.size, i):
                    yield (piece, *tail)

    # Liquid doses --------------------------------------------------------------------------

    def _liquid_steps(self) -> list[Fraction]:
        return [Fraction(f.strength_mg) * LIQUID_STEP_ML for f in self._liquids]

    def _liquid_for(self, value: Fraction) -> Formulation | None:
        """The most dilute liquid that makes ``value`` exactly in 0.1 mL steps."""
        for liquid in self._liquids:
            if (value / (Fraction(liquid.strength_mg) * LIQUID_STEP_ML)).denominator == 1:
                return liquid
        return None


def to_decimal_or_round(value: Fraction) -> Decimal:
    """For messages only: the exact decimal, or 4 places when there is none."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact if Fraction(exact) == value else exact.quantize(Decimal("0.0001"))


def _strength(formulation: Formulation) -> Decimal:
    return formulation.strength_mg


def _common_divisor(values: list[Fraction]) -> Fraction:
    denominator = math.lcm(*(v.denominator for v in values))
    return Fraction(math.gcd(*(int(v * denominator) for v in values)), denominator)


def _combination_cost(
    pieces: tuple[_Piece, ...],
) -> tuple[int, int, tuple[tuple[int, int], ...]]:
    distinct = len({piece.formulation for piece in pieces})
    split = sum(1 for piece in pieces if piece.fraction != 1)
    return (distinct, split, tuple((-piece.size, piece.order) for piece in pieces))


@lru_cache(maxsize=256)
def _maker(formulations: tuple[Formulation, ...]) -> DoseMaker:
    return DoseMaker(formulations)


def dose_makers(formulations: Iterable[Formulation]) -> dict[str, DoseMaker]:
    """One memoised DoseMaker per drug among ``formulations``."""
    by_drug: dict[str, list[Formulation]] = {}
    for formulation in formulations:
        by_drug.setdefault(formulation.drug, []).append(formulation)
    return {drug: _maker(tuple(sorted(group, key=_canonical_order))) for drug, group in by_drug.items()}


def _canonical_order(formulation: Formulation) -> tuple[bool, str, Decimal, str]:
    return (bool(formulation.is_liquid), formulation.form, formulation.strength_mg, str(formulation.id))
