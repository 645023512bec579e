"""No lost updates on a plan: every status change and every adjust form, opened before a colleague
saved the plan, is refused naming the colleague's change (who, what, why), and writes nothing.

Each form is read from the page as a browser would submit it (its hidden ``lock_version`` too),
reviewed, and saved with a reason for every danger the review asks about, so that the version the
form was opened on is the only thing that can refuse it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from schedules.models import Clinic, Patient, Plan, PlanVersion
from schedules.plans import actions as actions

from ..conftest import make_user
from ..patients.page_forms import submitted_values
from .conftest import acknowledging, new_plan

pytestmark = pytest.mark.django_db


def a_colleague(clinic: Clinic) -> User:
    """Another prescriber of the clinic, named on the refusal."""
    user = make_user("colleague", "Prescriber", clinic)
    user.first_name, user.last_name = "Dana", "Okafor"
    user.save()
    return user


@pytest.fixture
def colleague(clinic: Clinic) -> User:
    return a_colleague(clinic)


def holds(user: User, plan: Plan) -> PlanVersion:
    """The colleague holds the first step's dose for a week, acknowledging the dangers only where
    the plan is followed (a draft's wait for the acknowledge form)."""
    assert plan.current_version is not None
    proposal = actions.hold_proposal(plan.current_version, after_step=1, days=7)
    return actions.insert_hold(
        user,
        plan=plan,
        lock_version=plan.lock_version,
        after_step=1,
        days=7,
        reason="Holiday abroad",
        acknowledgements=acknowledging(proposal.schedule_dict) if plan.is_current else {},
    )


def acknowledges(user: User, plan: Plan) -> PlanVersion:
    assert plan.current_version is not None
    return actions.acknowledge_dangers(
        user,
        plan=plan,
        lock_version=plan.lock_version,
        acknowledgements=acknowledging(plan.current_version.schedule, "Inpatient withdrawal"),
        reason="Dangers reviewed at the team meeting",
    )


def pauses(user: User, plan: Plan) -> PlanVersion:
    return actions.pause(
        user,
        plan=plan,
        lock_version=plan.lock_version,
        on=timezone.localdate(),
        reason="Admitted to hospital",
    )


def draft(prescriber: User, patient: Patient) -> Plan:
    return new_plan(prescriber, patient, start=timezone.localdate())


def active(prescriber: User, patient: Patient) -> Plan:
    return new_plan(prescriber, patient, activate=True, start=timezone.localdate())


def paused(prescriber: User, patient: Patient) -> Plan:
    plan = active(prescriber, patient)
    pauses(prescriber, plan)
    plan.refresh_from_db()
    return plan


Make = Callable[[User, Patient], Plan]
Change = Callable[[User, Plan], PlanVersion]


def open_review_and_save(
    client: Client, url: str, colleague_change: Callable[[], PlanVersion], **typed: str
) -> tuple[Any, PlanVersion]:
    """Open the form, let the colleague save, then review and save what was typed."""
    opened = submitted_values(client.get(url).content.decode())
    theirs = colleague_change()
    data = {**opened, **typed, "reason": "My change"}
    review = client.post(url, {**data, "action": "review"}).content.decode()
    reasons = {name: "Discussed with the patient" for name in re.findall(r'name="(ack:[^"]+)"', review)}
    return client.post(url, {**data, **reasons, "action": "save"}), theirs


def assert_refused_naming(response: Any, theirs: PlanVersion) -> None:
    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert "Someone else saved this plan while you were working on it" in content
    when = timezone.localtime(theirs.created_at).strftime("%Y-%m-%d %H:%M")
    named = (
        f"version {theirs.number} by Dana Okafor at {when}: {theirs.get_change_display()} ({theirs.reason})"
    )
    assert named in content
    assert "Nothing of yours was saved" in content


def state(plan: Plan) -> tuple[int, str, int]:
    plan.refresh_from_db()
    return plan.lock_version, plan.status, plan.versions.count()


@pytest.mark.parametrize(
    ("action", "make", "their_change"),
    [
        ("activate", draft, holds),
        ("acknowledge", draft, holds),
        ("acknowledge", draft, acknowledges),  # both acknowledged: the second is told of the first
        ("pause", active, holds),
        ("resume", paused, holds),
        ("complete", active, pauses),
        ("stop", active, pauses),  # a stale "Stop" must not stop a plan just paused
    ],
)
def test_a_stale_status_change_is_refused_naming_the_other_change(
    prescriber: User,
    prescriber_client: Client,
    colleague: User,
    patient: Patient,
    action: str,
    make: Make,
    their_change: Change,
) -> None:
    plan = make(prescriber, patient)
    url = reverse("schedules:status_change", args=[plan.pk, action])
    response, theirs = open_review_and_save(prescriber_client, url, lambda: their_change(colleague, plan))
    assert_refused_naming(response, theirs)
    assert state(plan) == (theirs.number, theirs.status, theirs.number)


def edit_step(client: Client, plan: Plan, change: Callable[[], PlanVersion]) -> tuple[Any, PlanVersion]:
    url = reverse("schedules:step_edit", args=[plan.pk]) + "?step=2"
    return open_review_and_save(client, url, change, days="21")


def hold(client: Client, plan: Plan, change: Callable[[], PlanVersion]) -> tuple[Any, PlanVersion]:
    url = reverse("schedules:hold_insert", args=[plan.pk]) + "?step=2"
    return open_review_and_save(client, url, change, days="10")


def remove_step(client: Client, plan: Plan, change: Callable[[], PlanVersion]) -> tuple[Any, PlanVersion]:
    url = reverse("schedules:step_remove", args=[plan.pk]) + "?step=2"
    return open_review_and_save(client, url, change)


def replan(client: Client, plan: Plan, change: Callable[[], PlanVersion]) -> tuple[Any, PlanVersion]:
    url = reverse("schedules:replan", args=[plan.pk]) + "?step=3"
    return open_review_and_save(
        client, url, change, preset="custom", method="percent", percent="5", interval_days="28"
    )


@pytest.mark.parametrize("adjust", [edit_step, hold, remove_step, replan])
@pytest.mark.parametrize("make", [draft, active])
def test_a_stale_adjustment_is_refused_naming_the_other_change(
    prescriber: User,
    prescriber_client: Client,
    colleague: User,
    patient: Patient,
    adjust: Callable[..., tuple[Any, PlanVersion]],
    make: Make,
) -> None:
    plan = make(prescriber, patient)
    response, theirs = adjust(prescriber_client, plan, lambda: holds(colleague, plan))
    assert_refused_naming(response, theirs)
    assert state(plan) == (theirs.number, theirs.status, theirs.number)
