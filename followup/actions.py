"""The check-in workflow: record how the patient is doing and apply the decision to the plan.

Every change to the plan goes through the plan actions (schedules.plans.actions), which lock the plan,
check the version the person saw and save a new version; this module only chooses which action a
decision names and writes the reason that links the version to its check-in. Clinic staff may record a
check-in, but their decision is only proposed until a prescriber confirms it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from schedules import engine
from schedules.engine.serialize import request_from_dict
from schedules.models import Plan, PlanDocument, PlanVersion
from schedules.plans import actions as plans
from schedules.plans import dangers as plan_dangers
from schedules.plans import dates
from schedules.plans import documents as plan_documents
from schedules.plans import today as plan_today

from .forms import FollowUpSettingsForm
from .inputs import CheckInInput, DecisionInput
from .models import CheckIn, FollowUpSettings

DECIDE_PERMISSION = "followup.decide_checkin"
RECORD_PERMISSION = "followup.add_checkin"


class CheckInError(Exception):
    """A check-in or decision that cannot be applied. ``str(error)`` is one line a person can act on."""


@dataclass(frozen=True)
class Preview:
    """What a decision would make of the plan, nothing saved: the new schedule (None when the
    schedule is unchanged) and the danger warnings still to acknowledge."""

    decision: str
    step: dict[str, Any] | None
    proposal: plans.Proposal | None
    dangers: list[dict[str, Any]]
    stops_plan: bool = False


def may_decide(user: User) -> bool:
    return bool(user.has_perm(DECIDE_PERMISSION))


def latest_version(plan: Plan) -> PlanVersion:
    if plan.current_version is None:
        raise CheckInError("This plan has no saved version yet.")
    return plan.current_version


def preview_decision(version: PlanVersion, *, day: dt.date, decision: DecisionInput) -> Preview:
    """The engine edit the decision names, worked out on ``version`` (nothing saved)."""
    step = plan_today.current_step(version, day)
    if decision.decision not in CheckIn.PLAN_CHANGING:
        return Preview(decision=decision.decision, step=step, proposal=None, dangers=[])
    if decision.decision == CheckIn.Decision.STOP:
        return Preview(decision=decision.decision, step=step, proposal=None, dangers=[], stops_plan=True)
    if step is None:
        raise CheckInError(
            f"No step of the plan is in force on {day.isoformat()}: there is no dose to hold, slow or step back from."
        )
    try:
        proposal = _proposal(version, day=day, step_number=step["number"], decision=decision)
    except engine.EngineError as error:
        raise CheckInError(str(error)) from None
    dangers = plan_dangers.unacknowledged_dangers(
        proposal.schedule_dict, version.acknowledgements, saved_with=version.schedule
    )
    return Preview(decision=decision.decision, step=step, proposal=proposal, dangers=dangers)


def _proposal(
    version: PlanVersion, *, day: dt.date, step_number: int, decision: DecisionInput
) -> plans.Proposal:
    if decision.decision == CheckIn.Decision.HOLD:
        assert decision.hold_days is not None
        return plans.hold_proposal(version, after_step=step_number, days=decision.hold_days)
    if decision.decision == CheckIn.Decision.SLOW_DOWN:
        return plans.replan_proposal(
            version, step_number=_next_reduction(version, step_number), request=_slowed(version, decision)
        )
    assert decision.step_back_days is not None
    return plans.step_back_proposal(version, step_number=step_number, on=day, days=decision.step_back_days)


def _next_reduction(version: PlanVersion, step_number: int) -> int:
    """Slowing down "from here" keeps the step in force and re-plans from the next one."""
    if step_number >= len(version.schedule["steps"]):
        raise CheckInError("This is the plan's last step: there is no later reduction to slow down.")
    return step_number + 1


def _slowed(version: PlanVersion, decision: DecisionInput) -> engine.PlanRequest:
    request = request_from_dict(version.request)
    # A request without an interval uses its method's: the usual length of its taper steps.
    taper_days = Counter(int(step["days"]) for step in version.schedule["steps"] if step["phase"] == "taper")
    interval = request.interval_days or (taper_days.most_common(1)[0][0] if taper_days else 0)
    if decision.slow_interval_days is not None and decision.slow_interval_days <= interval:
        raise CheckInError(f"Slowing down needs an interval longer than the plan's {interval} days.")
    method = request.method
    if decision.slow_percent is not None:
        current = getattr(method, "percent", None)
        if current is None:
            raise CheckInError(
                "This plan does not reduce by a percentage: slow it down with a longer interval instead."
            )
        if decision.slow_percent >= current:
            raise CheckInError(f"Smaller steps need a reduction below the plan's {current:g}% per step.")
        method = engine.PercentMethod(percent=decision.slow_percent)
    return replace(request, method=method, interval_days=decision.slow_interval_days or request.interval_days)


def record_checkin(
    user: User,
    *,
    plan: Plan,
    lock_version: int,
    data: CheckInInput,
    acknowledgements: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> CheckIn:
    """Save the check-in, dated in ``dates.checkin_window`` (``today``: the local date unless
    given). A prescriber's decision is applied at once (a new plan version linked to the check-in);
    anyone else's is saved as a proposal for a prescriber to confirm."""
    if not user.has_perm(RECORD_PERMISSION):
        raise PermissionDenied("You may not record check-ins.")
    _check_visible(user, plan)
    decides = may_decide(user)
    version = latest_version(plan)
    try:
        dates.checkin_window(version, today=today or timezone.localdate()).check(data.date)
    except dates.DateOutOfWindow as error:
        raise CheckInError(str(error)) from None
    step = plan_today.current_step(version, data.date)
    with transaction.atomic():
        checkin = CheckIn(
            plan=plan,
            step_number=step["number"] if step else None,
            date=data.date,
            recorded_by=user,
            how=data.how,
            scale=data.scale,
            responses={str(order): score for order, score in data.responses.items()},
            total_score=data.total_score,
            missed_doses=data.missed_doses,
            extra_doses=data.extra_doses,
            other_times=data.other_times,
            journal_days_missed=data.journal_days_missed,
            journal_symptom_days=data.journal_symptom_days,
            sleep=data.sleep,
            cravings=data.cravings,
            alcohol=data.alcohol,
            opioids=data.opioids,
            other_sedatives=data.other_sedatives,
            note=data.note.strip(),
            review_done=data.review_done and decides,
            status=CheckIn.Status.PROPOSED,
        )
        _set_decision(checkin, data.decision)
        if decides:
            _confirm(user, checkin, lock_version=lock_version, acknowledgements=acknowledgements)
        checkin.save()
        plans.record_follow_up_dates(plan)
        # Its score goes on the chart of the clinician's printed plan: a new one is made.
        transaction.on_commit(
            partial(
                plan_documents.remake_current,
                Plan.objects.filter(pk=plan.pk),
                kinds=[PlanDocument.Kind.CLINICIAN],
            )
        )
    return checkin


def confirm_checkin(
    user: User,
    *,
    checkin: CheckIn,
    lock_version: int,
    decision: DecisionInput,
    acknowledgements: Mapping[str, str] | None = None,
) -> CheckIn:
    """A prescriber confirms (or changes, then confirms) the decision proposed by clinic staff."""
    if not may_decide(user):
        raise PermissionDenied("Only prescribers decide a change to the plan.")
    _check_visible(user, checkin.plan)
    with transaction.atomic():
        locked = CheckIn.objects.select_for_update().select_related("plan", "scale").get(pk=checkin.pk)
        if locked.status != CheckIn.Status.PROPOSED:
            raise CheckInError("This check-in's decision was confirmed already.")
        _set_decision(locked, decision)
        _confirm(user, locked, lock_version=lock_version, acknowledgements=acknowledgements)
        locked._change_reason = "Decision confirmed"  # type: ignore[attr-defined]  # simple-history's reason
        locked.save()
        plans.record_follow_up_dates(locked.plan)
    return locked


def save_cadence(form: FollowUpSettingsForm) -> FollowUpSettings:
    """Save a valid cadence form, and the plan's next check-in and review that follow from it."""
    with transaction.atomic():
        saved: FollowUpSettings = form.save(commit=False)
        saved._change_reason = "Check-in cadence changed"  # type: ignore[attr-defined]
        saved.save()
        plans.record_follow_up_dates(saved.plan)
    return saved


def _check_visible(user: User, plan: Plan) -> None:
    if not Plan.objects.visible_to(user).filter(pk=plan.pk).exists():
        raise PermissionDenied("This plan's patient is not in your clinics.")


def _set_decision(checkin: CheckIn, decision: DecisionInput) -> None:
    checkin.decision = decision.decision
    checkin.hold_days = decision.hold_days if decision.decision == CheckIn.Decision.HOLD else None
    slow = decision.decision == CheckIn.Decision.SLOW_DOWN
    checkin.slow_interval_days = decision.slow_interval_days if slow else None
    checkin.slow_percent = decision.slow_percent if slow else None
    checkin.step_back_days = (
        decision.step_back_days if decision.decision == CheckIn.Decision.STEP_BACK else None
    )
    checkin.refer_to = decision.refer_to.strip() if decision.decision == CheckIn.Decision.REFER else ""
    checkin.decision_reason = decision.reason.strip()
    if decision.decision == CheckIn.Decision.STOP and not checkin.decision_reason:
        raise CheckInError("Give the reason for stopping the taper.")


def _confirm(
    user: User,
    checkin: CheckIn,
    *,
    lock_version: int,
    acknowledgements: Mapping[str, str] | None,
) -> None:
    checkin.status = CheckIn.Status.CONFIRMED
    checkin.confirmed_by = user
    checkin.confirmed_at = timezone.now()
    if checkin.changes_plan:
        checkin.resulting_version = _apply(
            user, checkin, lock_version=lock_version, acknowledgements=acknowledgements
        )


def _apply(
    user: User,
    checkin: CheckIn,
    *,
    lock_version: int,
    acknowledgements: Mapping[str, str] | None,
) -> PlanVersion:
    """The plan action the decision names, with a reason that names the check-in."""
    plan = checkin.plan
    version = latest_version(plan)
    step = plan_today.current_step(version, checkin.date)
    reason = version_reason(checkin, step)
    common: dict[str, Any] = {"plan": plan, "lock_version": lock_version, "reason": reason}
    try:
        if checkin.decision == CheckIn.Decision.STOP:
            return plans.stop(user, **common)
        if step is None:
            raise CheckInError(
                f"No step of the plan is in force on {checkin.date.isoformat()}: "
                "there is no dose to hold, slow or step back from."
            )
        number = int(step["number"])
        if checkin.decision == CheckIn.Decision.HOLD:
            assert checkin.hold_days is not None
            return plans.insert_hold(
                user, **common, after_step=number, days=checkin.hold_days, acknowledgements=acknowledgements
            )
        if checkin.decision == CheckIn.Decision.SLOW_DOWN:
            decision = DecisionInput(
                decision=checkin.decision,
                slow_interval_days=checkin.slow_interval_days,
                slow_percent=checkin.slow_percent,
            )
            return plans.replan_from(
                user,
                **common,
                step_number=_next_reduction(version, number),
                request=_slowed(version, decision),
                choices=version.choices,
                acknowledgements=acknowledgements,
            )
        assert checkin.step_back_days is not None
        return plans.step_back(
            user,
            **common,
            step_number=number,
            on=checkin.date,
            days=checkin.step_back_days,
            acknowledgements=acknowledgements,
        )
    except (plans.PlanError, engine.EngineError) as error:
        raise CheckInError(str(error)) from None


def daily_dose(step: Mapping[str, Any] | None) -> str:
    if not step:
        return "no dose"
    return " + ".join(f"{mg:g} mg {drug}" for drug, mg in step["daily_mg"].items())


def checkin_summary(checkin: CheckIn) -> str:
    """e.g. "Symptom checklist 24, poor sleep, alcohol use" for the reason of a plan version."""
    parts = [f"{checkin.scale.abbreviation} {checkin.total_score}"]
    if checkin.sleep == CheckIn.Sleep.POOR:
        parts.append("poor sleep")
    elif checkin.sleep == CheckIn.Sleep.WORSE:
        parts.append("sleep worse than usual")
    parts.extend(f"{name} use" for name in checkin.substances)
    if checkin.cravings:
        parts.append("cravings")
    if checkin.missed_doses:
        parts.append("missed doses")
    if checkin.extra_doses:
        parts.append("extra doses")
    return ", ".join(parts)


def version_reason(checkin: CheckIn, step: Mapping[str, Any] | None) -> str:
    """e.g. "Held 14 days at 4 mg diazepam after the check-in of 2027-03-02: Symptom checklist 24, poor sleep"."""
    after = f"after the check-in of {checkin.date.isoformat()}: {checkin_summary(checkin)}"
    if checkin.decision == CheckIn.Decision.HOLD:
        action = f"Held {checkin.hold_days} days at {daily_dose(step)}"
    elif checkin.decision == CheckIn.Decision.SLOW_DOWN:
        changes = []
        if checkin.slow_interval_days:
            changes.append(f"every {checkin.slow_interval_days} days")
        if checkin.slow_percent is not None:
            changes.append(f"{checkin.slow_percent:g}% per step")
        action = f"Slowed down from the next step ({', '.join(changes)})"
    elif checkin.decision == CheckIn.Decision.STEP_BACK:
        action = f"Stepped back to the previous step's dose for {checkin.step_back_days} days"
    else:
        action = "Stopped the taper"
    reason = f"{action} {after}"
    if checkin.decision_reason:
        reason += f". {checkin.decision_reason}"
    return reason
