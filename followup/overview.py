"""Where each plan stands in its follow-up: next check-in, next review, the last score and its band,
and decisions awaiting a prescriber. Computed for many plans at once in a fixed number of queries,
whatever the number of plans or check-ins (the dashboard and the plan page use it)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from schedules.models import Plan

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
    specs: dict[int, ScaleSpec] = {}
    for checkin in (c for checkins in by_plan.values() for c in checkins):
        if checkin.scale_id not in specs:
            specs[checkin.scale_id] = checkin.scale.spec()
    return [_follow_up(plan, by_plan[plan.pk], specs, today=today) for plan in plans if plan.current_version]


def _follow_up(
    plan: Plan, checkins: list[CheckIn], specs: dict[int, ScaleSpec], *, today: dt.date
) -> FollowUp:
    version = plan.current_version
    assert version is not None
    cadence = settings_of(plan)
    last = checkins[0] if checkins else None
    next_checkin = None
    if plan.status == Plan.Status.ACTIVE:
        next_checkin = due.next_checkin_date(
            step_starts=[dt.date.fromisoformat(step["start_date"]) for step in version.schedule["steps"]],
            plan_end=version.end_date,
            plan_start=version.start_date,
            last_checkin=last.date if last else None,
            cadence=due.Cadence(cadence.cadence),
            every_weeks=cadence.every_weeks,
        )
    reviews = [checkin.date for checkin in checkins if checkin.review_done]
    co_use = plan.patient.cns_depressant_co_use or bool(
        last and (last.opioids or last.other_sedatives or last.alcohol)
    )
    next_review = due.next_review_date(
        last_review=reviews[0] if reviews else version.start_date, co_use=co_use, next_checkin=next_checkin
    )
    band = suggestion = None
    if last is not None:
        spec = specs[last.scale_id]
        band = band_for(scale=spec, total=last.total_score)
        previous = next((c for c in checkins[1:] if c.scale_id == last.scale_id), None)
        suggestion = suggest_hold(
            scale=spec,
            total=last.total_score,
            previous_total=previous.total_score if previous else None,
            rise_points=rise_points(),
        )
    return FollowUp(
        plan=plan,
        cadence=cadence,
        next_checkin=next_checkin,
        checkin_state=due.due_state(due=next_checkin, today=today) if next_checkin else None,
        next_review=next_review,
        review_state=due.due_state(due=next_review, today=today),
        co_use=co_use,
        last_checkin=last,
        last_band=band,
        hold_suggestion=suggestion,
        proposals=sum(1 for checkin in checkins if checkin.status == CheckIn.Status.PROPOSED),
    )


def current_plans_for(user: object) -> list[Plan]:
    """The user's clinics' active and paused plans, ready for follow_ups (one query)."""
    return list(
        Plan.objects.visible_to(user)  # type: ignore[arg-type]
        .filter(status__in=Plan.CURRENT_STATUSES)
        .select_related("current_version", "patient", "followup_settings")
        .order_by("patient__family_name", "patient__given_name", "pk")
    )


@dataclass(frozen=True)
class Dashboard:
    due_this_week: list[FollowUp]
    overdue: list[FollowUp]
    reviews_due: list[FollowUp]
    suggest_hold: list[FollowUp]
    proposals: list[FollowUp]

    @property
    def empty(self) -> bool:
        return not any(
            (self.due_this_week, self.overdue, self.reviews_due, self.suggest_hold, self.proposals)
        )


def dashboard(user: object, *, today: dt.date) -> Dashboard:
    rows = follow_ups(current_plans_for(user), today=today)
    by_checkin = sorted((r for r in rows if r.next_checkin), key=lambda r: r.next_checkin or today)
    return Dashboard(
        due_this_week=[r for r in by_checkin if r.checkin_state == due.DueState.THIS_WEEK],
        overdue=[r for r in by_checkin if r.checkin_state == due.DueState.OVERDUE],
        reviews_due=sorted(
            (r for r in rows if r.review_state != due.DueState.LATER), key=lambda r: r.next_review
        ),
        suggest_hold=[r for r in rows if r.hold_suggestion is not None],
        proposals=[r for r in rows if r.proposals],
    )
