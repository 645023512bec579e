"""Planning: from a regimen to a schedule, and the edits a clinician makes to one.

Flow: validate the request, switch (optional), taper by the method until the end point, then
assemble the steps (dates, units, DE, change) and run the checks and dispensing. Planning,
holds, re-planning and validating an edited schedule all end in the same ``_assemble``, so an
edited schedule is checked exactly like a planned one.

End point and termination: with no target the taper runs until nothing is taken; the stop is
not a step (``Schedule.end_date`` is its day). Each step strictly lowers the daily total over a
finite set of achievable doses, so every schedule ends; below the smallest achievable dose the
only step left is the stop. With a target the taper ends at the smallest achievable daily dose
not below it, and the last step's dose continues after the schedule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any, NamedTuple

from .checks import check_schedule
from .dispensing import dispense
from .doses import DoseMaker, Measure, dose_makers, measured
from .limits import (
    MAX_INTERVAL_DAYS,
    MAX_PERIOD_DAYS,
    MAX_STEP_DAYS,
    MAX_STEP_MG,
    MAX_TARGET_MG,
    MIN_DOSE_MG,
    check_days,
    check_liquid_measures,
    check_mg,
)
from .methods import LinearMethod, Method
from .reduction import next_reduction, positions
from .scale import DeScale, Grids, Place, Planned
from .schedule import (
    LAST_DOSE_DE_MG,
    MAX_LAST_DOSE_DE_MG,
    MIN_LAST_DOSE_DE_MG,
    Dose,
    Doses,
    PlanRequest,
    Schedule,
    ScheduleWarning,
    Step,
    StepInput,
    daily_de,
    made,
)
from .switching import switch_stages
from .types import (
    DEFAULT_SLOT_ORDER,
    DrugInfo,
    EngineError,
    EquivalenceTable,
    Formulation,
    PatientFactors,
    RegimenItem,
    Slot,
    Switch,
    as_decimal,
    check_slot_order,
    format_de,
    format_mg,
    format_percent,
)

# The issue: a regimen above 300 mg diazepam-equivalent a day is implausible (a typing error).
MAX_PLAUSIBLE_DE_MG = 300

# A cut up to 1.25 times the one asked for (11.1% for 10%, because of tablet sizes) is
# information, not a warning: the product's tolerance (issue 8, warning hygiene).
CUT_TOLERANCE = Fraction(5, 4)

SOURCE_SMALLER_STEPS = (
    "Maudsley Deprescribing Guidelines (Horowitz & Taylor, 2024): use liquids or smaller "
    "formulations where tablets cannot make the dose"
)


def plan_taper(
    *,
    regimen: Sequence[RegimenItem],
    table: EquivalenceTable,
    drugs: Sequence[DrugInfo],
    formulations: Sequence[Formulation],
    method: Method,
    start: dt.date,
    interval_days: int | None = None,
    switch: Switch | None = None,
    target_daily_mg: Decimal | None = None,
    patient: PatientFactors | None = None,
    slot_order: Sequence[Slot] = DEFAULT_SLOT_ORDER,
    period_days: int = 28,
    market: str | None = None,
    last_dose_de_mg: Decimal = LAST_DOSE_DE_MG,
    spread_cuts: bool | None = None,
) -> Schedule:
    """Plan a taper schedule.

    ``regimen``: what the patient takes now. ``table``: the equivalence table to use.
    ``drugs``: a DrugInfo for every drug in the regimen and the switch. ``formulations``: what
    this patient may be given, for every drug that appears (the regimen's drugs and the switch
    drug). ``method`` and ``interval_days`` (days between reductions; None takes the method's
    default). ``switch``: move to a longer-acting drug first. ``target_daily_mg``: stop the
    taper at this daily dose (mg of the tapered drug, see ``methods``) instead of stopping.
    ``start``: the first day of step 1. ``slot_order``: the order reductions are taken from.
    ``period_days``: the prescription period for dispensing. ``market``: the market whose
    products the formulations are (every formulation that names a market must name this one).
    ``last_dose_de_mg``: a taper that ends with a stop goes no lower than this daily dose (mg
    diazepam-equivalent) before stopping (default 0.5 mg; see ``schedule.LAST_DOSE_DE_MG``).
    ``spread_cuts``: cut the largest dose of the day first (None: for a short-acting drug
    tapered without a switch). Liquid settings and a chosen liquid strength: build a ``PlanRequest`` and call
    ``plan_from_request``.
    """
    request = PlanRequest(
        regimen=tuple(regimen),
        table=table,
        drugs=tuple(drugs),
        formulations=tuple(formulations),
        method=method,
        start=start,
        interval_days=interval_days,
        switch=switch,
        target_daily_mg=target_daily_mg,
        patient=patient or PatientFactors(),
        slot_order=tuple(slot_order),
        period_days=period_days,
        market=market,
        last_dose_de_mg=last_dose_de_mg,
        spread_cuts=spread_cuts,
    )
    return plan_from_request(request)


def plan_from_request(request: PlanRequest) -> Schedule:
    """Plan a taper schedule from a complete request (see ``plan_taper`` for its fields).

    For a caller that already holds a ``PlanRequest``: one built from the reference data, or
    rebuilt from a saved plan's frozen values to plan again.
    """
    context = _Context.for_request(request)
    return _assemble(context, context.plan(request.initial_doses))


def validate_schedule(*, request: PlanRequest, steps: Sequence[StepInput]) -> Schedule:
    """Rebuild and check a schedule a person edited.

    Steps are renumbered and dated back to back from ``request.start``; each dose must be
    achievable from ``request.formulations`` (EngineError otherwise, naming the step). Returns
    the schedule with fresh units, DE, warnings and dispensing. The guideline checks are run
    afresh; the planning flags on the inputs (``step_larger_than_asked`` and the like, from
    ``Step.as_input``) are kept as given, so a caller that changes a step's doses passes that
    step without them.
    """
    return _assemble(_Context.for_request(request), steps)


def insert_hold(*, schedule: Schedule, after_step: int, days: int) -> Schedule:
    """Insert a step that keeps the dose of step ``after_step`` for ``days`` more days.

    ``after_step=0`` holds the pre-start regimen before step 1. Later steps move later.
    """
    inputs = schedule.step_inputs()
    if not 0 <= after_step <= len(inputs):
        raise EngineError(f"there is no step {after_step} to hold after (1-{len(inputs)})")
    check_days(days, what="a hold", most=MAX_STEP_DAYS)
    doses = inputs[after_step - 1].doses if after_step else schedule.request.initial_doses
    hold = StepInput(days=days, doses=doses, hold=True, phase="hold")
    inputs.insert(after_step, hold)
    return _assemble(_Context.for_request(schedule.request), inputs)


def replan_from(
    *,
    schedule: Schedule,
    step_number: int,
    method: Method | None = None,
    interval_days: int | None = None,
    switch: Switch | None = None,
    target_daily_mg: Decimal | None = None,
    formulations: Sequence[Formulation] | None = None,
) -> Schedule:
    """Re-plan from step ``step_number`` on, keeping the steps before it unchanged.

    Parameters left as None keep their current value. The new steps start from the doses of
    the step before ``step_number`` (the pre-start regimen for step 1); an unfinished switch
    carries on.
    """
    inputs = schedule.step_inputs()
    if not 1 <= step_number <= len(inputs):
        raise EngineError(f"there is no step {step_number} to re-plan from (1-{len(inputs)})")
    changes: dict[str, Any] = {
        "method": method,
        "interval_days": interval_days,
        "switch": switch,
        "target_daily_mg": target_daily_mg,
        "formulations": tuple(formulations) if formulations is not None else None,
    }
    request = replace(schedule.request, **{k: v for k, v in changes.items() if v is not None})
    context = _Context.for_request(request)
    kept = inputs[: step_number - 1]
    doses = kept[-1].doses if kept else request.initial_doses
    carried = tuple(drug for drug in doses if drug not in context.drug_order)
    if carried:
        # e.g. a switch to diazepam half done, re-planned as a switch to clonazepam: the
        # diazepam already given must be switched or tapered too.
        for drug in carried:
            request.table.entry(drug)
            if drug not in context.makers or drug not in context.infos:
                raise EngineError(f"step {step_number - 1} gives {drug}, which has no allowed formulation")
        context = replace(context, drug_order=(*context.drug_order, *carried))
    return _assemble(context, [*kept, *context.plan(doses)])


@dataclass(frozen=True)
class _Context:
    """A validated request with what planning needs at hand."""

    request: PlanRequest
    makers: Mapping[str, DoseMaker]
    infos: Mapping[str, DrugInfo]
    drug_order: tuple[str, ...]
    interval_days: int
    to_diazepam: Callable[[Decimal], Fraction]
    floor_de: Fraction
    scale: DeScale
    spread: bool = False

    @classmethod
    def for_request(cls, request: PlanRequest) -> _Context:
        table = request.table
        drug_order = _drug_order(request)
        for drug in drug_order:
            table.entry(drug)
        _check_request(request)
        makers = dose_makers(
            _one_liquid_each(request),
            liquid_step_ml=as_decimal(request.liquid_step_ml, what="the liquid measuring step"),
            max_liquid_ml=as_decimal(request.max_liquid_ml, what="the largest liquid dose"),
        )
        infos = {info.name: info for info in request.drugs}
        for drug in drug_order:
            if drug not in makers:
                raise EngineError(f"no allowed formulation of {drug}")
            if drug not in infos:
                raise EngineError(f"no drug information for {drug}")
        for item in request.regimen:
            for slot, mg in item.doses.items():
                if not makers[item.drug].is_achievable(mg):
                    raise EngineError(
                        f"the current {item.drug} {slot.value} dose of {format_mg(mg)} mg cannot "
                        f"be made from the allowed formulations ({makers[item.drug].describe()})"
                    )
        to_diazepam = _basis(request, drug_order)
        _check_step_size(request, to_diazepam)
        return cls(
            request=request,
            makers=makers,
            infos=infos,
            drug_order=drug_order,
            interval_days=request.interval_days or request.method.default_interval_days,
            to_diazepam=to_diazepam,
            floor_de=_floor_de(request, to_diazepam) or Fraction(_last_dose(request)),
            scale=DeScale.of(table, makers),
            spread=request.spreads_cuts(infos),
        )

    def plan(self, doses: Doses) -> list[Planned]:
        """Switch stages (if any) then taper steps, from ``doses``."""
        listed = self._listed(doses)
        if listed is None:
            # Only after re-planning with other formulations: a dose kept from the step before
            # is one they cannot make, and assembling that step says so.
            return []
        steps: list[Planned] = []
        switch = self.request.switch
        if switch is not None:
            stages = switch_stages(
                doses=doses,
                switch=switch,
                drug_order=self.drug_order,
                table=self.request.table,
                scale=self.scale,
            )
            for stage in stages:
                grids, mgs = self._listed(stage.doses) or ({}, {})
                steps.append(
                    Planned(stage.days, grids, mgs, self.scale.total(grids), stage.phase, stage.flags)
                )
            if steps:
                listed = steps[-1].grids, steps[-1].mgs
        return steps + self._taper(*listed)

    def _listed(self, doses: Doses) -> tuple[Grids, dict[Place, Decimal]] | None:
        """``doses`` above 0 in grid units and in mg, in the order a schedule lists them (see
        ``Planned``); None when one is not on its drug's grid."""
        grids = self.scale.grids(doses)
        if grids is None:
            return None
        places = sorted(grids, key=self._listing.__getitem__)
        return {place: grids[place] for place in places}, {(d, s): doses[d][s] for d, s in places}

    @cached_property
    def plausible_units(self) -> int:
        """The most daily DE, in the scale's units, that is plausible (``MAX_PLAUSIBLE_DE_MG``)."""
        unit = self.scale.unit
        return MAX_PLAUSIBLE_DE_MG * unit.denominator // unit.numerator

    @cached_property
    def _listing(self) -> dict[Place, tuple[int, int]]:
        """Each place's position in a step's list of doses: time of day, then drug."""
        return {
            (drug, slot): (slot_index, drug_index)
            for slot_index, slot in enumerate(_SLOTS)
            for drug_index, drug in enumerate(self.drug_order)
        }

    def _taper(self, grids: Grids, mgs: dict[Place, Decimal]) -> list[Planned]:
        """Reductions by the method until the end point, from ``grids`` (``mgs`` the same doses
        in mg): every decision on integers in grid and DE units (scale.py)."""
        scale = self.scale
        weights, makers = scale.weights, scale.makers
        steps: list[Planned] = []
        total = scale.total(grids)
        floor = floor_num, floor_den = scale.ratio(self.floor_de)
        aim = self.request.method.aim(unit=scale.unit, to_diazepam=self.to_diazepam)
        on_liquid = self._on_liquid(grids)
        # The doses present in the order cuts are taken from them; a taper only ever drops one.
        present = positions(grids, slot_order=self.request.slot_order, drug_order=self.drug_order)
        while True:
            target = aim(total)
            if target[0] * floor_den < floor_num * target[1]:
                target = floor
            order = present
            if self.spread:
                # The largest dose of the day first (ties in the configured order), so cuts
                # move round the times of day instead of emptying one first.
                order = sorted(present, key=lambda place: -weights[place[0]] * grids[place])
            reduction = next_reduction(
                grids=grids,
                total=total,
                target=target,
                floor=floor,
                order=order,
                scale=scale,
                on_liquid=on_liquid,
            )
            if reduction is None:
                break
            place, grid = reduction.place, reduction.grid
            if not grid and len(grids) == 1:
                # The stop is not a step: the checks give it its one warning (checks.py).
                break
            drug = place[0]
            after = total - weights[drug] * (grids[place] - grid)
            flags: tuple[ScheduleWarning, ...] = ()
            if reduction.larger_than_asked:
                flags = (self._larger_than_asked(drug, total, after, target),)
            total = after
            if grid:
                grids, mgs = {**grids, place: grid}, {**mgs, place: makers[drug].to_mg(grid)}
            else:
                present = [kept for kept in present if kept != place]
                grids = {key: n for key, n in grids.items() if key != place}
                mgs = {key: mg for key, mg in mgs.items() if key != place}
            # Only the dose just changed can go onto or off the liquid: asked again, a dose kept
            # as it was is measured as it was (DoseMaker.measure; tests/engine/test_properties).
            measure = (
                makers[drug].measure(grid, keep_liquid=on_liquid.get(place, Measure.ANY)) if grid else None
            )
            if measure:
                on_liquid[place] = measure
            else:
                on_liquid.pop(place, None)
            steps.append(Planned(self.interval_days, grids, mgs, total, "taper", flags))
        if steps and not self.request.ends_with_stop and total * floor_den > floor_num:
            last = steps[-1]
            steps[-1] = last._replace(flags=(*last.flags, self._target_not_exact(total)))
        return steps

    def _on_liquid(self, grids: Grids) -> dict[Place, Measure]:
        """How the first doses are measured with the liquid, as ``_assemble`` will make them
        (places measured without it left out)."""
        makers = self.makers
        measures = {place: makers[place[0]].measure(grid) for place, grid in grids.items()}
        return {place: measure for place, measure in measures.items() if measure}

    def _larger_than_asked(
        self, drug: str, current: int, after: int, target: tuple[int, int]
    ) -> ScheduleWarning:
        """The flag of a step that cuts ``drug``, and the daily DE from ``current`` to ``after``
        units where the method asked for ``target`` units (numerator, denominator)."""
        unit = self.scale.unit
        target_num, target_den = target
        new = self.scale.to_fraction(after)
        asked_cut = Fraction(current * target_den - target_num, current * target_den)
        made_cut = Fraction(current - after, current)
        liquid = self.infos[drug].liquid_available and not any(
            f.is_liquid for f in self.makers[drug].formulations
        )
        hint = f" An oral liquid of {drug} would allow smaller steps." if liquid else ""
        target_de = Fraction(target_num * unit.numerator, target_den * unit.denominator)
        asked = (
            f"The method ({self.request.method.describe()}) asked for "
            f"{format_de(target_de)} mg diazepam-equivalent a day"
        )
        if new:
            outcome = f"the nearest dose the allowed formulations can make is {format_de(new)} mg"
        else:
            outcome = "the allowed formulations make no smaller dose, so after this step the drug stops"
        # Within a quarter of the cut asked for (11.1% for an asked 10%): information.
        within = (current - after) * target_den * CUT_TOLERANCE.denominator <= (
            current * target_den - target_num
        ) * CUT_TOLERANCE.numerator
        return ScheduleWarning(
            code="step_larger_than_asked",
            severity="info" if within else "warning",
            message=(
                f"{asked}; {outcome}: a {format_percent(made_cut)}% cut instead of "
                f"{format_percent(asked_cut)}%.{hint}"
            ),
            source=SOURCE_SMALLER_STEPS,
        )

    def _target_not_exact(self, total: int) -> ScheduleWarning:
        return ScheduleWarning(
            code="target_not_exact",
            severity="info",
            message=(
                f"The target ({format_de(self.floor_de)} mg diazepam-equivalent a day) cannot be "
                f"made exactly; the schedule ends at {format_de(self.scale.to_fraction(total))} mg."
            ),
            source=SOURCE_SMALLER_STEPS,
        )


def _drug_order(request: PlanRequest) -> tuple[str, ...]:
    names = [item.drug for item in request.regimen]
    if len(set(names)) != len(names):
        raise EngineError("each drug may appear only once in the regimen")
    if request.switch is not None and request.switch.to_drug not in names:
        names.append(request.switch.to_drug)
    return tuple(names)


def _check_request(request: PlanRequest) -> None:
    if not request.regimen:
        raise EngineError("the regimen is empty")
    if request.interval_days is not None:
        check_days(request.interval_days, what="the interval", most=MAX_INTERVAL_DAYS)
    check_days(request.period_days, what="the prescription period", most=MAX_PERIOD_DAYS)
    check_slot_order(request.slot_order, what="the reduction order")
    check_liquid_measures(step_ml=request.liquid_step_ml, max_ml=request.max_liquid_ml)
    _check_one_market(request)
    _check_plausible(daily_de(request.initial_doses, request.table), what="the regimen")


def _one_liquid_each(request: PlanRequest) -> list[Formulation]:
    """The formulations with only the prescriber's chosen liquid strength of a drug, where one
    was chosen (the dose maker picks among the rest: one liquid strength per drug per plan)."""
    chosen: dict[str, Decimal] = {}
    for drug, strength in request.liquid_strengths:
        mg_per_ml = as_decimal(strength, what=f"the {drug} liquid strength")
        liquids = [f for f in request.formulations if f.drug == drug and f.is_liquid]
        if not any(f.strength_mg == mg_per_ml for f in liquids):
            offered = ", ".join(f"{format_mg(f.strength_mg)} mg/mL" for f in liquids) or "none"
            raise EngineError(
                f"there is no {format_mg(mg_per_ml)} mg/mL liquid of {drug} to choose (allowed: {offered})"
            )
        chosen[drug] = mg_per_ml
    return [
        f
        for f in request.formulations
        if not f.is_liquid or f.drug not in chosen or f.strength_mg == chosen[f.drug]
    ]


def _check_one_market(request: PlanRequest) -> None:
    """A plan uses the products of exactly one market (the request's, when it names one)."""
    markets = sorted({f.market for f in request.formulations if f.market is not None})
    if len(markets) > 1:
        raise EngineError(f"the products come from more than one market ({', '.join(markets)}): choose one")
    if request.market is not None and markets and markets != [request.market]:
        raise EngineError(f"the plan is for the {request.market} market but its products are {markets[0]}'s")


def _check_step_size(request: PlanRequest, to_diazepam: Callable[[Decimal], Fraction]) -> None:
    """A linear step must be smaller than the whole daily dose: a larger one is no taper."""
    method = request.method
    if not isinstance(method, LinearMethod):
        return
    start = daily_de(request.initial_doses, request.table)
    if to_diazepam(method.step_mg) >= start:
        raise EngineError(
            f"the step of {format_mg(method.step_mg)} mg is not smaller than the whole daily dose "
            f"({format_de(start)} mg diazepam-equivalent): choose a smaller step"
        )
    # The same bounds as the builder's field (limits.py).
    check_mg(method.step_mg, what="the step", least=MIN_DOSE_MG, most=MAX_STEP_MG)


def _check_plausible(de: Fraction, *, what: str) -> None:
    if de > MAX_PLAUSIBLE_DE_MG:
        amount = format_de(de) if de < 10**6 else "over a million"
        raise EngineError(
            f"{what} is {amount} mg diazepam-equivalent a day, above the plausible "
            f"{MAX_PLAUSIBLE_DE_MG} mg: check the doses"
        )


def _basis(request: PlanRequest, drug_order: Sequence[str]) -> Callable[[Decimal], Fraction]:
    """mg of the tapered drug -> mg DE (identity when several drugs are tapered together)."""
    table = request.table
    tapered = request.switch.to_drug if request.switch else None
    if tapered is None and len(drug_order) == 1:
        tapered = drug_order[0]
    if tapered is None:
        return Fraction
    drug = tapered
    return lambda mg: table.to_diazepam(drug, mg)


def _last_dose(request: PlanRequest) -> Decimal:
    """The last daily dose before a stop (mg DE), checked: from 0.05 to 1 mg."""
    last = as_decimal(request.last_dose_de_mg, what="the last dose before stopping")
    if not MIN_LAST_DOSE_DE_MG <= last <= MAX_LAST_DOSE_DE_MG:
        raise EngineError(
            f"the last dose before stopping must be at least {format_mg(MIN_LAST_DOSE_DE_MG)} and at most "
            f"{format_mg(MAX_LAST_DOSE_DE_MG)} mg diazepam-equivalent, not {format_mg(last)} mg"
        )
    return last


def _floor_de(request: PlanRequest, to_diazepam: Callable[[Decimal], Fraction]) -> Fraction:
    if request.target_daily_mg is None:
        return Fraction(0)
    target = check_mg(
        request.target_daily_mg, what="the target daily dose", least=MIN_DOSE_MG, most=MAX_TARGET_MG
    )
    floor = to_diazepam(target)
    start = daily_de(request.initial_doses, request.table)
    if not 0 < floor < start:
        what = f"{request.target_drug} " if request.target_drug else ""
        unit = "mg" if request.target_drug else "mg diazepam-equivalent"
        raise EngineError(
            "the target daily dose must be above 0 and below the current dose, not "
            f"{what}{format_mg(target)} {unit}"
        )
    return floor


def _assemble(context: _Context, inputs: Sequence[StepInput | Planned]) -> Schedule:
    request = context.request
    steps: list[Step] = []
    day = request.start
    initial = context.scale.grids(request.initial_doses)
    before = _Total(
        units=None if initial is None else context.scale.total(initial),
        de=daily_de(request.initial_doses, request.table),
    )
    # Once a time of day's dose is measured as a liquid, it stays a liquid while the liquid can
    # make it, and wholly a liquid once it was: going back and forth between tablets and a
    # syringe confuses patients.
    on_liquid: dict[Place, Measure] = {}
    doses_made: _Made = {}
    for number, step_input in enumerate(inputs, start=1):
        try:
            step, before = _build_step(context, number, day, step_input, before, on_liquid, doses_made)
        except OverflowError:
            raise EngineError(f"step {number} would end after the last date a calendar holds") from None
        steps.append(step)
        day = step.end_date + _ONE_DAY
    warnings = [flag for step in steps for flag in step.flags]
    warnings += check_schedule(request=request, steps=steps, makers=context.makers, infos=context.infos)
    warnings.sort(key=lambda w: (w.step is not None, w.step or 0))
    return Schedule(
        request=request,
        steps=tuple(steps),
        warnings=tuple(warnings),
        dispensing=dispense(steps=steps, start=request.start, end=day, period_days=request.period_days),
    )


class _Total(NamedTuple):
    """A daily DE: in the scale's units where every dose is on its grid (None otherwise), and exact."""

    units: int | None
    de: Fraction


# The doses a schedule has made, by (drug and time of day, grid units, how it was measured
# before), each with how it measures the dose with the liquid: a dose kept from one step to the
# next is made once.
_Made = dict[tuple[Place, int | None, Measure], tuple[Dose, Measure]]


def _build_step(
    context: _Context,
    number: int,
    start: dt.date,
    step_input: StepInput | Planned,
    before: _Total,
    on_liquid: dict[Place, Measure],
    doses_made: _Made,
) -> tuple[Step, _Total]:
    """The step, and its daily DE; ``on_liquid`` gains the places it measures as a liquid (a
    place never goes back to less of the liquid than it was measured with)."""
    scale = context.scale
    if isinstance(step_input, Planned):
        # Checked as planned: the days are the request's checked interval or switch stage.
        doses: Iterable[tuple[tuple[Place, int | None], Decimal]] = zip(
            step_input.grids.items(), step_input.mgs.values(), strict=True
        )
        total = _Total(step_input.units, scale.to_fraction(step_input.units))
    else:
        check_days(step_input.days, what=f"step {number}", most=MAX_STEP_DAYS)
        makers = context.makers
        checked = _checked_doses(context, number, step_input.doses)
        doses = [(((drug, slot), makers[drug].grid_of(mg)), mg) for drug, slot, mg in checked]
        total = _total(context, doses)
    if total.units is None or total.units > context.plausible_units:
        _check_plausible(total.de, what=f"step {number}")
    daily: dict[str, Decimal] = {}
    step_doses = []
    moved = []
    for (place, grid), mg in doses:
        drug = place[0]
        daily[drug] = daily.get(drug, _ZERO) + mg
        before_measure = on_liquid.get(place, Measure.ANY)
        key = (place, grid, before_measure)
        found = doses_made.get(key)
        if found is None or found[0].mg is not mg:
            found = doses_made[key] = _dose(context, number, place, mg, grid, keep_liquid=before_measure)
        step_doses.append(found[0])
        if found[1] > before_measure:
            moved.append((place, found[1]))
    on_liquid.update(moved)
    if total.units is not None and before.units is not None:
        change = Fraction(total.units - before.units, before.units)
    else:
        change = total.de / before.de - 1
    step = made(
        Step,
        number=number,
        start_date=start,
        end_date=start + dt.timedelta(step_input.days - 1),
        days=step_input.days,
        hold=step_input.hold,
        phase=step_input.phase,
        doses=tuple(step_doses),
        daily_mg=daily,
        diazepam_equivalent=total.de,
        change=change,
        flags=tuple(replace(flag, step=number) for flag in step_input.flags) if step_input.flags else (),
    )
    return step, total


_ZERO = Decimal(0)
_ONE_DAY = dt.timedelta(days=1)
_SLOTS = tuple(Slot)


def _total(context: _Context, doses: list[tuple[tuple[Place, int | None], Decimal]]) -> _Total:
    """The daily DE of ``doses``: added up in the scale's units when every dose is on its grid."""
    weights = context.scale.weights
    units = 0
    for ((drug, _), grid), _ in doses:
        weight = weights.get(drug)
        if grid is None or weight is None:
            table = context.request.table
            return _Total(
                units=None, de=sum((table.to_diazepam(d, mg) for ((d, _), _), mg in doses), Fraction(0))
            )
        units += weight * grid
    return _Total(units=units, de=context.scale.to_fraction(units))


def _checked_doses(context: _Context, number: int, doses: Doses) -> list[tuple[str, Slot, Decimal]]:
    """The step's (drug, time of day, mg) above 0, in day order then drug order."""
    for drug in doses:
        if drug not in context.makers or drug not in context.infos:
            raise EngineError(f"step {number}: {drug} has no allowed formulation or drug information")
    result = []
    drugs = (
        sorted(doses, key=lambda name: _position(context.drug_order, name)) if len(doses) > 1 else list(doses)
    )
    for slot in _SLOTS:
        for drug in drugs:
            value = doses[drug].get(slot)
            if value is None:
                continue
            if type(value) is Decimal and value.is_finite():
                mg = value
            else:
                mg = as_decimal(value or 0, what=f"step {number} {drug} {slot.value} dose")
            if mg < 0:
                raise EngineError(f"step {number}: {drug} {slot.value} dose must not be negative")
            if mg:
                result.append((drug, slot, mg))
    if not result:
        raise EngineError(f"step {number} has no dose; end the schedule before it instead")
    return result


def _dose(
    context: _Context, number: int, place: Place, mg: Decimal, grid: int | None, *, keep_liquid: Measure
) -> tuple[Dose, Measure]:
    """The dose at ``place``, and how it measures it with the liquid."""
    drug, slot = place
    maker = context.makers[drug]
    try:
        units = maker.units(mg) if grid is None else maker.units_at(grid, keep_liquid=keep_liquid)
    except EngineError as error:
        raise EngineError(f"step {number}, {slot.value}: {error}") from None
    return made(Dose, drug=drug, slot=slot, mg=mg, units=units), measured(units)


def _position(order: Sequence[str], drug: str) -> tuple[int, str]:
    return (order.index(drug) if drug in order else len(order), drug)
