"""Guideline checks on a whole schedule (planned or edited): each finding with code and source.

The 25%-in-14-days rule: for every day ``t``, the DE on ``t`` is compared with the highest DE on
the 14 days before it (``t-14`` .. ``t-1``; the pre-start regimen counts for every day before
day 1). Because doses only change at step boundaries and old days only drop out of the window,
checking the first day of each step (and the day nothing is taken) is enough. The final stop
from the smallest achievable dose is exempt: there is no smaller step to take.

Severity: "danger" for breaking the guideline's ceiling, "warning" for what needs a clinician's
attention, "info" for departures from the guideline's typical pace.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from itertools import pairwise
from typing import NamedTuple

from .doses import DoseMaker
from .methods import CKS_BAND_MIN_INTERVAL_DAYS, BandsMethod, LinearMethod, within_cks_bands
from .schedule import LAST_DOSE_DE_MG, Doses, PlanRequest, ScheduleWarning, Step, daily_de
from .types import EXACT, DrugInfo, EquivalenceTable, format_de, format_mg, format_percent

JCPG = "Joint Clinical Practice Guideline on Benzodiazepine Tapering (ASAM et al.), J Gen Intern Med 2025"
SOURCE_25_PERCENT = f"{JCPG}: 'Generally not more than 25% every 2 weeks'"
SOURCE_TYPICAL_PACE = f"{JCPG}, tapering algorithm: 'Typical initial dose reduction: 5-10% every 2-4 weeks'"
SOURCE_INTERVAL = f"{JCPG} (APhA summary): 'at least 2 weeks between dose reduction'"
SOURCE_PAUSE = f"{JCPG}, tapering algorithm: if withdrawal is significant, pause or slow the taper"
SOURCE_SPECIALIST = (
    "Australian Therapeutic Guidelines (eTG), Addiction: benzodiazepines: a daily diazepam "
    "equivalent above 40 mg requires specialist advice"
)
SOURCE_OLDER = (
    f"{JCPG}, Table 8 footnote: agents metabolised by glucuronide conjugation (lorazepam, "
    "oxazepam) are considered safer in older adults and in hepatic impairment"
)
SOURCE_LIVER = (
    "UK Specialist Pharmacy Service, 'Oral benzodiazepines and choosing equivalent doses': "
    "switching to diazepam may not suit people with liver impairment; an agent without active "
    f"metabolites (e.g. oxazepam) may be preferred. Also {JCPG}, Table 8 footnote"
)
SOURCE_OPIOIDS = (
    "US FDA Drug Safety Communication (31 Aug 2016): boxed warning on combining opioids or other "
    "CNS depressants with benzodiazepines (not in the project's clinical reference; review)"
)
SOURCE_PREGNANCY = (
    f"{JCPG} (developed with ACOG): seek specialist obstetric advice before tapering in "
    "pregnancy (recommendation text not in the project's clinical reference; review)"
)
SOURCE_EPILEPSY = (
    "NHS Scotland, Benzodiazepines and z-drugs quality prescribing 2024-2027, 'Switching to "
    "diazepam': clobazam and clonazepam may be prescribed for intractable epilepsy, so take "
    "caution before reducing them"
)
SOURCE_DURATION = (
    f"{SOURCE_TYPICAL_PACE}; NICE CKS estimates 20-40 weeks from diazepam 20 mg/day "
    "(8 weeks is the product's threshold for a short taper)"
)
SOURCE_ABRUPT = (
    f"{JCPG}, Recommendation: avoid abrupt discontinuation in patients likely to be physically dependent"
)
SOURCE_CKS_BANDS = (
    "NICE CKS Benzodiazepine and z-drug withdrawal (adapted from the Ashton Manual): reduce by "
    "0.5-1 mg every 1-2 weeks from 5 mg a day until completely stopped"
)
SOURCE_DIAZEPAM_MG_STEPS = (
    "NHS Scotland Right Decisions, Benzodiazepines and z-drugs quality prescribing, 'Reduction "
    "schedules' (its worked lorazepam 1 mg twice daily example switches to diazepam, then reduces "
    "1 mg a fortnight; worked example as reported in issue 14, the page text not in the project's "
    "clinical reference); UK Specialist Pharmacy Service / PrescQIPP: diazepam reduced in stages of "
    "1 mg every 1-4 weeks"
)
SOURCE_ONE_DRUG_AT_A_TIME = (
    f"{JCPG}: 'Generally not more than 25% every 2 weeks', for each drug as for the total; NHS "
    "Lothian formulary (East Region), Benzodiazepine dependence: patients prescribed more than one "
    "benzodiazepine should normally be converted to diazepam only"
)
SOURCE_CKS_FROM_40 = (
    "NICE CKS Benzodiazepine and z-drug withdrawal (adapted from the Ashton Manual): the "
    "suggested schedule is 'From diazepam 40 mg per day or less'"
)
SOURCE_LAST_DOSE = (
    "NICE CKS Benzodiazepine and z-drug withdrawal, schedule adapted from the Ashton Manual "
    "(2002): 'reduce dose by 0.5-1 mg every 1-2 weeks until completely stopped', so the last "
    "dose before stopping is diazepam 0.5 mg"
)
SOURCE_LOWER_LAST_DOSE = (
    "Maudsley Deprescribing Guidelines (Horowitz & Taylor, 2024): hyperbolic tapering to small "
    "final doses, made with liquid formulations where tablets cannot (the fall in receptor "
    "occupancy from diazepam 0.5 mg to 0 is about that from 4 mg to 0.5 mg; clinical-reference.md "
    "section 4.7, [V2])"
)
SOURCE_LONG_TAPER = (
    "NICE CKS Benzodiazepine and z-drug withdrawal: estimated total withdrawal time from diazepam "
    "40 mg a day is 30-60 weeks; 18 months is the product's threshold for a plan to review"
)
SOURCE_LOWEST_DOSE = (
    "Belleville 2007, Morin 2004 (Pottie et al., Can Fam Physician 2018, Table 2): taper to the "
    "lowest available dose, then stop"
)

RATE_CODE = "rate_over_25_percent_14_days"
# JCPG 2025: "Generally not more than 25% every 2 weeks".
MAX_CUT_IN_WINDOW = Fraction(1, 4)
WINDOW_DAYS = 14
# JCPG 2025 algorithm: typical initial reduction 5-10%.
TYPICAL_FIRST_CUT = Fraction(1, 10)
# JCPG 2025: at least 2 weeks between reductions.
TYPICAL_INTERVAL_DAYS = 14
# eTG Addiction: above 40 mg diazepam-equivalent a day needs specialist advice.
SPECIALIST_DE_MG = 40
# NICE CKS: the diazepam schedule is written "from diazepam 40 mg per day or less".
CKS_BANDS_FROM_DE_MG = 40
# The issue: age 65 or more counts as an older adult for the diazepam switch warning.
OLDER_ADULT_AGE = 65
# The issue: a total duration under 8 weeks is short.
SHORT_TAPER_DAYS = 56
# Issue 8: a plan longer than 18 months is flagged (beyond CKS's slowest estimate, 60 weeks).
LONG_TAPER_MONTHS = 18


class _Change(NamedTuple):
    """A day on which the DE changes: its offset from the start, the new DE (exact, and in
    whole units of the schedule's common denominator, for comparing), its step."""

    day: int
    de: Fraction
    units: int
    step: int | None  # None for the stop after the last step
    switching: bool = False


@dataclass(frozen=True)
class _Units:
    """Exact DE values as whole numbers of 1/``denominator`` mg: the checks compare integers."""

    denominator: int

    @classmethod
    def of(cls, values: Sequence[Fraction]) -> _Units:
        return cls(math.lcm(*(value.denominator for value in values)))

    def __call__(self, value: Fraction) -> int:
        return value.numerator * (self.denominator // value.denominator)


def check_schedule(
    *,
    request: PlanRequest,
    steps: Sequence[Step],
    makers: Mapping[str, DoseMaker],
    infos: Mapping[str, DrugInfo],
) -> list[ScheduleWarning]:
    """Every guideline warning for ``steps`` planned or edited from ``request``."""
    used = _drugs_used(request, steps)
    start_de = daily_de(request.initial_doses, request.table)
    units = _Units.of([start_de, *(step.diazepam_equivalent for step in steps)])
    changes = _changes(request, steps, units)
    start = _Change(day=-WINDOW_DAYS, de=start_de, units=units(start_de), step=None)
    last = steps[-1].number if steps else None
    lower = (
        [
            ScheduleWarning(
                code="lower_last_dose",
                severity="info",
                message=(
                    f"The last dose before stopping is {format_mg(request.last_dose_de_mg)} mg "
                    "diazepam-equivalent a day, lower than the usual 0.5 mg, as the prescriber asked."
                ),
                source=SOURCE_LOWER_LAST_DOSE,
            )
        ]
        if request.ends_with_stop and request.last_dose_de_mg < LAST_DOSE_DE_MG
        else []
    )
    window = _window_warnings(request, steps, changes, start, makers, last)
    return [
        *lower,
        *_equivalence_warnings(request, used),
        *_patient_warnings(request, used, infos, start_de),
        *_switch_warnings(request, steps),
        *_increase_warnings(start, changes),
        *window,
        *_drug_window_warnings(
            request, steps, used, {w.step for w in window if w.code == RATE_CODE}, changes
        ),
        # With no step at all, the abrupt stop says everything the pace checks would.
        *(_pace_warnings(start, changes, last) if steps else []),
        *(_duration_warnings(request, steps, last) if steps else []),
    ]


def _drugs_used(request: PlanRequest, steps: Sequence[Step]) -> list[str]:
    names = [item.drug for item in request.regimen]
    for step in steps:
        names += step.daily_mg  # each step's drugs, in the order of its doses
    return list(dict.fromkeys(names))


def _changes(request: PlanRequest, steps: Sequence[Step], units: _Units) -> list[_Change]:
    start = request.start.toordinal()
    changes = [
        _Change(
            step.start_date.toordinal() - start,
            step.diazepam_equivalent,
            units(step.diazepam_equivalent),
            step.number,
            step.phase == "switch",
        )
        for step in steps
    ]
    if request.ends_with_stop:
        end = steps[-1].end_date.toordinal() - start + 1 if steps else 0
        changes.append(_Change(day=end, de=Fraction(0), units=0, step=None))
    return changes


def _equivalence_warnings(request: PlanRequest, used: Sequence[str]) -> list[ScheduleWarning]:
    table = request.table
    warnings = []
    for drug in used:
        entry = table.entry(drug)
        if not entry.verified:
            warnings.append(
                ScheduleWarning(
                    code="unverified_equivalence",
                    severity="warning",
                    message=(
                        f"The {drug} equivalence ({format_mg(entry.dose_mg)} mg = "
                        f"{format_mg(table.reference_diazepam_mg)} mg diazepam) is unverified; "
                        "check it against the source before use."
                    ),
                    source=table.citation,
                )
            )
        if entry.is_range:
            assert entry.min_mg is not None and entry.max_mg is not None
            warnings.append(
                ScheduleWarning(
                    code="equivalence_range",
                    severity="info",
                    message=(
                        f"The source gives {drug} {format_mg(entry.min_mg)}-"
                        f"{format_mg(entry.max_mg)} mg = {format_mg(table.reference_diazepam_mg)} "
                        f"mg diazepam; the point value {format_mg(entry.dose_mg)} mg was chosen."
                    ),
                    source=table.citation,
                )
            )
    return warnings


def _patient_warnings(
    request: PlanRequest, used: Sequence[str], infos: Mapping[str, DrugInfo], start_de: Fraction
) -> list[ScheduleWarning]:
    patient = request.patient
    found = []
    if start_de > SPECIALIST_DE_MG:
        found.append(
            (
                "high_starting_dose",
                "warning",
                f"The starting dose is {format_de(start_de)} mg diazepam-equivalent a day, above "
                f"{SPECIALIST_DE_MG} mg: seek specialist advice.",
                SOURCE_SPECIALIST,
            )
        )
    if isinstance(request.method, BandsMethod) and start_de > CKS_BANDS_FROM_DE_MG:
        found.append(
            (
                "cks_bands_above_40_mg",
                "warning",
                f"The NICE CKS bands start here from {format_de(start_de)} mg diazepam-equivalent a "
                f"day; they are written for {CKS_BANDS_FROM_DE_MG} mg a day or less.",
                SOURCE_CKS_FROM_40,
            )
        )
    switch = request.switch
    current = [item.drug for item in request.regimen]
    switches = switch is not None and any(drug != switch.to_drug for drug in current)
    switch_drug = infos[switch.to_drug] if switch and switches and switch.to_drug in used else None
    if (
        switch_drug
        and patient.age is not None
        and patient.age >= OLDER_ADULT_AGE
        and (switch_drug.name == "diazepam" or switch_drug.has_long_lived_active_metabolite)
    ):
        found.append(
            (
                "older_adult_long_acting",
                "warning",
                f"The patient is {patient.age}: {switch_drug.name} and its metabolites can "
                "accumulate in older adults; consider lorazepam or oxazepam instead.",
                SOURCE_OLDER,
            )
        )
    long_lived = [drug for drug in used if infos[drug].has_long_lived_active_metabolite]
    if patient.hepatic_impairment and long_lived:
        found.append(
            (
                "hepatic_long_acting_metabolite",
                "warning",
                f"Hepatic impairment with {', '.join(long_lived)}, which has long-lived active "
                "metabolites that can accumulate; an agent without active metabolites (e.g. "
                "oxazepam) may be preferred.",
                SOURCE_LIVER,
            )
        )
    if patient.opioid_co_use or patient.cns_depressant_co_use:
        kinds = [("opioids", patient.opioid_co_use), ("other CNS depressants", patient.cns_depressant_co_use)]
        what = " and ".join(name for name, taken in kinds if taken)
        found.append(
            (
                "cns_depressant_co_use",
                "warning",
                f"The patient also takes {what}: risk of profound sedation and respiratory "
                "depression; monitor closely throughout the taper.",
                SOURCE_OPIOIDS,
            )
        )
    if patient.pregnant:
        found.append(
            (
                "pregnancy",
                "warning",
                "The patient is pregnant: plan the taper with specialist obstetric advice.",
                SOURCE_PREGNANCY,
            )
        )
    # The patient's current drugs: a switch *to* clonazepam treats no epilepsy yet.
    epilepsy = [drug for drug in current if infos[drug].may_treat_epilepsy]
    if epilepsy:
        history = " The patient has a seizure history." if patient.seizure_history else ""
        found.append(
            (
                "may_treat_epilepsy",
                "danger" if patient.seizure_history else "warning",
                f"{', '.join(epilepsy)} may be treating epilepsy: check the indication before "
                f"reducing.{history}",
                SOURCE_EPILEPSY,
            )
        )
    return [ScheduleWarning(code=c, severity=s, message=m, source=src) for c, s, m, src in found]


def _switch_warnings(request: PlanRequest, steps: Sequence[Step]) -> list[ScheduleWarning]:
    """A switch that puts the patient on more than 40 mg of diazepam a day (one warning)."""
    switch = request.switch
    if switch is None or switch.to_drug != "diazepam":
        return []
    for step in steps:
        diazepam = step.daily_mg.get("diazepam", 0)
        if diazepam > SPECIALIST_DE_MG:
            return [
                ScheduleWarning(
                    code="switch_diazepam_above_40_mg",
                    severity="warning",
                    message=(
                        f"The switch puts the patient on diazepam {format_mg(Decimal(diazepam))} mg a "
                        f"day from step {step.number}, above {SPECIALIST_DE_MG} mg: seek specialist advice."
                    ),
                    source=SOURCE_SPECIALIST,
                    step=step.number,
                )
            ]
    return []


def _increase_warnings(start: _Change, changes: Sequence[_Change]) -> list[ScheduleWarning]:
    warnings = []
    before = start
    for change in changes:
        if change.units > before.units:
            warnings.append(
                ScheduleWarning(
                    code="dose_increase",
                    severity="warning",
                    message=(
                        f"The dose rises from {format_de(before.de)} to {format_de(change.de)} mg "
                        "diazepam-equivalent a day; a taper usually pauses or slows instead. "
                        "Confirm this is intended."
                    ),
                    source=SOURCE_PAUSE,
                    step=change.step,
                )
            )
        before = change
    return warnings


def _window_warnings(
    request: PlanRequest,
    steps: Sequence[Step],
    changes: Sequence[_Change],
    start: _Change,
    makers: Mapping[str, DoseMaker],
    last: int | None,
) -> list[ScheduleWarning]:
    warnings = []
    kept = 1 - MAX_CUT_IN_WINDOW
    for index, change in enumerate(changes):
        highest_change = _highest_before(change.day, changes, index, steps, start)
        if change.units * kept.denominator >= highest_change.units * kept.numerator:
            continue
        highest = highest_change.de
        if change.step is None and _stops_from_last_dose(request, steps):
            warnings.append(_last_dose_stop(request, steps, last))
            continue
        if change.step is None and not steps:
            warnings.append(_abrupt_stop(request, makers))
            continue
        if change.step is None and _stops_from_lowest_dose(request, steps, makers):
            warnings.append(_lowest_dose_stop(steps, last))
            continue
        if change.step is None and _stops_at_end_point(request, steps, makers):
            # Whatever the form (a liquid's 0.1 mL step, a tablet's half): the smallest dose
            # made at or above the last dose before stopping is the planned end point (issue 14).
            warnings.append(_last_dose_stop(request, steps, last))
            continue
        cut = 1 - change.de / highest
        prescribed_by = _prescribed_by(request, steps, changes, index)
        message = (
            f"{_stop_or_dose(change)} {format_de(highest)} to {format_de(change.de)} mg "
            f"diazepam-equivalent a day is a {format_percent(cut)}% cut; the guideline advises no "
            "more than 25% in any 14 days."
        )
        if prescribed_by:
            # The cited method itself prescribes this step (the CKS band's 2 -> 1 mg, NHS
            # Scotland's 1 mg a fortnight): a warning citing both sources, not a danger (issues 8,
            # 14: a danger on a published schedule teaches people to ignore dangers, HAZ-11).
            message += f" {prescribed_by[0]}"
        warnings.append(
            ScheduleWarning(
                code=RATE_CODE,
                severity="warning" if prescribed_by else "danger",
                message=message,
                source=f"{SOURCE_25_PERCENT}; {prescribed_by[1]}" if prescribed_by else SOURCE_25_PERCENT,
                step=change.step if change.step is not None else last,
            )
        )
    return warnings


def _drug_window_warnings(
    request: PlanRequest,
    steps: Sequence[Step],
    used: Sequence[str],
    flagged: set[int | None],
    changes: Sequence[_Change],
) -> list[ScheduleWarning]:
    """With several drugs, the 25%-in-14-days rule for each drug's own dose too (issue 14: a
    drug kept until last and then stopped in 28 days was never flagged, the total hiding it).

    A switch stage moves a dose onto the switch drug on purpose and is not a cut of it; a step
    the total's rule already flags (``flagged``) is not flagged again, nor the final stop (the
    total's own check says what it is); a drug's stop from at or below the last dose before
    stopping is its end point.

    A drug's DE is its mg times a fixed factor, so its cuts are compared in mg: exact products of
    short decimals (exact or an error under ``EXACT``), no Fraction per step."""
    if len(used) < 2:
        return []
    table = request.table
    kept = 1 - MAX_CUT_IN_WINDOW
    # (first day of each entry): the pre-start regimen's, then each step's.
    days = [-WINDOW_DAYS, *(change.day for change in changes[: len(steps)])]
    warnings = []
    with localcontext(EXACT):
        for drug in used:
            entry = table.entry(drug)
            # Its DE is at most the last dose before stopping: mg x reference <= last x dose_mg.
            last_dose = request.last_dose_de_mg * entry.dose_mg
            reference = table.reference_diazepam_mg
            series = [
                sum(request.initial_doses.get(drug, {}).values(), _ZERO),
                *(step.daily_mg.get(drug, _ZERO) for step in steps),
            ]
            for index in range(1, len(series)):
                step = steps[index - 1]
                if step.phase == "switch" or step.number in flagged:
                    continue
                mg = series[index]
                if not mg and series[index - 1] * reference <= last_dose:
                    continue
                highest = _drug_highest_before(days, series, index)
                if mg * kept.denominator >= series[highest] * kept.numerator:
                    continue
                warnings.append(_drug_window_warning(table, drug, series[highest], mg, step))
    return warnings


def _drug_window_warning(
    table: EquivalenceTable, drug: str, highest_mg: Decimal, mg: Decimal, step: Step
) -> ScheduleWarning:
    highest = table.to_diazepam(drug, highest_mg)
    de = table.to_diazepam(drug, mg)
    cut = 1 - de / highest
    return ScheduleWarning(
        code="drug_rate_over_25_percent_14_days",
        severity="danger",
        message=(
            f"{'Stopping' if not de else 'Cutting'} {drug} from {format_de(highest)} to "
            f"{format_de(de)} mg diazepam-equivalent a day is a {format_percent(cut)}% cut "
            f"of {drug} within 14 days; no drug should go faster than 25% in any 14 days. "
            "Taper it at that pace, or move it onto the long-acting drug already taken, "
            "one dose at a time."
        ),
        source=SOURCE_ONE_DRUG_AT_A_TIME,
        step=step.number,
    )


def _drug_highest_before(days: Sequence[int], series: Sequence[Decimal], index: int) -> int:
    """The index of the highest of a drug's daily doses (``series``) on the 14 days before
    ``days[index]``: an entry counts while the next one starts inside the window (days only
    grow, so the scan stops at the first entry that ended before it)."""
    day = days[index]
    highest = index - 1
    for earlier in range(index - 2, -1, -1):
        if days[earlier + 1] <= day - WINDOW_DAYS:
            break
        if series[earlier] > series[highest]:
            highest = earlier
    return highest


def _prescribed_by(
    request: PlanRequest, steps: Sequence[Step], changes: Sequence[_Change], index: int
) -> tuple[str, str] | None:
    """What to say and cite when the chosen method's own source prescribes the taper step at
    ``changes[index]``: a step of the NICE CKS bands (any size within the band's range), or a
    fixed-mg diazepam step of a size the bands allow at that dose (NHS Scotland's and SPS's 1 mg
    steps); None
    otherwise. Every 1-2 weeks in both: a step sooner than a week after the last is not theirs."""
    change = changes[index]
    if change.step is None or change.switching:
        return None
    previous = changes[index - 1] if index else None
    before = previous.de if previous else daily_de(request.initial_doses, request.table)
    if previous is not None and change.day - previous.day < CKS_BAND_MIN_INTERVAL_DAYS:
        return None
    if not within_cks_bands(before_de=before, after_de=change.de):
        return None
    method = request.method
    if isinstance(method, BandsMethod):
        return f"The chosen method ({method.describe()}) prescribes this step.", SOURCE_CKS_BANDS
    on_diazepam = all(
        dose.drug == "diazepam"
        for step in steps[max(change.step - 2, 0) : change.step]
        for dose in step.doses
    )
    # The method's own step (mg of diazepam) is one the band allows at this dose, not only the
    # step the formulations made of it.
    own_step = isinstance(method, LinearMethod) and within_cks_bands(
        before_de=before, after_de=before - Fraction(method.step_mg)
    )
    if own_step and request.target_drug == "diazepam" and on_diazepam:
        return (
            f"The chosen method ({method.describe()} of diazepam) prescribes this step, as NHS "
            "Scotland's and the NICE CKS diazepam schedules do.",
            f"{SOURCE_DIAZEPAM_MG_STEPS}; {SOURCE_CKS_BANDS}",
        )
    return None


def _highest_before(
    day: int, changes: Sequence[_Change], index: int, steps: Sequence[Step], start: _Change
) -> _Change:
    """The change with the highest DE on the 14 days before ``day`` among ``changes[:index]``
    (the pre-start regimen's for a day in the first 14; none, of DE 0, when nothing is taken):
    steps are back to back, so only the last few earlier steps can reach into the window."""
    window_start = day - WINDOW_DAYS
    highest = start if window_start < 0 else _NOTHING
    for earlier in range(index - 1, -1, -1):
        change = changes[earlier]
        if change.day + steps[earlier].days - 1 < window_start:
            break
        if change.units > highest.units:
            highest = change
    return highest


_NOTHING = _Change(day=0, de=Fraction(0), units=0, step=None)
_ZERO = Decimal(0)


def _stops_from_lowest_dose(
    request: PlanRequest, steps: Sequence[Step], makers: Mapping[str, DoseMaker]
) -> bool:
    doses: Doses = steps[-1].dose_map() if steps else request.initial_doses
    pairs = [(drug, mg) for drug, slots in doses.items() for mg in slots.values()]
    return len(pairs) == 1 and pairs[0][1] == makers[pairs[0][0]].smallest()


def _stops_from_last_dose(request: PlanRequest, steps: Sequence[Step]) -> bool:
    """The stop comes from a daily dose at or below the last-dose setting (the end point)."""
    de = steps[-1].diazepam_equivalent if steps else daily_de(request.initial_doses, request.table)
    return de <= Fraction(request.last_dose_de_mg)


def _stops_at_end_point(request: PlanRequest, steps: Sequence[Step], makers: Mapping[str, DoseMaker]) -> bool:
    """The last step is the smallest daily dose the formulations make at or above the last dose
    before stopping: no cut at a single time of day leaves a dose at or above it (how the planner
    ends a taper, planner.py), so the stop from it is the planned end point."""
    if not steps:
        return False
    table = request.table
    doses = steps[-1].dose_map()
    de = daily_de(doses, table)
    last = Fraction(request.last_dose_de_mg)
    return all(
        de - table.to_diazepam(drug, mg - makers[drug].below(mg)) < last
        for drug, slots in doses.items()
        for mg in slots.values()
    )


def _last_dose_stop(request: PlanRequest, steps: Sequence[Step], last: int | None) -> ScheduleWarning:
    de = steps[-1].diazepam_equivalent if steps else daily_de(request.initial_doses, request.table)
    lower = request.last_dose_de_mg < LAST_DOSE_DE_MG
    return ScheduleWarning(
        code="stop_from_last_dose",
        severity="info",
        message=(
            f"The taper stops from {format_de(de)} mg diazepam-equivalent a day, "
            + (
                "at or below the"
                if de <= Fraction(request.last_dose_de_mg)
                else "the smallest dose the allowed formulations make at or above the"
            )
            + f" last dose before stopping ({format_mg(request.last_dose_de_mg)} mg"
            + (", lower than the usual 0.5 mg as asked" if lower else "")
            + "): the planned end point, so the 25% rule does not apply to this final stop."
        ),
        source=SOURCE_LOWER_LAST_DOSE if lower else SOURCE_LAST_DOSE,
        step=last,
    )


def _abrupt_stop(request: PlanRequest, makers: Mapping[str, DoseMaker]) -> ScheduleWarning:
    smallest = ", ".join(
        f"{drug} {format_mg(makers[drug].smallest())} mg" for drug in request.initial_doses if drug in makers
    )
    return ScheduleWarning(
        code="abrupt_stop",
        severity="danger",
        message=(
            "This plan stops the current dose at once: the allowed formulations make no smaller "
            f"dose (smallest: {smallest}). Avoid abrupt discontinuation in a patient likely to be "
            "dependent: allow a smaller strength or an oral liquid, or switch to a longer-acting drug."
        ),
        source=SOURCE_ABRUPT,
    )


def _lowest_dose_stop(steps: Sequence[Step], last: int | None) -> ScheduleWarning:
    return ScheduleWarning(
        code="stop_from_lowest_dose",
        severity="info",
        message=(
            "The last dose is the smallest the allowed formulations can make, so the taper "
            "stops from it; the 25% rule does not apply to this final stop."
        ),
        source=SOURCE_LOWEST_DOSE,
        step=last,
    )


def _pace_warnings(start: _Change, changes: Sequence[_Change], last: int | None) -> list[ScheduleWarning]:
    warnings = []
    cuts = []  # (the change, the one before it)
    before = start
    for change in changes:
        if change.units < before.units and not change.switching:  # switch rounding is not a taper step
            cuts.append((change, before))
        before = change
    first_cut = 1 - cuts[0][0].de / cuts[0][1].de if cuts else Fraction(0)
    if first_cut > TYPICAL_FIRST_CUT:
        change, cut = cuts[0][0], first_cut
        warnings.append(
            ScheduleWarning(
                code="first_reduction_over_10_percent",
                severity="info",
                message=(
                    f"The first reduction is {format_percent(cut)}%; the guideline's typical first "
                    "reduction is 5-10%."
                ),
                source=SOURCE_TYPICAL_PACE,
                step=change.step if change.step is not None else last,
            )
        )
    for (earlier, _), (later, _) in pairwise(cuts):
        gap = later.day - earlier.day
        if gap < TYPICAL_INTERVAL_DAYS:
            warnings.append(
                ScheduleWarning(
                    code="interval_under_14_days",
                    severity="info",
                    message=(
                        f"Reductions {gap} days apart; the guideline typically allows at least "
                        "2 weeks between reductions."
                    ),
                    source=SOURCE_INTERVAL,
                    step=later.step if later.step is not None else last,
                )
            )
            break
    return warnings


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved ``months`` calendar months on (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last_day in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _duration_warnings(
    request: PlanRequest, steps: Sequence[Step], last: int | None
) -> list[ScheduleWarning]:
    days = sum(step.days for step in steps)
    end = steps[-1].end_date + dt.timedelta(days=1)
    if end > add_months(request.start, LONG_TAPER_MONTHS):
        return [
            ScheduleWarning(
                code="long_taper",
                severity="warning",
                message=(
                    f"The whole schedule lasts {days} days, more than {LONG_TAPER_MONTHS} months "
                    f"(it ends on {end.isoformat()}): review the pace, the interval and the end point."
                ),
                source=SOURCE_LONG_TAPER,
            )
        ]
    if not request.ends_with_stop or days >= SHORT_TAPER_DAYS:
        return []
    return [
        ScheduleWarning(
            code="short_taper",
            severity="warning",
            message=(
                f"The whole schedule lasts {days} days, under 8 weeks: a taper at the "
                "guideline's typical pace takes months."
            ),
            source=SOURCE_DURATION,
        )
    ]


def _stop_or_dose(change: _Change) -> str:
    return "Stopping from" if change.step is None else "From"
