"""What the engine returns: a schedule of steps, its warnings and what to dispense.

A ``Schedule`` keeps the ``PlanRequest`` it was planned from, so a hold can be inserted or the
rest re-planned later without the caller repeating every input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

from .doses import LIQUID_STEP_ML, MAX_LIQUID_DOSE_ML, Unit
from .methods import Method
from .types import (
    DEFAULT_SLOT_ORDER,
    DrugInfo,
    EquivalenceTable,
    Formulation,
    PatientFactors,
    RegimenItem,
    Slot,
    Switch,
    format_mg,
    round_de,
    round_ratio,
)

# The last daily dose before stopping, in mg diazepam-equivalent: 0.5 mg, the final step of the
# NICE CKS schedule adapted from the Ashton Manual ("reduce by 0.5-1 mg every 1-2 weeks until
# completely stopped": CKS-DERIV, clinical-reference.md section 4.2). A taper that ends with a
# stop never goes below it before stopping; a prescriber may ask for a lower one (see checks).
LAST_DOSE_DE_MG = Decimal("0.5")
# A lower last dose than that is allowed down to MIN_LAST_DOSE_DE_MG (a tenth of it: a local bound,
# the builder's and the command line's alike, issue 14), and at most up to CKS's 1 mg step.
MIN_LAST_DOSE_DE_MG = Decimal("0.05")
MAX_LAST_DOSE_DE_MG = Decimal(1)

# drug -> time of day -> mg; only doses above 0 are present.
Doses = Mapping[str, Mapping[Slot, Decimal]]
_T = TypeVar("_T")


def made(cls: type[_T], /, **fields: Any) -> _T:
    """The engine's own instance of the frozen dataclass ``cls``, from every one of its fields.

    The same object as ``cls(**fields)``, made at a third of the cost: a frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__``, and a plan makes hundreds of
    steps and doses. Nothing is checked, so it is only for values the engine worked out itself,
    with every field given (tests/engine/test_types.py checks the two agree)."""
    instance = object.__new__(cls)
    instance.__dict__.update(fields)
    return instance


def daily_de(doses: Doses, table: EquivalenceTable) -> Fraction:
    """The exact daily diazepam-equivalent of ``doses``."""
    return sum(
        (table.to_diazepam(drug, mg) for drug, slots in doses.items() for mg in slots.values()),
        Fraction(0),
    )


def with_dose(doses: Doses, drug: str, slot: Slot, mg: Decimal) -> dict[str, Mapping[Slot, Decimal]]:
    """A copy of ``doses`` with ``drug`` at ``slot`` set to ``mg`` (dropped when 0). The other
    drugs' doses are shared with ``doses``, not copied: neither is ever changed in place."""
    slots = dict(doses.get(drug, {}))
    if mg:
        slots[slot] = mg
    else:
        slots.pop(slot, None)
    result = {**doses, drug: slots}
    return {name: slots for name, slots in result.items() if slots}


@dataclass(frozen=True)
class ScheduleWarning:
    """A finding with its source.

    ``severity`` is "info" (a departure from the guideline's typical pace), "warning" (needs the
    clinician's attention) or "danger" (breaks a guideline ceiling or a safety rule). ``step`` is
    the step number it concerns, or None for the whole schedule.
    """

    code: str
    severity: str
    message: str
    source: str
    step: int | None = None


@dataclass(frozen=True)
class PlanRequest:
    """Everything a plan is made from (see ``plan_taper`` for the meaning of each field)."""

    regimen: tuple[RegimenItem, ...]
    table: EquivalenceTable
    drugs: tuple[DrugInfo, ...]
    formulations: tuple[Formulation, ...]
    method: Method
    start: dt.date
    interval_days: int | None = None
    switch: Switch | None = None
    target_daily_mg: Decimal | None = None
    patient: PatientFactors = field(default_factory=PatientFactors)
    slot_order: tuple[Slot, ...] = DEFAULT_SLOT_ORDER
    period_days: int = 28
    market: str | None = None
    liquid_strengths: tuple[tuple[str, Decimal], ...] = ()
    liquid_step_ml: Decimal = LIQUID_STEP_ML
    max_liquid_ml: Decimal = MAX_LIQUID_DOSE_ML
    last_dose_de_mg: Decimal = LAST_DOSE_DE_MG
    spread_cuts: bool | None = None

    def spreads_cuts(self, infos: Mapping[str, DrugInfo]) -> bool:
        """Cut the largest dose of the day first rather than emptying one time of day: by
        default for a short-acting drug tapered without a switch (inter-dose withdrawal)."""
        if self.spread_cuts is not None:
            return self.spread_cuts
        return self.switch is None and any(
            info.short_acting for info in infos.values() if info.name in self.initial_doses
        )

    @property
    def target_drug(self) -> str | None:
        """The drug ``target_daily_mg`` (and a linear step) is in: the switch target, or the
        only drug tapered; None when several drugs are tapered together (then mg diazepam-equivalent)."""
        if self.switch is not None:
            return self.switch.to_drug
        if len(self.regimen) == 1:
            return self.regimen[0].drug
        return None

    def describe_target(self) -> str | None:
        """'diazepam 1 mg a day' or '1 mg diazepam-equivalent a day'; None without a target."""
        if self.target_daily_mg is None:
            return None
        mg = format_mg(self.target_daily_mg)
        drug = self.target_drug
        return f"{drug} {mg} mg a day" if drug else f"{mg} mg diazepam-equivalent a day"

    @property
    def initial_doses(self) -> dict[str, dict[Slot, Decimal]]:
        return {item.drug: dict(item.doses) for item in self.regimen}

    @property
    def ends_with_stop(self) -> bool:
        """True when the schedule ends with nothing taken, False when it ends at a target dose."""
        return self.target_daily_mg is None


@dataclass(frozen=True)
class StepInput:
    """A step before dates and units are worked out: what planning and editing produce.

    ``flags`` are warnings found while planning this step (their ``step`` is filled in when the
    schedule is assembled, so steps can be renumbered).
    """

    days: int
    doses: Doses
    hold: bool = False
    phase: str = "taper"
    flags: tuple[ScheduleWarning, ...] = ()


@dataclass(frozen=True)
class Dose:
    """One drug at one time of day, with the units that make it."""

    drug: str
    slot: Slot
    mg: Decimal
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class Step:
    """A period on one regimen. ``end_date`` is its last day.

    ``phase`` is "switch", "taper" or "hold". ``diazepam_equivalent`` is the exact daily DE and
    ``change`` the exact fractional change from the step before (the pre-start regimen for
    step 1), negative for a reduction; the ``*_mg`` / ``*_percent`` properties round them for
    people.
    """

    number: int
    start_date: dt.date
    end_date: dt.date
    days: int
    hold: bool
    phase: str
    doses: tuple[Dose, ...]
    daily_mg: dict[str, Decimal]
    diazepam_equivalent: Fraction
    change: Fraction
    flags: tuple[ScheduleWarning, ...] = ()

    @property
    def diazepam_equivalent_mg(self) -> Decimal:
        return round_de(self.diazepam_equivalent)

    @property
    def change_percent(self) -> Decimal:
        return round_ratio(self.change.numerator * 100, self.change.denominator, places=1)

    def dose_map(self) -> dict[str, dict[Slot, Decimal]]:
        doses: dict[str, dict[Slot, Decimal]] = {}
        for dose in self.doses:
            doses.setdefault(dose.drug, {})[dose.slot] = dose.mg
        return doses

    def as_input(self) -> StepInput:
        """This step as an editable input (for ``validate_schedule``)."""
        flags = tuple(
            ScheduleWarning(code=f.code, severity=f.severity, message=f.message, source=f.source)
            for f in self.flags
        )
        return StepInput(days=self.days, doses=self.dose_map(), hold=self.hold, phase=self.phase, flags=flags)


@dataclass(frozen=True)
class DispensingItem:
    """Whole units (``quantity``) of a solid, or ``volume_ml`` of a liquid, for one period."""

    drug: str
    formulation: Formulation
    quantity: int | None = None
    volume_ml: Decimal | None = None


@dataclass(frozen=True)
class DispensingPeriod:
    start_date: dt.date
    end_date: dt.date
    items: tuple[DispensingItem, ...]


@dataclass(frozen=True)
class Schedule:
    """A planned (or edited) schedule.

    ``steps`` lists only steps in which something is taken. ``end_date`` is the first day after
    the last step: the first day with nothing taken when the schedule ends with a stop, or the
    day the target dose continues unchanged when it ends at a target.
    """

    request: PlanRequest
    steps: tuple[Step, ...]
    warnings: tuple[ScheduleWarning, ...]
    dispensing: tuple[DispensingPeriod, ...]

    @property
    def table(self) -> EquivalenceTable:
        return self.request.table

    @property
    def start_date(self) -> dt.date:
        return self.request.start

    @property
    def end_date(self) -> dt.date:
        if not self.steps:
            return self.start_date
        return self.steps[-1].end_date + dt.timedelta(days=1)

    @property
    def total_days(self) -> int:
        return (self.end_date - self.start_date).days

    def step_inputs(self) -> list[StepInput]:
        return [step.as_input() for step in self.steps]
