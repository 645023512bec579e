"""Taper methods: what daily dose the next step aims for, and the named presets.

Every method works on the daily diazepam-equivalent (DE) total, exactly (``Fraction``). A method
only says where the next step should land; the planner then picks the nearest dose a person can
take that is not a larger reduction than that.

Units: ``LinearMethod.step_mg`` (and a target end dose) are in mg of the drug being tapered (the
switch target when switching); when several drugs are tapered together they are in mg DE.
Bands are always in mg DE, as the NICE CKS rule is written for diazepam.

Planning works in whole units of a small amount of DE (scale.py), so each method also gives its
rule in those units (``aim``): integers in, an exact ratio of integers out, no Fraction made per
step. ``next_target`` in mg is the same rule, asked with a unit that makes the dose whole.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import ClassVar

from .types import EngineError, as_decimal, format_mg

ToDiazepam = Callable[[Decimal], Fraction]
# A method's rule in whole units of DE: the current daily DE -> the target's (numerator,
# denominator), a denominator above 0, not necessarily in lowest terms.
Aim = Callable[[int], tuple[int, int]]

# JCPG 2025 (ASAM et al., J Gen Intern Med 2025; APhA summary): "at least 2 weeks between dose
# reduction". The default interval for methods that do not set their own.
GUIDELINE_INTERVAL_DAYS = 14

# The bounds for a percent taper: 1-50% of the current dose per step.
MIN_PERCENT = Decimal(1)
MAX_PERCENT = Decimal(50)


class _Targets(ABC):
    """``next_target`` from a method's ``aim``: the one rule, in mg."""

    @abstractmethod
    def aim(self, *, unit: Fraction, to_diazepam: ToDiazepam) -> Aim:
        """The rule in whole units of ``unit`` mg DE (see ``Aim``)."""

    def next_target(self, *, current_de: Fraction, to_diazepam: ToDiazepam) -> Fraction:
        """The daily DE (mg) the next step aims for from ``current_de``."""
        # In units of 1/denominator mg the current dose is its numerator, a whole number.
        numerator, denominator = self.aim(unit=Fraction(1, current_de.denominator), to_diazepam=to_diazepam)(
            current_de.numerator
        )
        return Fraction(numerator, denominator * current_de.denominator)


def _in_units(mg: Fraction, unit: Fraction) -> tuple[int, int]:
    """``mg`` in units of ``unit`` mg, as (numerator, denominator)."""
    return mg.numerator * unit.denominator, mg.denominator * unit.numerator


@dataclass(frozen=True)
class PercentMethod(_Targets):
    """Each step cuts ``percent`` % of the *current* daily dose.

    Proportional ("hyperbolic") reductions, as recommended by the Maudsley Deprescribing
    Guidelines (Horowitz & Taylor, 2024): steps shrink as the dose falls.
    """

    percent: Decimal
    name: ClassVar[str] = "percent"

    def __post_init__(self) -> None:
        percent = as_decimal(self.percent, what="percent")
        if not MIN_PERCENT <= percent <= MAX_PERCENT:
            raise EngineError(f"percent must be between 1 and 50, not {format_mg(percent)}")
        object.__setattr__(self, "percent", percent)

    @property
    def default_interval_days(self) -> int:
        return GUIDELINE_INTERVAL_DAYS

    def aim(self, *, unit: Fraction, to_diazepam: ToDiazepam) -> Aim:
        """The current dose times the part a cut of ``percent`` % keeps."""
        kept = _kept(self.percent)
        numerator, denominator = kept.numerator, kept.denominator
        return lambda current: (current * numerator, denominator)

    def describe(self) -> str:
        return f"{format_mg(self.percent)}% of the current dose"


@lru_cache(maxsize=64)
def _kept(percent: Decimal) -> Fraction:
    """The part of the dose a cut of ``percent`` % keeps (worked out once per percentage)."""
    return 1 - Fraction(percent) / 100


@dataclass(frozen=True)
class LinearMethod(_Targets):
    """Each step cuts a fixed ``step_mg`` (mg of the tapered drug; see the module docstring)."""

    step_mg: Decimal
    name: ClassVar[str] = "linear"

    def __post_init__(self) -> None:
        step = as_decimal(self.step_mg, what="step")
        if step <= 0:
            raise EngineError(f"the step must be above 0 mg, not {format_mg(step)}")
        object.__setattr__(self, "step_mg", step)

    @property
    def default_interval_days(self) -> int:
        return GUIDELINE_INTERVAL_DAYS

    def aim(self, *, unit: Fraction, to_diazepam: ToDiazepam) -> Aim:
        """The current dose less ``step_mg`` of the tapered drug."""
        step_num, step_den = _in_units(to_diazepam(self.step_mg), unit)
        return lambda current: (current * step_den - step_num, step_den)

    def describe(self) -> str:
        return f"{format_mg(self.step_mg)} mg a step"


@dataclass(frozen=True)
class _Band:
    above_mg: Decimal  # the band applies while the daily DE is above this, down to it
    slow_step_mg: Decimal
    fast_step_mg: Decimal


# NICE CKS "Benzodiazepine and z-drug withdrawal", adapted from the Ashton Manual (via
# CKS-DERIV, [V2] in clinical-reference.md section 4.2): reduce by 2-4 mg until 20 mg/day, then
# 1-2 mg until 10 mg/day, then 1 mg until 5 mg/day, then 0.5-1 mg until stopped, every 1-2 weeks.
_BANDS = (
    _Band(Decimal(20), Decimal(2), Decimal(4)),
    _Band(Decimal(10), Decimal(1), Decimal(2)),
    _Band(Decimal(5), Decimal(1), Decimal(1)),
    _Band(Decimal(0), Decimal("0.5"), Decimal(1)),
)
# Same source: "every 1-2 weeks"; slow takes 2 weeks, fast 1 week.
_BAND_INTERVAL_DAYS = {"slow": 14, "fast": 7}
# The shortest interval the bands allow ("every 1-2 weeks").
CKS_BAND_MIN_INTERVAL_DAYS = 7


def within_cks_bands(*, before_de: Fraction, after_de: Fraction) -> bool:
    """Whether a cut from ``before_de`` to ``after_de`` (mg diazepam a day, above 0) is one the
    NICE CKS bands prescribe: no larger than the band's largest step (4, 2, 1, 1 mg) and not past
    the band's lower edge. Either pace's step, or any step between them, is the band's."""
    band = next(b for b in _BANDS if before_de > b.above_mg)
    return after_de >= band.above_mg and before_de - after_de <= band.fast_step_mg


@dataclass(frozen=True)
class BandsMethod(_Targets):
    """The NICE CKS / Ashton diazepam bands, in mg DE.

    ``slow`` takes the small end of each band and 2-week intervals, ``fast`` the large end and
    1-week intervals. A step never jumps past the band's lower edge (from 21 mg a 4 mg step
    lands on 20, not 17).
    """

    pace: str = "slow"
    name: ClassVar[str] = "bands"

    def __post_init__(self) -> None:
        if self.pace not in _BAND_INTERVAL_DAYS:
            raise EngineError(f"pace must be slow or fast, not {self.pace!r}")

    @property
    def default_interval_days(self) -> int:
        return _BAND_INTERVAL_DAYS[self.pace]

    def aim(self, *, unit: Fraction, to_diazepam: ToDiazepam) -> Aim:
        """The current dose less the band's step, not below the band's lower edge."""
        bands = [
            (
                _in_units(Fraction(band.above_mg), unit),
                _in_units(Fraction(band.slow_step_mg if self.pace == "slow" else band.fast_step_mg), unit),
            )
            for band in _BANDS
        ]

        def aim(current: int) -> tuple[int, int]:
            (edge_num, edge_den), (step_num, step_den) = next(b for b in bands if current * b[0][1] > b[0][0])
            stepped = current * step_den - step_num
            if stepped * edge_den >= edge_num * step_den:
                return stepped, step_den
            return edge_num, edge_den

        return aim

    def describe(self) -> str:
        return f"NICE CKS diazepam bands, {self.pace}"


Method = PercentMethod | LinearMethod | BandsMethod


@dataclass(frozen=True)
class Preset:
    """A named method with its interval and the guideline it follows."""

    key: str
    label: str
    method: Method
    interval_days: int
    source: str


_JCPG = (
    "Joint Clinical Practice Guideline on Benzodiazepine Tapering (ASAM et al.), "
    "J Gen Intern Med 2025: 'Typical initial dose reduction: 5-10% every 2-4 weeks'"
)
_CKS = (
    "NICE CKS Benzodiazepine and z-drug withdrawal (adapted from the Ashton Manual): "
    "2-4 mg to 20 mg/day, 1-2 mg to 10, 1 mg to 5, 0.5-1 mg until stopped, every 1-2 weeks"
)

PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in (
        # JCPG 2025 algorithm: 5-10% every 2-4 weeks; standard = 10% / 2 weeks.
        Preset("jcpg-standard", "2025 Joint Guideline, standard", PercentMethod(Decimal(10)), 14, _JCPG),
        # JCPG 2025 algorithm: the slow end, 5% / 4 weeks.
        Preset("jcpg-slow", "2025 Joint Guideline, slow", PercentMethod(Decimal(5)), 28, _JCPG),
        Preset("cks-bands-slow", "NICE CKS diazepam bands, slow", BandsMethod("slow"), 14, _CKS),
        Preset("cks-bands-fast", "NICE CKS diazepam bands, fast", BandsMethod("fast"), 7, _CKS),
    )
}


def method_label(*, method: Method, interval_days: int | None) -> str:
    """How a plan's method reads where plans are grouped by it: the preset's label when the method
    and the interval are a preset's (the interval left empty takes the method's own), else the
    method and its interval."""
    interval = interval_days or method.default_interval_days
    for preset in PRESETS.values():
        if preset.method == method and preset.interval_days == interval:
            return preset.label
    return f"{method.describe()}, every {interval} days"
