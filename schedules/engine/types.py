"""The plain data the engine takes in: formulations, equivalence tables, drugs, regimen, patient.

Doses are ``Decimal`` (exact milligrams as written on a label); diazepam equivalents are
``Fraction`` because a table value such as "1.5 mg = 10 mg diazepam" has no finite decimal
ratio. Nothing here reads the clock or the database.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, localcontext
from fractions import Fraction
from functools import cached_property, lru_cache

# Exact or an error: Decimal sums and products that Decimal could not hold exactly raise rather
# than round.
EXACT = Context(prec=60, traps=[Inexact])


class EngineError(Exception):
    """Bad input to the schedule engine. ``str(error)`` is one line a person can act on."""


# Days per switch stage: at most 28 (limits.py says why).
MAX_SWITCH_STAGE_DAYS = 28


class Slot(enum.StrEnum):
    """A time of day, in the order a day runs."""

    MORNING = "morning"
    MIDDAY = "midday"
    EVENING = "evening"
    NIGHT = "night"


# Reductions come from the earliest dose of the day first, so the night dose is the last to go
# (the default; configurable per plan).
DEFAULT_SLOT_ORDER: tuple[Slot, ...] = tuple(Slot)

# The switch moves the night dose first, then the rest one time of day at a time, "the way the
# UK guidance and the Ashton Manual describe" (the issue; Ashton Manual withdrawal schedules).
DEFAULT_SWITCH_ORDER: tuple[Slot, ...] = (Slot.NIGHT, Slot.EVENING, Slot.MIDDAY, Slot.MORNING)

_LIQUID_WORDS = ("solution", "suspension", "syrup", "liquid", "concentrate", "mixture", "elixir")
# Capsules, orally disintegrating tablets, films and modified-release products are never split
# (formulations.csv notes, e.g. Xanax XR "never split"; the issue).
_NEVER_SPLIT_WORDS = (
    "capsule",
    "disintegrating",
    "film",
    "sublingual",
    "extended",
    "modified",
    "prolonged",
    "sustained",
    "controlled",
    "delayed",
)
_SPLITS: dict[str, tuple[Fraction, ...]] = {
    "whole": (Fraction(1),),
    "half": (Fraction(1), Fraction(1, 2)),
    "quarter": (Fraction(1), Fraction(1, 2), Fraction(1, 4)),
}


def as_decimal(value: Decimal | int | str | float, *, what: str) -> Decimal:
    """An exact Decimal from what a caller typed; floats go through their shortest repr."""
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise EngineError(f"{what} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise EngineError(f"{what} must be a finite number, not {value!r}")
    return number


@lru_cache(maxsize=4096)
def _decimal_fraction(value: Decimal) -> Fraction:
    return Fraction(value)


def exact(value: Decimal | Fraction) -> Fraction:
    """A dose as an exact Fraction (Decimal conversions are memoised: they are hot)."""
    return value if isinstance(value, Fraction) else _decimal_fraction(value)


def format_mg(value: Decimal) -> str:
    """'2.5', '10', '0.125': an exact dose for people, without trailing zeros or exponents."""
    return format(value.normalize(), "f")


def round_fraction(value: Fraction, *, places: int) -> Decimal:
    """An exact fraction rounded half-up for presentation (never used in a decision)."""
    return round_ratio(value.numerator, value.denominator, places=places)


def round_ratio(numerator: int, denominator: int, *, places: int) -> Decimal:
    """``numerator / denominator`` (a denominator above 0) rounded as ``round_fraction`` does,
    without making the Fraction (a percentage is 100 times a fraction's numerator).

    The value is divided out in Decimal to at least 28 significant digits, then rounded to
    ``places``. Where those digits are more than the denominator needs to tell the value from the
    nearest half-way point, that is the same as rounding the exact value, which is done on
    integers (quicker: a schedule rounds two values a step for people)."""
    scale = 10**places
    # |value - a half-way point| >= 1 / (2 * denominator * scale) when not on it, and the
    # division errs by at most 0.5 * 10**(whole digits - 28): below that when this holds.
    if max(abs(numerator), denominator) * scale < _EXACT_BELOW:
        rounded, rest = divmod(abs(numerator) * scale, denominator)
        if 2 * rest >= denominator:
            rounded += 1
        return Decimal(f"{'-' if numerator < 0 else ''}{rounded}E-{places}")
    return _round_by_division(Fraction(numerator, denominator), places=places)


# 10**27: with at most that many (x 10**-places), the integer rounding above is the division's.
_EXACT_BELOW = 10**27


def _round_by_division(value: Fraction, *, places: int) -> Decimal:
    """``round_fraction`` by Decimal division, to at least 28 significant digits."""
    digits = len(str(abs(value.numerator) // value.denominator)) + places + 2
    with localcontext(prec=max(28, digits)):
        quotient = Decimal(value.numerator) / Decimal(value.denominator)
        return quotient.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_de(value: Fraction) -> Decimal:
    """A diazepam-equivalent amount for people: 2 decimals, or two significant digits below
    0.005 mg, so an amount above 0 is never shown as 0 (issue 14: a tenfold equivalence made
    lorazepam 2 mg a day read "0 mg")."""
    rounded = round_fraction(value, places=2)
    if rounded or not value:
        return rounded
    places = 2
    while not rounded:
        places += 1
        rounded = round_fraction(value, places=places)
    return round_fraction(value, places=places + 1)


def format_de(value: Fraction) -> str:
    """A diazepam-equivalent amount for people (``round_de``)."""
    return format_mg(round_de(value))


def format_percent(value: Fraction) -> str:
    """A fraction as a percentage for people: 0.125 -> '12.5'."""
    return format_mg(round_ratio(value.numerator * 100, value.denominator, places=1))


@dataclass(frozen=True)
class Formulation:
    """One product a patient may be given.

    ``strength_mg`` is mg per unit (tablet, capsule) or mg per mL for a liquid. ``divisible``
    says how far a tablet may be split ("whole", "half", "quarter"); capsules, orally
    disintegrating tablets and modified-release forms are never split whatever it says.
    ``is_liquid`` is derived from the form unless given. ``id`` is free for the caller to map
    a unit back to its own record. ``market`` is the market the product is sold in (a plan never
    mixes two markets' products); None when the caller does not say.
    """

    drug: str
    form: str
    strength_mg: Decimal
    divisible: str = "whole"
    is_liquid: bool | None = None
    modified_release: bool = False
    id: int | str | None = None
    market: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "drug", self.drug.strip().lower())
        object.__setattr__(self, "form", self.form.strip().lower())
        strength = as_decimal(self.strength_mg, what=f"{self.drug} strength")
        if strength <= 0:
            raise EngineError(f"{self.drug} {self.form}: strength must be above 0 mg")
        object.__setattr__(self, "strength_mg", strength)
        if self.divisible not in _SPLITS:
            raise EngineError(
                f"{self.drug} {self.form}: divisible must be whole, half or quarter, not {self.divisible!r}"
            )
        if self.is_liquid is None:
            object.__setattr__(self, "is_liquid", any(w in self.form for w in _LIQUID_WORDS))

    @property
    def fractions(self) -> tuple[Fraction, ...]:
        """The parts of one unit a person may take: (1,), (1, 1/2) or (1, 1/2, 1/4)."""
        never_split = self.modified_release or any(w in self.form for w in _NEVER_SPLIT_WORDS)
        return _SPLITS["whole"] if never_split else _SPLITS[self.divisible]

    def describe(self) -> str:
        """'2 mg tablet' or '1 mg/mL oral solution'."""
        unit = "mg/mL" if self.is_liquid else "mg"
        return f"{format_mg(self.strength_mg)} {unit} {self.form}"


@dataclass(frozen=True)
class EquivalenceEntry:
    """``dose_mg`` of ``drug`` is equivalent to the table's reference diazepam dose.

    Where the source gives a range, ``min_mg``/``max_mg`` hold it and ``dose_mg`` is the point
    value chosen (clinical-reference.md: "show the range and say that a point value was chosen").
    """

    drug: str
    dose_mg: Decimal
    min_mg: Decimal | None = None
    max_mg: Decimal | None = None
    verified: bool = True
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "drug", self.drug.strip().lower())
        dose = as_decimal(self.dose_mg, what=f"{self.drug} equivalent dose")
        if dose <= 0:
            raise EngineError(f"{self.drug}: equivalent dose must be above 0 mg")
        object.__setattr__(self, "dose_mg", dose)

    @property
    def is_range(self) -> bool:
        return self.min_mg is not None and self.max_mg is not None and self.min_mg != self.max_mg


@dataclass(frozen=True)
class EquivalenceTable:
    """One source's equivalences, each stated against ``reference_diazepam_mg`` (5 or 10 mg)."""

    key: str
    name: str
    citation: str
    reference_diazepam_mg: Decimal
    entries: tuple[EquivalenceEntry, ...]

    def __post_init__(self) -> None:
        reference = as_decimal(self.reference_diazepam_mg, what="reference diazepam dose")
        if reference <= 0:
            raise EngineError(f"{self.name}: the reference diazepam dose must be above 0 mg")
        object.__setattr__(self, "reference_diazepam_mg", reference)
        object.__setattr__(self, "entries", tuple(self.entries))

    @cached_property
    def _by_drug(self) -> dict[str, EquivalenceEntry]:
        return {entry.drug: entry for entry in self.entries}

    @property
    def drugs(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_drug))

    def entry(self, drug: str) -> EquivalenceEntry:
        """The entry for ``drug``; an unknown drug raises EngineError naming the known ones."""
        try:
            return self._by_drug[drug]
        except KeyError:
            known = ", ".join(self.drugs)
            raise EngineError(f"unknown drug {drug!r} in the {self.name}; known: {known}") from None

    @cached_property
    def _factors(self) -> dict[str, Fraction]:
        """Diazepam-equivalent mg per mg of each drug."""
        reference = Fraction(self.reference_diazepam_mg)
        return {drug: reference / Fraction(entry.dose_mg) for drug, entry in self._by_drug.items()}

    @cached_property
    def _converted(self) -> dict[tuple[str, Decimal | Fraction], Fraction]:
        """Memoised conversions (a plan asks for the same few doses on every step)."""
        return {}

    def to_diazepam(self, drug: str, mg: Decimal | Fraction) -> Fraction:
        """Diazepam-equivalent mg of ``mg`` of ``drug``, exactly."""
        key = (drug, mg)
        found = self._converted.get(key)
        if found is None:
            self.entry(drug)
            found = exact(mg) * self._factors[drug]
            if len(self._converted) < 20_000:
                self._converted[key] = found
        return found

    def from_diazepam(self, drug: str, diazepam_mg: Fraction) -> Fraction:
        """Mg of ``drug`` equivalent to ``diazepam_mg`` diazepam, exactly."""
        self.entry(drug)
        return diazepam_mg / self._factors[drug]


@dataclass(frozen=True)
class DrugInfo:
    """What the checks need to know about a drug beyond its equivalence.

    ``has_long_lived_active_metabolite``: e.g. diazepam, chlordiazepoxide (drugs.csv metabolite
    half-life 36-200 h); the caller derives it from its half-life data.
    ``may_treat_epilepsy``: clonazepam, clobazam (NHS Scotland, "Switching to diazepam").
    ``liquid_available``: an oral liquid exists in the market, even if not allowed here.
    ``short_acting``: an elimination half-life of a day or less and no long-lived active
    metabolite (drugs.csv half-lives, Ashton Manual Table 1): doses wear off between doses, so
    a taper spreads its cuts across the times of day (inter-dose withdrawal).
    """

    name: str
    has_long_lived_active_metabolite: bool = False
    may_treat_epilepsy: bool = False
    liquid_available: bool = False
    short_acting: bool = False


@dataclass(frozen=True)
class RegimenItem:
    """One drug the patient takes now, in mg at each time of day (missing slots are 0)."""

    drug: str
    doses: Mapping[Slot, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        drug = self.drug.strip().lower()
        object.__setattr__(self, "drug", drug)
        doses: dict[Slot, Decimal] = {}
        for slot, value in self.doses.items():
            mg = as_decimal(value, what=f"{drug} {Slot(slot).value} dose")
            if mg < 0:
                raise EngineError(f"{drug} {Slot(slot).value} dose must not be negative ({mg} mg)")
            if mg:
                doses[Slot(slot)] = mg
        if not doses:
            raise EngineError(f"{drug}: the regimen needs a dose above 0 mg at some time of day")
        object.__setattr__(self, "doses", {slot: doses[slot] for slot in Slot if slot in doses})

    @property
    def daily_mg(self) -> Decimal:
        return sum(self.doses.values(), Decimal(0))


@dataclass(frozen=True)
class PatientFactors:
    """The patient facts the checks warn about."""

    age: int | None = None
    hepatic_impairment: bool = False
    pregnant: bool = False
    opioid_co_use: bool = False
    cns_depressant_co_use: bool = False
    seizure_history: bool = False


@dataclass(frozen=True)
class Switch:
    """Move the regimen onto a longer-acting drug before tapering it.

    One time of day per stage, in ``slot_order`` (night first), at most
    ``max_de_per_stage_mg`` diazepam-equivalent moved per stage, each stage ``stage_days`` long.
    Defaults: 7-day stages (JCPG 2025 Table 7 text: transition "over 1-2 weeks rather than
    1-2 days"; NHS Scotland: review 5-7 days after a switch); 10 mg per stage is the issue's
    default, after the Ashton Manual's one-dose-at-a-time substitution schedules.
    """

    to_drug: str = "diazepam"
    stage_days: int = 7
    max_de_per_stage_mg: Decimal = Decimal(10)
    slot_order: tuple[Slot, ...] = DEFAULT_SWITCH_ORDER

    def __post_init__(self) -> None:
        object.__setattr__(self, "to_drug", self.to_drug.strip().lower())
        # Bounds: see limits.py (types.py cannot import it: limits imports EngineError from here).
        if isinstance(self.stage_days, bool) or not isinstance(self.stage_days, int):
            raise EngineError(f"switch stages must last a whole number of days, not {self.stage_days!r}")
        if self.stage_days < 1:
            raise EngineError(f"switch stages must last at least 1 day, not {self.stage_days}")
        if self.stage_days > MAX_SWITCH_STAGE_DAYS:
            raise EngineError(
                f"switch stages must last at most {MAX_SWITCH_STAGE_DAYS} days, not {self.stage_days}"
            )
        limit = as_decimal(self.max_de_per_stage_mg, what="switch amount per stage")
        if limit <= 0:
            raise EngineError("the switch must move more than 0 mg per stage")
        object.__setattr__(self, "max_de_per_stage_mg", limit)
        check_slot_order(self.slot_order, what="switch slot order")


def check_slot_order(order: tuple[Slot, ...], *, what: str) -> None:
    """Raise unless ``order`` names every time of day exactly once."""
    if set(order) != set(Slot) or len(order) != len(Slot):
        names = ", ".join(slot.value for slot in Slot)
        raise EngineError(f"{what} must list each of {names} once")
