"""What a clinic's tapering achieves: the Outcomes page's figures, and the plans behind each one.

Everything is read from indexed columns, step rows and check-in rows with a fixed number of
aggregate queries, whatever the number of plans; no saved schedule or request (a version's JSON) is
ever loaded. A taper's start, drugs and method are the plan's own columns, written when it was first
activated (schedules.plans.actions). Counts by month are conditions on those columns
(``_month_condition``), and the tapers started in the period are read one by one (``TaperFacts``);
each figure and the list of plans behind it are computed by the same condition or from the same
facts, so a number and its list cannot disagree.

Definitions (the page and README say the same):

- A *taper* is a plan that has been activated (drafts are left out).
- It *started* on the first day of step 1 of its first activated version.
- It *ended* on the day the version that completed or stopped it was saved.
- *Completed*: its prescriber marked it completed (its end point or target reached).
- *Reached its end point by 6 (12) months*: completed within 182 (365) days of its start; the share
  counts only tapers started in the period whose start was at least that long ago.
- *Time to completion*: days from the start to the completion, of completed tapers started in the period.
- *Dose at the start*: the daily diazepam equivalent of step 1 of the first activated version.
  *Dose now*: that of the step in force today in the current version (for a paused taper, on the day
  it was paused; for an ended one, on the day it ended); none left after the last step is 0 mg.
- *Drug* and *method*: those of the first activated version (the drugs taken at the start; the
  preset, or the method and its interval, and any switch).
- *Active at the end of a month*: started by then and not yet completed or stopped (a paused
  spell included). *Pauses* count the pauses begun in the month.
- *Check-ins due*: in the period and up to today, before the taper was paused, completed or
  stopped: at each dose reduction (the default cadence), each dose change after step 1 of the
  current version and the first day with no dose; every N weeks, each N weeks from the start.
  *Overdue*: a current taper whose next check-in or 3-monthly risk and benefit review
  (JCPG 2025 Recommendation 1) falls before today.
- *Holds*: versions that inserted a hold (from the plan page or a check-in's decision);
  *step-backs*: versions made by a check-in's decision to step back; of the tapers started in the
  period, over their whole course so far.
- *Withdrawal scores*: the total score of each check-in of a taper started in the period, on or
  after its start and up to today, by its scale, in 4-week bands of whole weeks since the start.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractUser
from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from followup.due import Cadence
from followup.models import CheckIn
from schedules.models import Clinic, Plan, PlanStep, PlanVersion
from schedules.plans.outcome_charts import BarChart, bar_chart, month_chart

SIX_MONTHS_DAYS = 182
TWELVE_MONTHS_DAYS = 365
HALVED = Decimal("0.5")
# Counts below this, and shares and medians of fewer tapers or check-ins, are withheld in the
# exported summary (a small number may identify a patient).
SMALL_COUNT = 5
# Withdrawal scores are summarised in bands of this many whole weeks since the start.
SCORE_WEEKS = 4
# The bands of the daily dose chart, by their upper edge (mg diazepam equivalent, the edge
# included). 5, 10 and 20 mg are the edges of the NICE CKS diazepam bands (schedules/engine/methods.py,
# _BANDS); 40 mg only splits the highest doses for reading, it is no clinical threshold.
DOSE_EDGES = (Decimal(0), Decimal(5), Decimal(10), Decimal(20), Decimal(40))
DOSE_BANDS = ("0 mg", "up to 5 mg", "5 to 10 mg", "10 to 20 mg", "20 to 40 mg", "over 40 mg")
NOT_RECORDED = "Not recorded"

MEASURES = {
    "started": "Started",
    "active": "Active at the end of the month",
    "paused": "Pauses begun",
    "completed": "Completed",
    "stopped": "Stopped",
    "cohort_completed": "Started in the period and completed since",
    "cohort_stopped": "Started in the period and stopped since",
    "completed_6": "Reached the end point by 6 months",
    "completed_12": "Reached the end point by 12 months",
    "halved": "Dose fallen by at least 50%",
    "held": "Held at least once",
    "stepped_back": "Stepped back at least once",
    "held_most": "The most holds in one taper",
    "stepped_back_most": "The most step-backs in one taper",
    "start_band": "Daily diazepam equivalent at the start",
    "now_band": "Daily diazepam equivalent now",
    "scored": "Withdrawal scores recorded",
    "stopped_through_checkin": "Stopped by a check-in's decision",
    "checked_in": "Check-ins recorded",
    "checkins_due": "Check-ins due",
    "checkin_overdue": "Check-in overdue",
    "review_overdue": "Review overdue",
}
GROUPINGS = {"drug": "Drug", "method": "Method or preset"}
# The figures of one band of a table: of the daily doses (the band's index in DOSE_BANDS) or of
# one scale's withdrawal scores (the band's first week).
DOSE_MEASURES = ("start_band", "now_band")
BANDED = (*DOSE_MEASURES, "scored")


class ScopeError(ValueError):
    """A clinic the user may not see, or a range that is not one."""


@dataclass(frozen=True)
class Scope:
    """The clinics and the date range (both ends included) the figures are for."""

    clinics: tuple[Clinic, ...]
    start: dt.date
    end: dt.date
    today: dt.date


def clinics_for(user: AbstractUser) -> QuerySet[Clinic]:
    """The clinics whose outcomes the user may see: those they prescribe in, and those they manage."""
    prescribes = Q(members=user) if user.has_perm("schedules.change_plan") else Q(pk__in=[])
    return Clinic.objects.filter(prescribes | Q(managers__user=user)).distinct().order_by("name")


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the calendar quarter ``day`` falls in."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    following = dt.date(day.year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


# The facts of each taper -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaperFacts:
    plan_id: int
    status: str
    started_on: dt.date | None
    ended_on: dt.date | None
    start_mg: Decimal | None
    now_mg: Decimal | None
    drug: str
    method: str

    @property
    def days_to_completion(self) -> int | None:
        if self.status != Plan.Status.COMPLETED or self.started_on is None or self.ended_on is None:
            return None
        return (self.ended_on - self.started_on).days

    def completed_within(self, days: int) -> bool:
        taken = self.days_to_completion
        return taken is not None and taken <= days

    @property
    def halved(self) -> bool:
        return (
            self.start_mg is not None
            and self.now_mg is not None
            and self.start_mg > 0
            and self.now_mg <= self.start_mg * HALVED
        )

    def group(self, grouping: str) -> str:
        return (self.drug if grouping == "drug" else self.method) or NOT_RECORDED


def tapers_of(clinics: Iterable[Clinic]) -> QuerySet[Plan]:
    return Plan.objects.filter(patient__clinic__in=list(clinics)).exclude(status=Plan.Status.DRAFT)


def _checkins_stop() -> Case:
    """The day from which no check-in falls due: when the taper was paused or ended (else none)."""
    return Case(
        When(status=Plan.Status.PAUSED, then=F("paused_on")),
        When(status__in=Plan.ENDED_STATUSES, then=F("ended_on")),
        output_field=DateField(),
    )


def taper_facts(plans: QuerySet[Plan], today: dt.date) -> list[TaperFacts]:
    """One query: each taper's start, end, drug, method and doses (the start's are the plan's own
    columns, written when it was first activated; the dose now is one indexed step-row lookup)."""
    in_force = PlanStep.objects.filter(
        version=OuterRef("current_version"), start_date__lte=OuterRef("as_of")
    ).order_by("-start_date")
    now_mg = Case(
        When(ends_on__lte=F("as_of"), then=Value(Decimal(0))),  # past the last step: no dose left
        # Before the first step: still on the dose the taper starts from.
        default=Coalesce(Subquery(in_force.values("diazepam_mg")[:1]), F("start_mg")),
        output_field=DecimalField(max_digits=9, decimal_places=4),
    )
    rows = (
        plans.annotate(as_of=Coalesce(_checkins_stop(), Value(today)))
        .annotate(now_mg=now_mg)
        .order_by()
        .values_list("pk", "status", "started_on", "ended_on", "start_mg", "now_mg", "drug", "method")
    )
    return [TaperFacts(*row) for row in rows]


# The figures ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    first_day: dt.date
    started: int
    active: int
    paused: int
    completed: int
    stopped: int

    @property
    def key(self) -> str:
        return f"{self.first_day:%Y-%m}"


@dataclass(frozen=True)
class Share:
    """``count`` of ``of``; ``None`` as a percentage when nothing is counted."""

    count: int
    of: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.of) if self.of else None


@dataclass(frozen=True)
class Cohort:
    """The figures of a set of tapers started in the period (all of them, or one drug's or method's)."""

    started: int
    completed: int
    stopped: int
    completed_6: Share
    completed_12: Share
    days_to_completion: tuple[int, ...]
    start_mgs: tuple[Decimal, ...]
    now_mgs: tuple[Decimal, ...]
    halved: Share

    @property
    def median_days_to_completion(self) -> float | None:
        return statistics.median(self.days_to_completion) if self.days_to_completion else None

    @property
    def median_start_mg(self) -> Decimal | None:
        return _median_mg(self.start_mgs)

    @property
    def median_now_mg(self) -> Decimal | None:
        return _median_mg(self.now_mgs)

    @property
    def start_mg_quartiles(self) -> tuple[Decimal, Decimal] | None:
        return _quartiles(self.start_mgs)

    @property
    def now_mg_quartiles(self) -> tuple[Decimal, Decimal] | None:
        return _quartiles(self.now_mgs)


def cohort_of(started: Sequence[TaperFacts], today: dt.date) -> Cohort:
    return Cohort(
        started=len(started),
        completed=sum(f.status == Plan.Status.COMPLETED for f in started),
        stopped=sum(f.status == Plan.Status.STOPPED for f in started),
        completed_6=_share_within(started, SIX_MONTHS_DAYS, today),
        completed_12=_share_within(started, TWELVE_MONTHS_DAYS, today),
        days_to_completion=tuple(f.days_to_completion for f in started if f.days_to_completion is not None),
        start_mgs=tuple(f.start_mg for f in started if f.start_mg is not None),
        now_mgs=tuple(f.now_mg for f in started if f.now_mg is not None),
        halved=Share(sum(f.halved for f in started), sum(f.start_mg is not None for f in started)),
    )


@dataclass(frozen=True)
class Interventions:
    """Holds (or step-backs) of the tapers started in the period: how many tapers had any, how
    many there were, and per taper."""

    tapers_with: Share
    per_taper: tuple[int, ...]  # one count for each taper started in the period, none included

    @property
    def total(self) -> int:
        return sum(self.per_taper)

    @property
    def median(self) -> float | None:
        return statistics.median(self.per_taper) if self.per_taper else None

    @property
    def most(self) -> int:
        return max(self.per_taper, default=0)


@dataclass(frozen=True)
class ScoreBand:
    first_week: int
    scores: tuple[int, ...]
    tapers: int

    @property
    def label(self) -> str:
        return f"Weeks {self.first_week}–{self.first_week + SCORE_WEEKS - 1}"

    @property
    def median(self) -> float:
        return statistics.median(self.scores)

    @property
    def quartiles(self) -> tuple[float, float] | None:
        if len(self.scores) < 2:
            return None
        low, _, high = statistics.quantiles(self.scores, n=4, method="inclusive")
        return low, high


@dataclass(frozen=True)
class ScaleScores:
    scale: str
    bands: tuple[ScoreBand, ...]


@dataclass(frozen=True)
class DoseBand:
    label: str
    start: int
    now: int


@dataclass(frozen=True)
class Outcomes:
    scope: Scope
    months: tuple[Month, ...]
    cohort: Cohort
    completed: int
    stopped: int
    stopped_through_checkin: int
    by_drug: tuple[tuple[str, Cohort], ...]
    by_method: tuple[tuple[str, Cohort], ...]
    holds: Interventions
    step_backs: Interventions
    scores: tuple[ScaleScores, ...]
    dose_bands: tuple[DoseBand, ...]
    checkins_done: int
    checkins_due: int
    checkin_overdue: int
    review_overdue: int

    @property
    def started(self) -> int:
        return self.cohort.started


def outcomes(scope: Scope) -> Outcomes:
    """The figures of the scope's tapers: seven queries, whatever their number. Counts by month are
    aggregates over the plans' indexed columns; only the tapers started in the period are read
    one by one (their doses, drug and method)."""
    plans = tapers_of(scope.clinics)
    started_plans = plans.filter(started_on__range=(scope.start, scope.end))
    started = taper_facts(started_plans, scope.today)
    counts = _plan_counts(plans, scope) | _version_counts(plans, scope)
    holds, step_backs = _interventions(started_plans, started)
    return Outcomes(
        scope=scope,
        months=tuple(_months(scope, counts)),
        cohort=cohort_of(started, scope.today),
        completed=counts["completed"],
        stopped=counts["stopped"],
        stopped_through_checkin=counts["stopped_through_checkin"],
        by_drug=_by(started, "drug", scope.today),
        by_method=_by(started, "method", scope.today),
        holds=holds,
        step_backs=step_backs,
        scores=_scores(started_plans, started, scope),
        dose_bands=_dose_bands(started),
        checkins_done=CheckIn.objects.filter(plan__in=plans, date__range=(scope.start, scope.end)).count(),
        checkins_due=counts["due_at_end"] + counts["due_at_changes"] + _checkins_due(plans, scope),
        checkin_overdue=counts["checkin_overdue"],
        review_overdue=counts["review_overdue"],
    )


# The figures by month, and the tapers each counts: one condition on the plan's columns.
MONTH_MEASURES = ("started", "active", "completed", "stopped")


def _month_condition(measure: str, first: dt.date, last: dt.date) -> Q:
    if measure == "started":
        return Q(started_on__range=(first, last))
    if measure == "active":
        return Q(started_on__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gt=last))
    return Q(status=measure, ended_on__range=(first, last))


def _period_months(scope: Scope) -> list[dt.date]:
    months, first = [], scope.start.replace(day=1)
    while first <= scope.end:
        months.append(first)
        first = _next_month(first)
    return months


def _plan_counts(plans: QuerySet[Plan], scope: Scope) -> dict[str, int]:
    """One grouped query over the plans' columns: the tapers by the month of the period they
    started in and ended in (before or after the period, or not ended), and by status, from which
    each month's counts (keyed "started_2026_01") and the period's completed and stopped follow
    (``_month_condition`` says the same); with the current tapers overdue today, and the check-ins
    due on the end days of tapers checked at each reduction."""
    months = _period_months(scope)
    last = min(scope.end, scope.today)
    sums = {measure: Count("pk", filter=_overdue_condition(measure, scope.today)) for measure in OVERDUE}
    changes = (
        _changes_due(scope, last).order_by().values("version").annotate(steps=Count("pk")).values("steps")
    )
    rows: Iterable[Mapping[str, Any]] = (
        plans.annotate(
            changes_stop=_changes_stop(last),
            began=_month_index("started_on", scope, months),
            ended=_month_index("ended_on", scope, months),
        )
        .order_by()
        .values("began", "ended", "status")
        .annotate(
            tapers=Count("pk"),
            due_at_end=Count("pk", filter=_due_at_end(scope, last)),
            due_at_changes=Sum(Subquery(changes), filter=AT_EACH_REDUCTION, default=0),
            **sums,
        )
    )
    counts = dict.fromkeys(
        [f"{measure}_{month:%Y_%m}" for month in months for measure in MONTH_MEASURES]
        + ["completed", "stopped", "due_at_end", "due_at_changes", *OVERDUE],
        0,
    )
    for row in rows:
        for key in ("due_at_end", "due_at_changes", *OVERDUE):
            counts[key] += row[key]
        for index, month in enumerate(months):
            key = f"{month:%Y_%m}"
            # Started by the month's last day (of the period) and not ended by it.
            counts[f"active_{key}"] += row["tapers"] * (row["began"] <= index < row["ended"])
        if 0 <= row["began"] < len(months):
            counts[f"started_{months[row['began']]:%Y_%m}"] += row["tapers"]
        if row["status"] in Plan.ENDED_STATUSES and 0 <= row["ended"] < len(months):
            counts[f"{row['status']}_{months[row['ended']]:%Y_%m}"] += row["tapers"]
            counts[row["status"]] += row["tapers"]
    return counts


AT_EACH_REDUCTION = ~Q(followup_settings__cadence=Cadence.EVERY_WEEKS)


def _due_at_end(scope: Scope, last: dt.date) -> Q:
    """A taper checked at each reduction whose first day with no dose falls in the period, up to
    ``last``, before it was paused or ended."""
    return AT_EACH_REDUCTION & Q(
        ends_on__range=(scope.start, last),
        ends_on__lt=Coalesce(_checkins_stop(), Value(last + dt.timedelta(days=1))),
    )


def _changes_stop(last: dt.date) -> Coalesce:
    """The day from which no dose change calls for a check-in: when the taper was paused or
    ended, else the day after ``last``."""
    return Coalesce(
        Case(When(status=Plan.Status.PAUSED, then=F("paused_on"))),
        F("ended_on"),
        Value(last + dt.timedelta(days=1)),
        output_field=DateField(),
    )


def _changes_due(scope: Scope, last: dt.date) -> QuerySet[PlanStep]:
    """The dose changes after step 1 of the outer taper's current version in the period, up to
    ``last`` and before ``changes_stop`` (``_changes_stop``, annotated on the outer query)."""
    return PlanStep.objects.filter(
        version=OuterRef("current_version"),
        changes_dose=True,
        number__gt=1,
        start_date__range=(scope.start, last),
        start_date__lt=OuterRef("changes_stop"),
    )


def _month_index(field: str, scope: Scope, months: Sequence[dt.date]) -> Case:
    """The index in ``months`` of the month of the period a date column falls in: -1 before the
    period, ``len(months)`` after it or when there is none."""
    return Case(
        When(**{f"{field}__lt": scope.start}, then=Value(-1)),
        *(
            When(**{f"{field}__lte": _bounds(scope, month)[1]}, then=Value(index))
            for index, month in enumerate(months)
        ),
        default=Value(len(months)),
    )


def _version_counts(plans: QuerySet[Plan], scope: Scope) -> dict[str, int]:
    """One grouped query over the pauses and stops saved in the period, by the month of the
    period they were saved in: the pauses begun in each month (keyed "paused_2026_01") and the
    tapers stopped in the period by a check-in's decision (the rest were stopped from the plan page)."""
    months = _period_months(scope)
    month_index = Case(
        *(
            When(created_at__lte=_local_day_range(*_bounds(scope, month))[1], then=Value(index))
            for index, month in enumerate(months)
        ),
        default=Value(len(months)),
    )
    rows = (
        PlanVersion.objects.filter(
            plan__in=plans,
            change__in=(PlanVersion.Change.PAUSED, PlanVersion.Change.STOPPED),
            created_at__range=_local_day_range(scope.start, scope.end),
        )
        .annotate(month=month_index)
        .order_by()
        .values("month", "change")
        .annotate(
            versions=Count("pk"),
            through_checkin=Count("pk", filter=VERSION_MEASURES["stopped_through_checkin"]),
        )
    )
    counts = {f"paused_{month:%Y_%m}": 0 for month in months} | {"stopped_through_checkin": 0}
    for row in rows:
        if row["change"] == PlanVersion.Change.PAUSED:
            counts[f"paused_{months[row['month']]:%Y_%m}"] += row["versions"]
        else:
            counts["stopped_through_checkin"] += row["through_checkin"]
    return counts


def _local_day_range(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The moments from the start of ``first`` to just before the day after ``last``, in the
    clinic's time zone: a filter on a timestamp that its index can answer."""
    begin = timezone.make_aware(dt.datetime.combine(first, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))
    return begin, end - dt.timedelta(microseconds=1)


def _months(scope: Scope, counts: dict[str, int]) -> Iterable[Month]:
    for first in _period_months(scope):
        key = f"{first:%Y_%m}"
        yield Month(
            first_day=first,
            started=counts[f"started_{key}"],
            active=counts[f"active_{key}"],
            paused=counts[f"paused_{key}"],
            completed=counts[f"completed_{key}"],
            stopped=counts[f"stopped_{key}"],
        )


def _next_month(first: dt.date) -> dt.date:
    return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)


def _bounds(scope: Scope, month: dt.date | None) -> tuple[dt.date, dt.date]:
    """The days a figure counts: a month of the period (ending with it), or the whole period."""
    if month is None:
        return scope.start, scope.end
    return max(month, scope.start), min(_next_month(month) - dt.timedelta(days=1), scope.end)


def _followed_for(facts: TaperFacts, days: int, today: dt.date) -> bool:
    return facts.started_on is not None and (today - facts.started_on).days >= days


def _share_within(in_period: Sequence[TaperFacts], days: int, today: dt.date) -> Share:
    followed = [f for f in in_period if _followed_for(f, days, today)]
    return Share(sum(f.completed_within(days) for f in followed), len(followed))


def _by(started: Sequence[TaperFacts], grouping: str, today: dt.date) -> tuple[tuple[str, Cohort], ...]:
    groups: dict[str, list[TaperFacts]] = defaultdict(list)
    for f in started:
        groups[f.group(grouping)].append(f)
    return tuple((label, cohort_of(groups[label], today)) for label in sorted(groups))


def _interventions(
    started_plans: QuerySet[Plan], started: Sequence[TaperFacts]
) -> tuple[Interventions, Interventions]:
    counts = _intervention_counts(started_plans)
    per_taper = [counts.get(f.plan_id, (0, 0)) for f in started]
    return tuple(  # type: ignore[return-value]
        Interventions(
            tapers_with=Share(sum(n[which] > 0 for n in per_taper), len(per_taper)),
            per_taper=tuple(n[which] for n in per_taper),
        )
        for which in (0, 1)
    )


def _intervention_counts(started_plans: QuerySet[Plan]) -> dict[int, tuple[int, int]]:
    """One query: the holds and the step-backs of each taper started in the period that had any."""
    held = Q(change=PlanVersion.Change.HOLD)
    stepped_back = Q(checkin__decision=CheckIn.Decision.STEP_BACK)
    return {
        plan_id: (holds, backs)
        for plan_id, holds, backs in PlanVersion.objects.filter(held | stepped_back, plan__in=started_plans)
        .order_by()
        .values("plan_id")
        .annotate(holds=Count("pk", filter=held), backs=Count("pk", filter=stepped_back))
        .values_list("plan_id", "holds", "backs")
    }


def _scores(
    started_plans: QuerySet[Plan], started: Sequence[TaperFacts], scope: Scope
) -> tuple[ScaleScores, ...]:
    bands: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for plan_id, scale, first_week, score in _scored(started_plans, started, scope):
        bands[(scale, first_week)].append((plan_id, score))
    scales = sorted({scale for scale, _ in bands})
    return tuple(
        ScaleScores(
            scale,
            tuple(
                ScoreBand(
                    first_week=first_week,
                    scores=tuple(sorted(score for _, score in bands[(scale, first_week)])),
                    tapers=len({plan_id for plan_id, _ in bands[(scale, first_week)]}),
                )
                for first_week in sorted(w for s, w in bands if s == scale)
            ),
        )
        for scale in scales
    )


def _scored(
    started_plans: QuerySet[Plan], started: Sequence[TaperFacts], scope: Scope
) -> Iterable[tuple[int, str, int, int]]:
    """One query: each counted check-in of the tapers started in the period, as (plan id, scale,
    first week of its band of weeks since the taper's start, total score)."""
    starts = {f.plan_id: f.started_on for f in started}
    rows = (
        CheckIn.objects.filter(plan__in=started_plans, date__gte=F("plan__started_on"), date__lte=scope.today)
        .order_by()
        .values_list("plan_id", "date", "total_score", "scale__name")
    )
    for plan_id, day, score, scale in rows:
        weeks = (day - starts[plan_id]).days // 7  # type: ignore[operator]
        yield plan_id, scale, weeks - weeks % SCORE_WEEKS, score


def dose_band(mg: Decimal) -> int:
    """The index in ``DOSE_BANDS`` of a daily dose: the first band whose upper edge it does not pass."""
    return next((index for index, edge in enumerate(DOSE_EDGES) if mg <= edge), len(DOSE_EDGES))


def _dose_bands(started: Sequence[TaperFacts]) -> tuple[DoseBand, ...]:
    starts = Counter(dose_band(f.start_mg) for f in started if f.start_mg is not None)
    nows = Counter(dose_band(f.now_mg) for f in started if f.now_mg is not None)
    return tuple(DoseBand(label, starts[i], nows[i]) for i, label in enumerate(DOSE_BANDS))


def _checkins_due(plans: QuerySet[Plan], scope: Scope) -> int:
    """Check-ins due in the period up to today (see the module's definitions) of the tapers
    checked every N weeks (those checked at each reduction are counted in ``_plan_counts``)."""
    return sum(due for _, due in _every_weeks_dues(plans, scope))


def _every_weeks_dues(plans: QuerySet[Plan], scope: Scope) -> list[tuple[int, int]]:
    """One query: each taper checked every N weeks, and how many check-ins fell due in the
    period up to today."""
    last = min(scope.end, scope.today)
    if last < scope.start:
        return []
    rows = (
        plans.filter(followup_settings__cadence=Cadence.EVERY_WEEKS, started_on__isnull=False)
        .annotate(stop=Coalesce(_checkins_stop(), Value(last + dt.timedelta(days=1))))
        .order_by()
        .values_list("pk", "started_on", "followup_settings__every_weeks", "stop")
    )
    after_last = last + dt.timedelta(days=1)
    return [
        (pk, _every_weeks_due(begun, n, min(stop, after_last), first=scope.start))
        for pk, begun, n, stop in rows
    ]


def _due_behind(plans: QuerySet[Plan], scope: Scope) -> set[int]:
    """The tapers with a check-in due in the period up to today (``_plan_counts`` and
    ``_checkins_due`` count them)."""
    last = min(scope.end, scope.today)
    if last < scope.start:
        return set()
    at_reductions = (
        plans.annotate(changes_stop=_changes_stop(last))
        .filter(_due_at_end(scope, last) | (AT_EACH_REDUCTION & Exists(_changes_due(scope, last))))
        .values_list("pk", flat=True)
    )
    return set(at_reductions) | {pk for pk, due in _every_weeks_dues(plans, scope) if due}


def _every_weeks_due(started_on: dt.date | None, weeks: int | None, stop: dt.date, *, first: dt.date) -> int:
    """How many of the days N weeks, 2N weeks, ... after the start fall on or after ``first`` and
    before ``stop`` (the day check-ins stop falling due, or the day after the last counted)."""
    if started_on is None or not weeks:
        return 0
    period = 7 * weeks
    lowest = max(1, math.ceil((first - started_on).days / period))
    highest = (stop - dt.timedelta(days=1) - started_on).days // period
    return max(0, highest - lowest + 1)


OVERDUE = {"checkin_overdue": "next_checkin_on__lt", "review_overdue": "next_review_on__lt"}


def _overdue_condition(measure: str, today: dt.date) -> Q:
    """Current tapers whose next check-in (or review) fell due before today: an indexed column."""
    return Q(status__in=Plan.CURRENT_STATUSES, **{OVERDUE[measure]: today})


def _median_mg(values: Sequence[Decimal]) -> Decimal | None:
    return Decimal(statistics.median(values)).quantize(Decimal("0.1")) if values else None


def _quartiles(values: Sequence[Decimal]) -> tuple[Decimal, Decimal] | None:
    """The lower and upper quartiles (inclusive method), when there are at least two values."""
    if len(values) < 2:
        return None
    low, _, high = statistics.quantiles(values, n=4, method="inclusive")
    return Decimal(low).quantize(Decimal("0.1")), Decimal(high).quantize(Decimal("0.1"))


# The plans behind a number ---------------------------------------------------------------------------


def plans_behind(
    user: AbstractUser,
    scope: Scope,
    measure: str,
    month: dt.date | None,
    group: tuple[str, str] | None = None,
    band: int | None = None,
    scale: str = "",
) -> QuerySet[Plan]:
    """The plans a figure counts (of one drug or method when ``group`` is (grouping, label); of
    one band of the daily doses or of a scale's scores, ``band``, see ``band_label``), among
    those the user may open (``Plan.objects.visible_to``)."""
    if measure not in MEASURES or (group is not None and group[0] not in GROUPINGS):
        raise ScopeError("There is no such figure.")
    plans = tapers_of(scope.clinics)
    if group is not None:
        grouping, label = group
        plans = plans.filter(**{grouping: "" if label == NOT_RECORDED else label})
    first, last = _bounds(scope, month)
    if measure in OVERDUE:
        ids = set(plans.filter(_overdue_condition(measure, scope.today)).values_list("pk", flat=True))
    elif measure in VERSION_MEASURES:
        ids = set(
            PlanVersion.objects.filter(
                VERSION_MEASURES[measure], plan__in=plans, created_at__range=_local_day_range(first, last)
            ).values_list("plan_id", flat=True)
        )
    elif measure == "checkins_due":
        ids = _due_behind(plans, scope)
    elif measure == "checked_in":
        ids = set(
            CheckIn.objects.filter(plan__in=plans, date__range=(first, last)).values_list(
                "plan_id", flat=True
            )
        )
    elif measure in MONTH_MEASURES:
        ids = set(plans.filter(_month_condition(measure, first, last)).values_list("pk", flat=True))
    else:
        ids = _started_behind(
            plans.filter(started_on__range=(scope.start, scope.end)), scope, measure, band, scale
        )
    return (
        Plan.objects.visible_to(user)
        .filter(pk__in=ids)
        .select_related("patient__clinic", "current_version")
        .order_by("patient__family_name", "patient__given_name", "pk")
    )


def band_label(measure: str, band: int | None, scale: str) -> str:
    """The band of a table a figure is of, for the heading of its list of plans: a band of the
    daily doses (its index in ``DOSE_BANDS``), or a scale's band of weeks since the start (its
    first week); "" for a figure of no band. ScopeError for a band there is not."""
    if measure not in BANDED:
        return ""
    if measure in DOSE_MEASURES and band is not None and band < len(DOSE_BANDS):
        return DOSE_BANDS[band]
    if measure == "scored" and scale and band is not None and band % SCORE_WEEKS == 0:
        return f"{scale}, weeks {band}–{band + SCORE_WEEKS - 1} since the start"
    raise ScopeError("There is no such band.")


def _started_behind(
    started_plans: QuerySet[Plan], scope: Scope, measure: str, band: int | None, scale: str
) -> set[int]:
    """The tapers started in the period that one of the period's figures of them counts."""
    facts = taper_facts(started_plans, scope.today)
    if measure == "scored":
        return {
            plan_id
            for plan_id, scored_on, first_week, _ in _scored(started_plans, facts, scope)
            if (scored_on, first_week) == (scale, band)
        }
    if measure in INTERVENTIONS:
        which, most = INTERVENTIONS[measure]
        counts = _intervention_counts(started_plans)
        per_taper = {f.plan_id: counts.get(f.plan_id, (0, 0))[which] for f in facts}
        if not most:
            return {plan_id for plan_id, n in per_taper.items() if n}
        top = max(per_taper.values(), default=0)
        return {plan_id for plan_id, n in per_taper.items() if n and n == top}
    return {f.plan_id for f in facts if _counts(f, scope, measure, band)}


# The versions saved in the period that a figure counts (``_version_counts``).
VERSION_MEASURES = {
    "paused": Q(change=PlanVersion.Change.PAUSED),
    "stopped_through_checkin": Q(
        change=PlanVersion.Change.STOPPED, checkin__isnull=False, plan__status=Plan.Status.STOPPED
    ),
}

# Of the holds (0) and the step-backs (1): the tapers with any, and those with the most.
INTERVENTIONS = {
    "held": (0, False),
    "stepped_back": (1, False),
    "held_most": (0, True),
    "stepped_back_most": (1, True),
}


def _counts(facts: TaperFacts, scope: Scope, measure: str, band: int | None) -> bool:
    """Whether a taper started in the period counts in one of the period's figures of them."""
    tests: dict[str, Callable[[], bool]] = {
        "cohort_completed": lambda: facts.status == Plan.Status.COMPLETED,
        "cohort_stopped": lambda: facts.status == Plan.Status.STOPPED,
        "completed_6": lambda: (
            _followed_for(facts, SIX_MONTHS_DAYS, scope.today) and facts.completed_within(SIX_MONTHS_DAYS)
        ),
        "completed_12": lambda: (
            _followed_for(facts, TWELVE_MONTHS_DAYS, scope.today)
            and facts.completed_within(TWELVE_MONTHS_DAYS)
        ),
        "halved": lambda: facts.halved,
        "start_band": lambda: facts.start_mg is not None and dose_band(facts.start_mg) == band,
        "now_band": lambda: facts.now_mg is not None and dose_band(facts.now_mg) == band,
    }
    return tests[measure]()


# The tables, for the page and the CSV ------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One number as the page writes it, the figure behind it (``measure``, for its list of plans),
    and what the exported summary needs to withhold it: ``count``, a number of tapers or events
    (1 to 4 withheld), and ``base``, the number of tapers or check-ins a share or a median is of
    (a share or median of 1 to 4 withheld)."""

    label: str
    value: str
    measure: str | None = None
    count: int | None = None
    base: int | None = None

    @property
    def exported(self) -> str:
        if self.base is not None and 0 < self.base < SMALL_COUNT:
            return f"withheld (based on fewer than {SMALL_COUNT})"
        if self.count is None or not 0 < self.count < SMALL_COUNT:
            return self.value
        if self.value == str(self.count):
            return small(self.count)
        return f"{small(self.count)} (share withheld)"


def small(count: int) -> str:
    """A count as the exported summary writes it: under 5 (but not none) as "fewer than 5"."""
    return f"fewer than {SMALL_COUNT}" if 0 < count < SMALL_COUNT else str(count)


def _count(label: str, value: int, measure: str | None = None) -> Figure:
    return Figure(label, str(value), measure, value)


def _share(label: str, item: Share, measure: str | None, none: str) -> Figure:
    value = none if item.percent is None else f"{item.percent}% ({item.count} of {item.of})"
    return Figure(label, value, measure, item.count, item.of)


def _mg(
    label: str,
    values: Sequence[Decimal],
    median: Decimal | None,
    quartiles: tuple[Decimal, Decimal] | None,
) -> Figure:
    if median is None:
        return Figure(label, "none")
    spread = f" (quartiles {quartiles[0]}–{quartiles[1]} mg)" if quartiles else ""
    return Figure(label, f"{median} mg{spread}", "started", base=len(values))


def _days(label: str, cohort: Cohort) -> Figure:
    days = cohort.median_days_to_completion
    value = "none completed" if days is None else f"{days:g} days"
    return Figure(label, value, "cohort_completed", base=len(cohort.days_to_completion))


def summary(result: Outcomes) -> tuple[Figure, ...]:
    cohort = result.cohort
    return (
        _count("Tapers started", cohort.started, "started"),
        _count("Completed in the period", result.completed, "completed"),
        _count("Stopped in the period", result.stopped, "stopped"),
        _count(
            "of which stopped by a check-in's decision",
            result.stopped_through_checkin,
            "stopped_through_checkin",
        ),
        *_cohort_cells(cohort, long=True)[3:],
        _count("Check-ins recorded in the period", result.checkins_done, "checked_in"),
        _count("Check-ins due in the period", result.checkins_due, "checkins_due"),
        _count("Current tapers with a check-in overdue today", result.checkin_overdue, "checkin_overdue"),
        _count("Current tapers with a review overdue today", result.review_overdue, "review_overdue"),
    )


COHORT_COLUMNS = (
    "Started",
    "Completed since",
    "Stopped since",
    "End point by 6 months",
    "End point by 12 months",
    "Median time to completion",
    "Daily diazepam equivalent at the start (median)",
    "Daily diazepam equivalent now (median)",
    "Dose fallen by at least 50%",
)


def _cohort_cells(cohort: Cohort, *, long: bool = False) -> tuple[Figure, ...]:
    """A cohort's figures: the row of a drug or a method, or (``long``, labelled for the summary)
    the whole period's."""
    labels = list(COHORT_COLUMNS)
    if long:
        labels[3:5] = ["Reached the end point by 6 months", "Reached the end point by 12 months"]
    return (
        _count(labels[0], cohort.started, "started"),
        _count(labels[1], cohort.completed, "cohort_completed"),
        _count(labels[2], cohort.stopped, "cohort_stopped"),
        _share(labels[3], cohort.completed_6, "completed_6", "no taper followed that long"),
        _share(labels[4], cohort.completed_12, "completed_12", "no taper followed that long"),
        _days(labels[5], cohort),
        _mg(labels[6], cohort.start_mgs, cohort.median_start_mg, cohort.start_mg_quartiles),
        _mg(labels[7], cohort.now_mgs, cohort.median_now_mg, cohort.now_mg_quartiles),
        _share(labels[8], cohort.halved, "halved", "none"),
    )


def group_table(groups: Sequence[tuple[str, Cohort]]) -> list[tuple[str, tuple[Figure, ...]]]:
    """The rows of the table by drug or by method."""
    return [(label, _cohort_cells(cohort)) for label, cohort in groups]


def _with_queries(
    rows: Sequence[tuple[str, tuple[Figure, ...]]], queries: Sequence[dict[str, str]]
) -> list[tuple[str, str, tuple[Figure, ...]]]:
    """The rows of a table with each row's query for the plans behind its numbers."""
    return [(label, urlencode(query), cells) for (label, cells), query in zip(rows, queries, strict=True)]


INTERVENTION_COLUMNS = ("Tapers with at least one", "In all", "Median per taper", "Most in one taper")


def intervention_table(result: Outcomes) -> list[tuple[str, tuple[Figure, ...]]]:
    rows: list[tuple[str, tuple[Figure, ...]]] = []
    for label, measure, item in (
        ("Holds", "held", result.holds),
        ("Step-backs", "stepped_back", result.step_backs),
    ):
        median = "none started" if item.median is None else f"{item.median:g}"
        rows.append(
            (
                label,
                (
                    _share(INTERVENTION_COLUMNS[0], item.tapers_with, measure, "none started"),
                    _count(INTERVENTION_COLUMNS[1], item.total, measure),
                    # Of every taper started in the period, those with none included.
                    Figure(INTERVENTION_COLUMNS[2], median, "started", base=len(item.per_taper)),
                    _count(INTERVENTION_COLUMNS[3], item.most, f"{measure}_most"),
                ),
            )
        )
    return rows


SCORE_COLUMNS = ("Median score (quartiles)", "Check-ins", "Tapers")


def score_table(scale: ScaleScores) -> list[tuple[str, tuple[Figure, ...]]]:
    rows: list[tuple[str, tuple[Figure, ...]]] = []
    for band in scale.bands:
        spread = f" ({band.quartiles[0]:g}–{band.quartiles[1]:g})" if band.quartiles else ""
        rows.append(
            (
                band.label,
                (
                    Figure(SCORE_COLUMNS[0], f"{band.median:g}{spread}", "scored", base=len(band.scores)),
                    _count(SCORE_COLUMNS[1], len(band.scores), "scored"),
                    _count(SCORE_COLUMNS[2], band.tapers, "scored"),
                ),
            )
        )
    return rows


DOSE_COLUMNS = ("Tapers at the start", "Tapers now")


def dose_table(result: Outcomes) -> list[tuple[str, tuple[Figure, ...]]]:
    return [
        (
            band.label,
            (
                _count(DOSE_COLUMNS[0], band.start, "start_band"),
                _count(DOSE_COLUMNS[1], band.now, "now_band"),
            ),
        )
        for band in result.dose_bands
    ]


MONTH_COLUMNS = ("started", "active", "paused", "completed", "stopped")


def month_table(result: Outcomes) -> list[tuple[Month, list[tuple[str, int]]]]:
    return [(month, [(key, getattr(month, key)) for key in MONTH_COLUMNS]) for month in result.months]


def tables(result: Outcomes) -> dict[str, object]:
    """Everything the page shows of ``result``, as its template takes it."""
    return {
        "summary": summary(result),
        "months": month_table(result),
        "month_columns": [MEASURES[key] for key in MONTH_COLUMNS],
        "cohort_columns": COHORT_COLUMNS,
        "group_tables": [
            (
                GROUPINGS[grouping],
                grouping,
                _with_queries(group_table(groups), [{"group": f"{grouping}:{label}"} for label, _ in groups]),
            )
            for grouping, groups in (("drug", result.by_drug), ("method", result.by_method))
        ],
        "intervention_columns": INTERVENTION_COLUMNS,
        "interventions": intervention_table(result),
        "dose_columns": DOSE_COLUMNS,
        "doses": _with_queries(dose_table(result), [{"band": str(i)} for i in range(len(DOSE_BANDS))]),
        "score_columns": SCORE_COLUMNS,
        "scores": [
            (
                scale.scale,
                _score_chart(index, scale),
                _with_queries(
                    score_table(scale),
                    [{"scale": scale.scale, "band": str(band.first_week)} for band in scale.bands],
                ),
            )
            for index, scale in enumerate(result.scores)
        ],
        "charts": charts(result),
    }


# The charts ---------------------------------------------------------------------------------------------


def charts(result: Outcomes) -> dict[str, BarChart]:
    """The page's charts of tapers by month and of the daily doses (those of the scores are with
    their tables)."""
    return {
        "months": month_chart(
            [(m.key, {key: getattr(m, key) for key in MONTH_COLUMNS}) for m in result.months],
            _month_description(result),
        ),
        "doses": bar_chart(
            key="doses",
            title="Daily diazepam equivalent at the start and now",
            description=_dose_description(result),
            series=(("start", "At the start"), ("now", "Now")),
            groups=[(band.label, {"start": band.start, "now": band.now}) for band in result.dose_bands],
        ),
    }


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _month_description(result: Outcomes) -> str:
    parts = [
        f"{month.first_day:%B %Y}: "
        + ", ".join(f"{MEASURES[k].lower()} {getattr(month, k)}" for k in MONTH_COLUMNS)
        for month in result.months
    ]
    return "Tapers by month. " + "; ".join(parts) + "."


def _dose_description(result: Outcomes) -> str:
    parts = [f"{band.label}: {band.start} at the start, {band.now} now" for band in result.dose_bands]
    return (
        "Tapers started in the period by daily diazepam equivalent at the start and now. "
        + "; ".join(parts)
        + "."
    )


def _score_chart(index: int, scale: ScaleScores) -> BarChart:
    parts = [
        f"{band.label.lower()}: median {band.median:g} ({_plural(len(band.scores), 'check-in')})"
        for band in scale.bands
    ]
    return bar_chart(
        key=f"scores{index}",
        title=f"{scale.scale}: median score by weeks since the start",
        description=f"Median {scale.scale} score by weeks since the start of the taper. "
        + "; ".join(parts)
        + ".",
        series=(("median", "Median score"),),
        groups=[
            (f"{band.first_week}–{band.first_week + SCORE_WEEKS - 1}", {"median": band.median})
            for band in scale.bands
        ],
    )


# The CSV ------------------------------------------------------------------------------------------------


def as_csv(result: Outcomes, clinic_names: str) -> bytes:
    """Every table of the page; counts under 5, and shares and medians of fewer than 5, withheld."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(("clinics", clinic_names))
    writer.writerow(("period", result.scope.start.isoformat(), result.scope.end.isoformat()))
    writer.writerow(())
    writer.writerow(("figure", "value"))
    for figure in summary(result):
        writer.writerow((figure.label, figure.exported))
    writer.writerow(())
    writer.writerow(("month", *(MEASURES[key].lower() for key in MONTH_COLUMNS)))
    for month, cells in month_table(result):
        writer.writerow((month.key, *(small(value) for _, value in cells)))
    tables = [
        ("drug", COHORT_COLUMNS, group_table(result.by_drug)),
        ("method or preset", COHORT_COLUMNS, group_table(result.by_method)),
        ("intervention", INTERVENTION_COLUMNS, intervention_table(result)),
        ("daily diazepam equivalent", DOSE_COLUMNS, dose_table(result)),
    ]
    tables += [
        (f"{scale.scale}: weeks since the start", SCORE_COLUMNS, score_table(scale))
        for scale in result.scores
    ]
    for heading, columns, rows in tables:
        writer.writerow(())
        writer.writerow((heading, *(column.lower() for column in columns)))
        for label, figures in rows:
            writer.writerow((label, *(figure.exported for figure in figures)))
    return buffer.getvalue().encode("utf-8")
