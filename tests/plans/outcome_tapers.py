"""Tapers written straight as rows (plan, versions, step rows, check-ins), with the dates they were
saved on, for the Outcomes tests: figures worked out by hand need known starts, ends and doses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from unittest import mock

from django.contrib.auth.models import User

from followup.models import CheckIn, Scale
from followup.scale_data import CHECKLIST_KEY
from schedules.models import Clinic, Plan, PlanStep, PlanVersion

from ..conftest import make_patient


def _at(day: dt.date) -> mock._patch[mock.MagicMock]:
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _version(plan: Plan, user: User, number: int, change: str, status: str, on: dt.date) -> PlanVersion:
    with _at(on):
        return PlanVersion.objects.create(
            plan=plan,
            number=number,
            change=change,
            status=status,
            reason=change,
            created_by=user,
            request={},
            schedule={},
            steps=[],
        )


def taper(
    clinic: Clinic,
    user: User,
    record: str,
    *,
    start: dt.date,
    doses: Sequence[int],
    step_days: int = 28,
    ended: tuple[str, dt.date] | None = None,
    paused_on: dt.date | None = None,
    next_checkin_on: dt.date | None = None,
    next_review_on: dt.date | None = None,
    drug: str = "lorazepam",
    method: str = "2025 Joint Guideline, standard",
    holds: Sequence[dt.date] = (),
    step_backs: Sequence[dt.date] = (),
) -> Plan:
    """A taper with one step per dose, activated on its start, held or stepped back (by a check-in)
    on the days given, then completed, stopped or paused."""
    plan = Plan.objects.create(patient=make_patient(clinic, record), created_by=user)

    def add(change: str, status: str, on: dt.date) -> PlanVersion:
        versions.append(_version(plan, user, len(versions) + 1, change, status, on))
        return versions[-1]

    versions: list[PlanVersion] = []
    status: str = Plan.Status.ACTIVE
    add(PlanVersion.Change.ACTIVATED, status, start)
    for day in holds:
        add(PlanVersion.Change.HOLD, status, day)
    for day in step_backs:
        checkin(plan, user, day, stepped_back_by=add(PlanVersion.Change.EDITED_STEP, status, day))
    if ended is not None:
        status, day = ended
        change = (
            PlanVersion.Change.COMPLETED if status == Plan.Status.COMPLETED else PlanVersion.Change.STOPPED
        )
        add(change, status, day)
    if paused_on is not None:
        status = Plan.Status.PAUSED
        add(PlanVersion.Change.PAUSED, status, paused_on)
    for version in versions:
        PlanStep.objects.bulk_create(
            PlanStep(
                version=version,
                number=index + 1,
                start_date=start + dt.timedelta(days=index * step_days),
                end_date=start + dt.timedelta(days=(index + 1) * step_days - 1),
                hold=False,
                changes_dose=True,
                diazepam_mg=Decimal(mg),
                doses=[],
            )
            for index, mg in enumerate(doses)
        )
    Plan.objects.filter(pk=plan.pk).update(
        status=status,
        status_reason="Patient's choice" if ended else "",
        paused_on=paused_on,
        ended_on=ended[1] if ended else None,
        started_on=start,
        start_mg=Decimal(doses[0]),
        drug=drug,
        method=method,
        current_version=versions[-1],
        ends_on=start + dt.timedelta(days=len(doses) * step_days),
        next_checkin_on=next_checkin_on,
        next_review_on=next_review_on,
    )
    return plan


def checkin(
    plan: Plan, user: User, on: dt.date, *, score: int = 3, stepped_back_by: PlanVersion | None = None
) -> None:
    """A confirmed check-in on the checklist; a decision to step back when it made ``stepped_back_by``."""
    CheckIn.objects.create(
        plan=plan,
        date=on,
        recorded_by=user,
        how=CheckIn.How.PHONE,
        scale=Scale.objects.get(key=CHECKLIST_KEY),
        responses={},
        total_score=score,
        sleep=CheckIn.Sleep.AS_USUAL,
        decision=CheckIn.Decision.STEP_BACK if stepped_back_by else CheckIn.Decision.CONTINUE,
        step_back_days=7 if stepped_back_by else None,
        status=CheckIn.Status.CONFIRMED,
        confirmed_by=user,
        resulting_version=stepped_back_by,
    )
