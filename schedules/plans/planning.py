"""Hand the database's reference data to the schedule engine, as the engine's plain dataclasses.

The engine (schedules.engine) knows nothing of Django; this module is the one place that turns
drugs, formulations and equivalence tables into its inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from fractions import Fraction

from django.conf import settings

from schedules import engine
from schedules.engine.serialize import request_drugs
from schedules.models import (
    CLINIC_MARKETS,
    Confidence,
    Drug,
    Equivalence,
    EquivalenceTable,
    Formulation,
    Plan,
)

# Plans are built from immediate-release oral forms; modified-release products are a different
# release profile and are never split (formulations.csv: "never split").
PLAN_FORMS = (Formulation.Form.TABLET, Formulation.Form.CAPSULE)
SPLIT_ORDER = tuple(Formulation.Divisible.values)  # whole, half, quarter: least split first


class PlanningError(engine.EngineError):
    """A request that names something the reference data does not hold."""


class Reference:
    """The reference data of one request, each part read once when first asked for: every drug,
    every equivalence table with its entries, and the formulations of each market asked for.

    A request's several look-ups (the builder's choices, the plan's request, the comparison of
    tables) share one, in a handful of queries. Make one per request and drop it: it is never kept
    across requests, so an administrator's change shows at once.
    """

    def __init__(self) -> None:
        self._drugs: dict[str, Drug] | None = None
        self._tables: list[EquivalenceTable] | None = None
        self._entries: dict[int, list[engine.EquivalenceEntry]] | None = None
        self._products: dict[str | None, list[Formulation]] = {}
        # The schedules planned in this request, by their choices (``plan``).
        self.schedules: dict[str, engine.Schedule] = {}

    @property
    def drugs(self) -> dict[str, Drug]:
        """Every drug by name, in name order."""
        if self._drugs is None:
            self._drugs = {drug.name: drug for drug in Drug.objects.all()}
        return self._drugs

    @property
    def tables(self) -> list[EquivalenceTable]:
        """Every equivalence table, the default first."""
        if self._tables is None:
            self._tables = list(EquivalenceTable.objects.all())
        return self._tables

    def engine_table(self, table: EquivalenceTable) -> engine.EquivalenceTable:
        """``table`` (one of ``tables``) as the engine takes it; the first call reads the entries
        of every table, in one query."""
        if self._entries is None:
            self._entries = _entries()
        return _engine_table(table, self._entries.get(table.pk, []))

    def products(self, market: str | None) -> list[Formulation]:
        """Every formulation of ``market`` (of every market when None), with its drug, in the
        model's order (drug, market, form, release, strength)."""
        if market not in self._products:
            products = Formulation.objects.all()
            self._products[market] = self._with_drugs(products.for_market(market) if market else products)
        return self._products[market]

    def _with_drugs(self, rows: Iterable[Formulation]) -> list[Formulation]:
        """``rows`` with their drugs set from ``drugs`` (one query for all, not one join each)."""
        by_id = {drug.pk: drug for drug in self.drugs.values()}
        rows = list(rows)
        for row in rows:
            row.drug = by_id[row.drug_id]
        return rows


def table_by_key(key: str | None, reference: Reference | None = None) -> EquivalenceTable:
    """The table with `key`, or the default table when `key` is None."""
    tables = (reference or Reference()).tables
    table = next((t for t in tables if (t.is_default if key is None else t.key == key)), None)
    if table is None:
        known = ", ".join(t.key for t in tables)
        raise PlanningError(f"unknown equivalence table {key!r}; known: {known}")
    return table


def drug_by_name(name: str, reference: Reference | None = None) -> Drug:
    drugs = (reference or Reference()).drugs
    drug = drugs.get(name.strip().lower())
    if drug is None:
        known = ", ".join(drugs)
        raise PlanningError(f"unknown drug {name!r}; known: {known}")
    return drug


def engine_table(table: EquivalenceTable) -> engine.EquivalenceTable:
    return _engine_table(table, _entries([table.pk]).get(table.pk, []))


def _engine_table(
    table: EquivalenceTable, entries: Sequence[engine.EquivalenceEntry]
) -> engine.EquivalenceTable:
    return engine.EquivalenceTable(
        key=table.key,
        name=table.name,
        citation=table.citation,
        reference_diazepam_mg=table.reference_diazepam_mg,
        entries=tuple(entries),
    )


def _entries(table_ids: Sequence[int] | None = None) -> dict[int, list[engine.EquivalenceEntry]]:
    """The engine's entries of the tables ``table_ids`` (every table when None), in one query."""
    rows = Equivalence.objects.values_list(
        "table_id", "drug__name", "dose_mg", "min_mg", "max_mg", "confidence", "note"
    )
    if table_ids is not None:
        rows = rows.filter(table_id__in=table_ids)
    entries: dict[int, list[engine.EquivalenceEntry]] = {}
    for table_id, drug, dose_mg, min_mg, max_mg, confidence, note in rows:
        entries.setdefault(table_id, []).append(_entry(drug, dose_mg, min_mg, max_mg, confidence, note))
    return entries


def _entry(
    drug: str,
    dose_mg: Decimal,
    min_mg: Decimal | None,
    max_mg: Decimal | None,
    confidence: str,
    note: str,
) -> engine.EquivalenceEntry:
    return engine.EquivalenceEntry(
        drug=drug,
        dose_mg=dose_mg,
        min_mg=min_mg,
        max_mg=max_mg,
        verified=Confidence.is_verified(confidence),
        note=note,
    )


def engine_drugs(
    drugs: Iterable[Drug], market: str | None, reference: Reference | None = None
) -> list[engine.DrugInfo]:
    """What the engine's checks need to know of each drug; liquids looked up in `market`."""
    drugs = list(drugs)
    with_liquid = {
        product.drug_id for product in (reference or Reference()).products(market) if product.is_liquid
    }
    return [
        engine.DrugInfo(
            name=drug.name,
            has_long_lived_active_metabolite=drug.has_long_lived_active_metabolite,
            may_treat_epilepsy=drug.may_treat_epilepsy,
            liquid_available=drug.pk in with_liquid,
            short_acting=_short_acting(drug),
        )
        for drug in drugs
    ]


# A half-life of a day or less (drugs.csv, from the Ashton Manual Table 1 and product labels):
# doses wear off between doses (inter-dose withdrawal).
SHORT_ACTING_HALF_LIFE_H = Decimal(24)


def _short_acting(drug: Drug) -> bool:
    longest = drug.half_life_max_h
    return (
        longest is not None
        and longest <= SHORT_ACTING_HALF_LIFE_H
        and not drug.has_long_lived_active_metabolite
    )


def plan_formulations(
    drug: Drug,
    *,
    market: str | None,
    strengths: Sequence[Decimal] | None = None,
    split: str | None = None,
    liquid: bool = False,
    reference: Reference | None = None,
) -> list[engine.Formulation]:
    """The products a plan may use for `drug`.

    Stocked immediate-release tablets and capsules of `market` (every market when None: one product per
    form and strength, split no further than every market allows), only `strengths` when given
    (each must exist), tablets split no further than `split` when given (nor than the product
    allows), and the oral liquids with `liquid`.
    """
    products = [
        product
        for product in (reference or Reference()).products(market)
        if product.drug_id == drug.pk and not product.modified_release and product.stocked
    ]
    solids = _one_per_strength(product for product in products if product.form in PLAN_FORMS)
    if strengths is not None:
        available = {product.strength_mg for product in solids}
        missing = [strength for strength in strengths if strength not in available]
        if missing:
            listed = ", ".join(f"{s.normalize():f}" for s in sorted(available)) or "none"
            wanted = ", ".join(f"{s.normalize():f}" for s in missing)
            raise PlanningError(
                f"{drug.name} does not come in {wanted} mg tablets here; available: {listed} mg"
            )
        solids = [product for product in solids if product.strength_mg in strengths]
    chosen = [_engine_formulation(product, split) for product in solids]
    if liquid:
        chosen += [
            _engine_formulation(product, None)
            for product in _one_per_strength(product for product in products if product.is_liquid)
        ]
    if not chosen:
        raise PlanningError(f"no {drug.name} products to build doses from in this market")
    return chosen


def _one_per_strength(products: Iterable[Formulation]) -> list[Formulation]:
    """One product per form and strength; where markets differ, the most cautious split wins."""
    chosen: dict[tuple[str, Decimal], Formulation] = {}
    for product in sorted(products, key=lambda p: (p.form, p.strength_mg, p.market)):
        key = (product.form, product.strength_mg)
        kept = chosen.get(key)
        if kept is None or SPLIT_ORDER.index(product.divisible) < SPLIT_ORDER.index(kept.divisible):
            chosen[key] = product
    return list(chosen.values())


def _engine_formulation(product: Formulation, split: str | None) -> engine.Formulation:
    """`split` can only restrict: a tablet is never divided further than the product allows."""
    divisible = product.divisible
    if split and SPLIT_ORDER.index(split) < SPLIT_ORDER.index(divisible):
        divisible = split
    return engine.Formulation(
        drug=product.drug.name,
        form=product.form,
        strength_mg=product.strength_mg,
        divisible=divisible,
        is_liquid=product.is_liquid,
        id=product.pk,
        market=product.market,
    )


@dataclass(frozen=True)
class PlanChoices:
    """What a prescriber (or the command line) chooses, in the reference data's terms.

    ``regimen``: one or more drugs with their doses. ``market``: whose products the plan uses
    (None: the TAPER_DEFAULT_MARKET setting; never several markets at once).
    ``switch_to``: a longer-acting drug to move onto first (``switch_stage_days`` per stage).
    ``table_key``: the equivalence table (None: the default table). ``strengths``: tablet
    strengths of the drug being tapered (the switch target when switching). ``split``: how far
    tablets may be divided ("whole", "half", "quarter"; never further than a product allows).
    ``liquid``: allow oral liquids. ``target_daily_mg``: end at this daily dose instead of stopping.
    ``liquid_strength``: the one liquid strength (mg/mL) of the drug tapered (None: the engine
    chooses one; a plan never uses two strengths of a drug's liquid). ``liquid_step_ml`` and
    ``max_liquid_dose_ml``: the oral syringe's graduation and the most liquid in one dose (None:
    the TAPER_LIQUID_STEP_ML and TAPER_MAX_LIQUID_DOSE_ML settings, 0.1 mL and 10 mL by default).
    ``last_dose_de_mg``: the last daily dose before stopping, mg diazepam-equivalent (None: the
    TAPER_LAST_DOSE_DE_MG setting, 0.5 mg by default, the final step of CKS/Ashton; lower only
    when the prescriber asks). ``spread_cuts``: cut the largest dose of the day first (None: yes
    for a short-acting drug tapered without a switch; False: one time of day at a time).
    """

    regimen: tuple[engine.RegimenItem, ...]
    method: engine.Method
    market: str | None
    start: date
    interval_days: int | None = None
    switch_to: str | None = None
    switch_stage_days: int = 7
    table_key: str | None = None
    strengths: tuple[Decimal, ...] | None = None
    split: str | None = None
    liquid: bool = False
    target_daily_mg: Decimal | None = None
    period_days: int = 28
    patient: engine.PatientFactors = field(default_factory=engine.PatientFactors)
    liquid_strength: Decimal | None = None
    liquid_step_ml: Decimal | None = None
    max_liquid_dose_ml: Decimal | None = None
    last_dose_de_mg: Decimal | None = None
    spread_cuts: bool | None = None


def plan_market(market: str | None) -> str:
    """``market``, or the default market setting (TAPER_DEFAULT_MARKET) when None: a plan
    always uses the products of exactly one market."""
    chosen = (market or settings.TAPER_DEFAULT_MARKET).strip().upper()
    known = [value for value, _ in CLINIC_MARKETS]
    if chosen not in known:
        raise PlanningError(f"unknown market {chosen!r}; known: {', '.join(known)}")
    return chosen


def plan_request(choices: PlanChoices, reference: Reference | None = None) -> engine.PlanRequest:
    """The engine's request for ``choices``; every database look-up happens here (through
    ``reference``, the request's reference data; None: read afresh).

    Formulations of every regimen drug and of the switch target are included; ``strengths``
    restrict the drug being tapered (the switch target when switching, the only regimen drug
    otherwise). PlanningError (an EngineError) names what the reference data does not hold.
    """
    if not choices.regimen:
        raise PlanningError("the regimen is empty")
    engine.check_start_date(choices.start, today=date.today())
    reference = reference or Reference()
    table = table_by_key(choices.table_key, reference)
    regimen_drugs = [drug_by_name(item.drug, reference) for item in choices.regimen]
    target = drug_by_name(choices.switch_to, reference) if choices.switch_to else None
    if target is not None and regimen_drugs == [target]:
        # With other drugs the switch moves them onto the one already taken (NHS Lothian: convert
        # to diazepam only); with it alone there is nothing to switch.
        raise PlanningError(f"the patient takes only {target.name}: leave out the switch")
    if choices.strengths is not None and target is None and len(regimen_drugs) > 1:
        raise PlanningError("tablet strengths can be chosen only when one drug is tapered")
    tapered = target if target is not None else regimen_drugs[0]
    market = plan_market(choices.market)
    formulations: list[engine.Formulation] = []
    for drug in [*([target] if target is not None else []), *regimen_drugs]:
        products = plan_formulations(
            drug,
            market=market,
            strengths=choices.strengths if drug == tapered else None,
            split=choices.split,
            liquid=choices.liquid,
            reference=reference,
        )
        if drug == tapered and choices.liquid and not any(product.is_liquid for product in products):
            raise PlanningError(f"there is no oral liquid of {drug.name} in the {market} market")
        if drug == tapered and choices.liquid_strength is not None:
            if not choices.liquid:
                raise PlanningError("a liquid strength was chosen but liquids are not allowed")
            offered = sorted(p.strength_mg for p in products if p.is_liquid)
            if choices.liquid_strength not in offered:
                listed = ", ".join(f"{s.normalize():f}" for s in offered) or "none"
                raise PlanningError(
                    f"{drug.name} has no {choices.liquid_strength.normalize():f} mg/mL liquid in the "
                    f"{market} market; available: {listed} mg/mL"
                )
        formulations += products
    switch = (
        engine.Switch(to_drug=target.name, stage_days=choices.switch_stage_days)
        if target is not None
        else None
    )
    every_drug = {*regimen_drugs, *([target] if target is not None else [])}
    return engine.PlanRequest(
        regimen=tuple(choices.regimen),
        table=reference.engine_table(table),
        drugs=tuple(engine_drugs(sorted(every_drug, key=lambda drug: drug.name), market, reference)),
        formulations=tuple(formulations),
        method=choices.method,
        start=choices.start,
        interval_days=choices.interval_days,
        switch=switch,
        target_daily_mg=choices.target_daily_mg,
        patient=choices.patient,
        period_days=choices.period_days,
        market=market,
        liquid_strengths=(
            ((tapered.name, choices.liquid_strength),) if choices.liquid_strength is not None else ()
        ),
        liquid_step_ml=_setting_or(choices.liquid_step_ml, "TAPER_LIQUID_STEP_ML", engine.LIQUID_STEP_ML),
        max_liquid_ml=_setting_or(
            choices.max_liquid_dose_ml, "TAPER_MAX_LIQUID_DOSE_ML", engine.MAX_LIQUID_DOSE_ML
        ),
        last_dose_de_mg=_setting_or(choices.last_dose_de_mg, "TAPER_LAST_DOSE_DE_MG", engine.LAST_DOSE_DE_MG),
        spread_cuts=choices.spread_cuts,
    )


def _setting_or(chosen: Decimal | None, name: str, default: Decimal) -> Decimal:
    """``chosen``, else the clinic's setting ``name`` (a number in settings), else ``default``."""
    if chosen is not None:
        return chosen
    return Decimal(str(getattr(settings, name, default)))


def plan(choices: PlanChoices, reference: Reference | None = None) -> engine.Schedule:
    """The schedule for ``choices``: ``plan_request`` then ``engine.plan_from_request``; planned once
    per ``reference`` (one request), however often asked for: the options compared (issue 17) and
    their suggested alternatives often ask for the same plan twice. Schedules are immutable, and
    an EngineError is raised again each time, not kept."""
    reference = reference or Reference()
    key = repr(choices)
    schedule = reference.schedules.get(key)
    if schedule is None:
        schedule = reference.schedules[key] = engine.plan_from_request(plan_request(choices, reference))
    return schedule


def compare_tables(
    regimen: Sequence[engine.RegimenItem],
    used: str | None = None,
    *,
    frozen: engine.EquivalenceTable | None = None,
    reference: Reference | None = None,
) -> engine.TableComparison:
    """The regimen converted with every loaded equivalence table (``used``, a key, first; None:
    the default table), with a warning where tables differ by more than 1.5 times for a drug.

    ``frozen``: a saved plan's own copy of the table it used, shown first in place of today's
    values of that table (the other tables are today's). ``reference``: the request's reference
    data (None: read afresh)."""
    reference = reference or Reference()
    tables = [reference.engine_table(table) for table in reference.tables]
    if frozen is not None:
        tables = [frozen, *(table for table in tables if table.key != frozen.key)]
        return engine.compare_tables(regimen=regimen, tables=tables, used=frozen.key)
    return engine.compare_tables(regimen=regimen, tables=tables, used=table_by_key(used, reference).key)


# The findings a switch to diazepam (or a liquid) may avoid.
AVOIDABLE = {
    "rate_over_25_percent_14_days": "the cut of more than 25% in 14 days",
    "short_taper": "the taper under 8 weeks",
    "drug_rate_over_25_percent_14_days": "finishing a drug faster than 25% in 14 days",
}
SOURCE_SWITCH_SUGGESTION = (
    "Maudsley Deprescribing Guidelines (Horowitz & Taylor, 2024), benzodiazepine summary chapter: "
    "patients who may benefit most from a switch before tapering are those with inter-dose "
    "withdrawal or taking a medication for which small doses are not easily available; liquid "
    "formulations make doses that tablets cannot"
)
SOURCE_ONE_DRUG = (
    "NHS Lothian formulary (East Region), Benzodiazepine dependence, prescribing notes: patients "
    "already prescribed more than one type of benzodiazepine should normally be converted to "
    "diazepam only; Ashton Manual (2002) withdrawal schedules: substitute one dose at a time"
)
# An alternative may end at most 26 weeks after the plan it replaces, or within the 18 months a
# plan may last without a long-taper warning, whichever is later. A local choice (issue 14: a
# 15-year alternative to avoid one 2 -> 1 mg step is no improvement): 26 weeks is about the
# whole of NICE CKS's estimated withdrawal from diazepam 20 mg a day (20-40 weeks), so an
# alternative longer than that by more trades one fast step for a second taper's worth of time.
MAX_ALTERNATIVE_EXTRA_DAYS = 182
# Findings an alternative may carry although the plan did not: notes of information only, and
# the 'larger cut than asked' flag, which a finer grid of doses may show where tablets did not.
ALTERNATIVE_MAY_ADD = {"step_larger_than_asked"}


def planned(choices: PlanChoices, reference: Reference | None = None) -> engine.Schedule:
    """The schedule for ``choices`` with ``suggest_alternative``'s warning among its warnings: the
    one way the builder, the saved plan (and its JSON export) and the command line plan."""
    reference = reference or Reference()
    schedule = plan(choices, reference)
    suggestion = suggest_alternative(choices, schedule, reference)
    if suggestion is None:
        return schedule
    return replace(schedule, warnings=(*schedule.warnings, suggestion))


def suggest_alternative(
    choices: PlanChoices, schedule: engine.Schedule, reference: Reference | None = None
) -> engine.ScheduleWarning | None:
    """When ``schedule`` breaks the 25%-in-14-days rule (for the total or for one drug) or is
    shorter than 8 weeks, the first alternative that avoids all of it (else the first that avoids
    some of it), as a warning naming what it avoids and how long it takes; None when none does.

    In order: the drug's own oral liquid, then moving the other drugs onto the diazepam already
    taken (several drugs), else a switch to diazepam, then a switch with diazepam's liquid. An
    alternative keeps the request's target (converted to the alternative's drug), must give no
    warning or danger the plan does not (so the patient's age and hepatic impairment count as they
    do for the plan), and must not last much longer (``MAX_ALTERNATIVE_EXTRA_DAYS``).
    """
    found = [code for code in AVOIDABLE if any(w.code == code for w in schedule.warnings)]
    if not found:
        return None
    reference = reference or Reference()
    partial = None
    for label, alternative in _alternatives(choices, schedule, reference):
        try:
            planned_alternative = plan(alternative, reference)
        except engine.EngineError:
            continue
        avoided = _avoided(schedule, planned_alternative, found)
        if avoided == found:
            return _suggestion(schedule, planned_alternative, label, avoided)
        if avoided and partial is None:
            partial = _suggestion(schedule, planned_alternative, label, avoided)
    return partial


def _alternatives(
    choices: PlanChoices, schedule: engine.Schedule, reference: Reference
) -> list[tuple[str, PlanChoices]]:
    options = []
    tapered = choices.switch_to or (choices.regimen[0].drug if len(choices.regimen) == 1 else None)
    if not choices.liquid and tapered is not None:
        options.append((f"the oral liquid of {tapered}", replace(choices, liquid=True, liquid_strength=None)))
    taken = [item.drug for item in choices.regimen]
    if choices.switch_to is None and taken != ["diazepam"]:
        target = target_in(schedule, "diazepam")
        if "diazepam" in taken:
            others = " and ".join(drug for drug in taken if drug != "diazepam")
            label = f"moving {others} onto the diazepam already taken, one dose at a time"
        else:
            label = "a switch to diazepam"
        switch = replace(choices, switch_to="diazepam", strengths=None, target_daily_mg=target)
        options.append((label, switch))
        options.append((f"{label}, with diazepam's oral liquid", replace(switch, liquid=True)))
    return options


def target_in(schedule: engine.Schedule, drug: str | None) -> Decimal | None:
    """The request's target (in mg of the drug tapered, or mg diazepam-equivalent with several
    drugs) in mg of ``drug`` (None: mg diazepam-equivalent), by the plan's own table, rounded up to
    0.01 mg so that the end point is never lower than the one asked for."""
    request = schedule.request
    if request.target_daily_mg is None:
        return None
    source = request.target_drug
    de = (
        request.table.to_diazepam(source, request.target_daily_mg)
        if source
        else Fraction(request.target_daily_mg)
    )
    mg = request.table.from_diazepam(drug, de) if drug else de
    exact = Decimal(mg.numerator) / Decimal(mg.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_CEILING).normalize()


def _avoided(schedule: engine.Schedule, alternative: engine.Schedule, found: Sequence[str]) -> list[str]:
    """The findings of ``found`` the alternative avoids; none when it adds a warning or danger of
    its own or ends later than the later of 26 weeks after the plan and 18 months from the start."""
    before = {w.code for w in schedule.warnings}
    added = {
        w.code
        for w in alternative.warnings
        if w.severity != "info" and w.code not in before and w.code not in ALTERNATIVE_MAY_ADD
    }
    latest = max(
        schedule.end_date + timedelta(days=MAX_ALTERNATIVE_EXTRA_DAYS),
        engine.add_months(schedule.start_date, engine.LONG_TAPER_MONTHS),
    )
    if added or alternative.end_date > latest:
        return []
    codes = {w.code for w in alternative.warnings}
    return [code for code in found if code not in codes]


def _suggestion(
    schedule: engine.Schedule, alternative: engine.Schedule, label: str, found: Sequence[str]
) -> engine.ScheduleWarning:
    what = " and ".join(AVOIDABLE[code] for code in found)
    return engine.ScheduleWarning(
        code="alternative_avoids_fast_taper",
        severity="warning",
        message=(
            f"This plan {_ends(schedule)}. With {label}, the same method avoids {what}: it "
            f"{_ends(alternative)} ({len(alternative.steps)} steps)."
        ),
        source=SOURCE_ONE_DRUG if label.startswith("moving") else SOURCE_SWITCH_SUGGESTION,
    )


def _ends(schedule: engine.Schedule) -> str:
    target = schedule.request.describe_target()
    if target is None:
        return f"stops in {schedule.total_days} days"
    return f"reaches its target ({target}) in {schedule.total_days} days"


def plans_using_equivalence(*, table_key: str, drug: str, dose_mg: Decimal) -> list[Plan]:
    """The saved plans whose current version was planned with ``drug`` at ``dose_mg`` in the
    table ``table_key`` (the frozen request each version keeps), for a drug the plan gives."""
    found = []
    plans = Plan.objects.filter(current_version__isnull=False).select_related("current_version", "patient")
    for saved in plans.order_by("pk"):
        version = saved.current_version
        assert version is not None
        request = version.request
        table = request.get("table") or {}
        if table.get("key") != table_key:
            continue
        if drug not in request_drugs(request):
            continue
        if any(
            entry.get("drug") == drug and Decimal(str(entry.get("dose_mg"))) == dose_mg
            for entry in table.get("entries", [])
        ):
            found.append(saved)
    return found
