"""Where each plan stands in its follow-up: next check-in, next review, the last score and its band,
and decisions awaiting a prescriber. Computed for many plans at once in a fixed number of queries,
whatever the number of plans or check-ins (the dashboard and the plan page use it)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from schedules.models import Plan
from schedules.plans.review import ROW_FIELDS, Section, listing
from schedules.plans.today import change_days

from . import due
from .models import CheckIn, FollowUpSettings
from .scoring import BandSpec, HoldSuggestion, ScaleSpec, band_for, suggest_hold


@dataclass(frozen=True)
class FollowUp:
    plan: Plan
    cadence: FollowUpSettings
    next_checkin: dt.date | None
    checkin_state: due.DueState | None
    next_review: dt.date
    review_state: due.DueState
    co_use: bool
    last_checkin: CheckIn | None
    last_band: BandSpec | None
    hold_suggestion: HoldSuggestion | None
    proposals: int

    @property
    def last_scale(self) -> str:
        return (
            f"{self.last_checkin.scale.abbreviation} {self.last_checkin.total_score}"
            if self.last_checkin
            else ""
        )


def rise_points() -> int:
    return int(settings.FOLLOWUP_SCORE_RISE_POINTS)


def checkins_of(plans: Sequence[Plan]) -> dict[int, list[CheckIn]]:
    """The plans' check-ins, latest first, with their scales' items and bands (three queries).
    Kept on each plan object, so the pieces of one page that need them share one fetch."""
    missing = [plan for plan in plans if not hasattr(plan, "_followup_checkins")]
    if missing:
        by_plan: dict[int, list[CheckIn]] = defaultdict(list)
        fetched = (
            CheckIn.objects.filter(plan__in=[plan.pk for plan in missing])
            .select_related("scale", "recorded_by", "resulting_version")
            .prefetch_related("scale__items", "scale__bands")
            .order_by("plan_id", "-date", "-recorded_at")
        )
        for checkin in fetched:
            by_plan[checkin.plan_id].append(checkin)
        for plan in missing:
            plan._followup_checkins = by_plan[plan.pk]  # type: ignore[attr-defined]
    return {plan.pk: plan._followup_checkins for plan in plans}  # type: ignore[attr-defined]


def settings_of(plan: Plan) -> FollowUpSettings:
    """The plan's check-in cadence: its saved settings, or the default (at each reduction)."""
    try:
        return plan.followup_settings
    except FollowUpSettings.DoesNotExist:
        return FollowUpSettings(plan=plan)


def follow_ups(plans: Sequence[Plan], *, today: dt.date) -> list[FollowUp]:
    """The follow-up state of each plan (plans fetched with current_version, patient and
    followup_settings selected)."""
    by_plan = checkins_of(plans)
    specs = _specs(by_plan)
    return [_follow_up(plan, by_plan[plan.pk], specs, today=today) for plan in plans if plan.current_version]


def _specs(by_plan: Mapping[int, Sequence[CheckIn]]) -> dict[int, ScaleSpec]:
    specs: dict[int, ScaleSpec] = {}
    for checkin in (c for checkins in by_plan.values() for c in checkins):
        if checkin.scale_id not in specs:
            specs[checkin.scale_id] = checkin.scale.spec()
    return specs


@dataclass(frozen=True)
class DueDates:
    next_checkin: dt.date | None
    next_review: dt.date
    co_use: bool


def due_dates(
    *,
    status: str,
    schedule: Mapping[str, Any],
    checkins: Sequence[Any],
    cadence: str,
    every_weeks: int | None,
    patient_co_use: bool,
) -> DueDates:
    """When a plan's next check-in (active plans only) and next review fall due, from its version's
    ``schedule``, its check-ins (latest first; anything with CheckIn's fields) and its cadence. Nothing
    here reads the clock, so the plan keeps them as columns (schedules.plans.actions)."""
    last = checkins[0] if checkins else None
    start = dt.date.fromisoformat(schedule["start_date"])
    next_checkin = None
    if status == Plan.Status.ACTIVE:
        next_checkin = due.next_checkin_date(
            change_days=change_days(schedule["steps"]),
            plan_end=dt.date.fromisoformat(schedule["end_date"]),
            plan_start=start,
            last_checkin=last.date if last else None,
            cadence=due.Cadence(cadence),
            every_weeks=every_weeks,
        )
    reviews = [checkin.date for checkin in checkins if checkin.review_done]
    co_use = co_use_of(patient_co_use, last)
    next_review = due.next_review_date(
        last_review=reviews[0] if reviews else start, co_use=co_use, next_checkin=next_checkin
    )
    return DueDates(next_checkin=next_checkin, next_review=next_review, co_use=co_use)


def co_use_of(patient_co_use: bool, last_checkin: Any) -> bool:
    """Opioid or other CNS-depressant use: the patient's record, or reported at the last check-in."""
    return patient_co_use or bool(
        last_checkin and (last_checkin.opioids or last_checkin.other_sedatives or last_checkin.alcohol)
    )


def hold_suggestion_of(checkins: Sequence[Any], specs: Mapping[int, ScaleSpec]) -> HoldSuggestion | None:
    """Whether the last check-in (``checkins`` latest first) suggests a hold: its band, or a rise
    since the previous check-in on the same scale (``specs`` by scale id)."""
    if not checkins:
        return None
    last = checkins[0]
    previous = next((c for c in checkins[1:] if c.scale_id == last.scale_id), None)
    return suggest_hold(
        scale=specs[last.scale_id],
        total=last.total_score,
        previous_total=previous.total_score if previous else None,
        rise_points=rise_points(),
    )


def _follow_up(
    plan: Plan,
    checkins: list[CheckIn],
    specs: dict[int, ScaleSpec],
    *,
    today: dt.date,
    dates: DueDates | None = None,
) -> FollowUp:
    """``dates``: the plan's due dates when already known (its columns); else from its version."""
    cadence = settings_of(plan)
    last = checkins[0] if checkins else None
    if dates is None:
        version = plan.current_version
        assert version is not None
        dates = due_dates(
            status=plan.status,
            schedule=version.schedule,
            checkins=checkins,
            cadence=cadence.cadence,
            every_weeks=cadence.every_weeks,
            patient_co_use=plan.patient.cns_depressant_co_use,
        )
    next_checkin, next_review = dates.next_checkin, dates.next_review
    band = band_for(scale=specs[last.scale_id], total=last.total_score) if last else None
    return FollowUp(
        plan=plan,
        cadence=cadence,
        next_checkin=next_checkin,
        checkin_state=due.due_state(due=next_checkin, today=today) if next_checkin else None,
        next_review=next_review,
        review_state=due.due_state(due=next_review, today=today),
        co_use=dates.co_use,
        last_checkin=last,
        last_band=band,
        hold_suggestion=hold_suggestion_of(checkins, specs),
        proposals=sum(1 for checkin in checkins if checkin.status == CheckIn.Status.PROPOSED),
    )


# What a follow-up row reads besides the plan list's row (review.ROW_FIELDS): its dates, the
# patient's co-use, its cadence.
FOLLOW_UP_FIELDS = (
    "next_checkin_on",
    "next_review_on",
    "patient__cns_depressant_co_use",
    "followup_settings__cadence",
    "followup_settings__every_weeks",
)


@dataclass(frozen=True)
class Dashboard:
    due_this_week: Section | None
    overdue: Section | None
    reviews_due: Section | None
    suggest_hold: Section | None
    proposals: Section | None

    @property
    def sections(self) -> list[Section]:
        shown = (self.due_this_week, self.overdue, self.reviews_due, self.suggest_hold, self.proposals)
        return [section for section in shown if section]

    @property
    def empty(self) -> bool:
        return not any(section.page.paginator.count for section in self.sections)


def dashboard(user: object, *, today: dt.date, query: Mapping[str, str]) -> Dashboard:
    """The user's clinics' current plans whose follow-up needs attention, each list answered
    from the plans' indexed follow-up columns (schedules.plans.actions.record_follow_up_dates):
    the same queries whatever the number of plans, and no schedule read. ``query``: the request's
    query string (``list`` and ``page``, see schedules.plans.review.listing)."""
    plans = (
        Plan.objects.visible_to(user)  # type: ignore[arg-type]
        .filter(status__in=Plan.CURRENT_STATUSES)
        .select_related("patient", "followup_settings")
        .only(*ROW_FIELDS, *FOLLOW_UP_FIELDS)
    )
    week_end = today + dt.timedelta(days=due.WEEK_DAYS)
    by_checkin = ("next_checkin_on", "patient__family_name", "pk")
    queries = {
        "overdue": plans.filter(next_checkin_on__lt=today).order_by(*by_checkin),
        "due": plans.filter(next_checkin_on__gte=today, next_checkin_on__lt=week_end).order_by(*by_checkin),
        "reviews": plans.filter(next_review_on__lt=week_end).order_by(
            "next_review_on", "patient__family_name", "pk"
        ),
        "hold": plans.filter(hold_suggested=True).order_by("patient__family_name", "pk"),
        # The few plans with a proposal, from the check-ins' index of proposals.
        "proposals": plans.filter(
            pk__in=CheckIn.objects.filter(status=CheckIn.Status.PROPOSED).values("plan_id")
        ).order_by("patient__family_name", "pk"),
    }
    found = {key: listing(rows, query, key) for key, rows in queries.items()}
    listed = [plan for shown in found.values() if shown for plan in shown[0]]
    # The check-ins of the plans whose rows show something of them; the due list shows the date
    # alone, so a day when only check-ins fall due reads none.
    showing = {plan.pk for key, shown in found.items() if shown and key != "due" for plan in shown[0]}
    rows = {row.plan.pk: row for row in _listed(listed, today, with_checkins=showing)}
    sections = {
        key: Section(key=key, page=shown[0], rows=[rows[plan.pk] for plan in shown[0]], focused=shown[1])
        if shown
        else None
        for key, shown in found.items()
    }
    return Dashboard(
        due_this_week=sections["due"],
        overdue=sections["overdue"],
        reviews_due=sections["reviews"],
        suggest_hold=sections["hold"],
        proposals=sections["proposals"],
    )


def _listed(plans: Sequence[Plan], today: dt.date, *, with_checkins: set[int]) -> list[FollowUp]:
    """The rows of listed plans: their dates from the columns, the rest from the check-ins of
    the plans in ``with_checkins`` (the others' rows are built as if they had none: their list
    shows nothing of them)."""
    unique = {plan.pk: plan for plan in plans if plan.pk in with_checkins}
    by_plan: Mapping[int, list[CheckIn]] = defaultdict(list, checkins_of(list(unique.values())))
    specs = _specs(by_plan)
    return [
        _follow_up(plan, by_plan[plan.pk], specs, today=today, dates=_column_dates(plan, by_plan[plan.pk]))
        for plan in plans
    ]


def _column_dates(plan: Plan, checkins: Sequence[CheckIn]) -> DueDates:
    assert plan.next_review_on is not None  # written with every current plan's version
    last = checkins[0] if checkins else None
    return DueDates(
        next_checkin=plan.next_checkin_on,
        next_review=plan.next_review_on,
        co_use=co_use_of(plan.patient.cns_depressant_co_use, last),
    )
