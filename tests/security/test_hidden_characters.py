"""Issue 16 item 7: a right-to-left override or an escape character is refused, beside the field and
keeping what was typed, in plan reasons, acknowledgement reasons and check-in notes (admin change
reasons: tests/security/test_admin_audit.py). The workflow refuses them too, for reasons that reach a
version without a form."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from followup.models import CheckIn, Scale
from followup.scale_data import CHECKLIST_KEY
from schedules.models import Patient
from schedules.plans import actions
from schedules.plans import dangers as plan_dangers

from ..conftest import client_for
from ..followup.test_views import DAY, create_url, form_data
from ..plans.conftest import new_plan

pytestmark = pytest.mark.django_db

HIDDEN = ["\u202e", "\x1b[2J", "\u2067"]
REFUSED = "cannot be shown or printed reliably"


@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_plan_reason_is_refused_beside_the_field_and_kept(
    prescriber: User, patient: Patient, hidden: str
) -> None:
    plan = new_plan(prescriber, patient)
    typed = f"Patient asked{hidden} for a pause"
    response = client_for(prescriber).post(
        f"/plans/{plan.pk}/hold/",
        {"lock_version": plan.lock_version, "after_step": 1, "days": 14, "reason": typed, "action": "save"},
    )
    form = response.context["form"]
    assert REFUSED in form.errors["reason"][0]
    assert form["reason"].value() == typed and form["days"].value() == "14"
    plan.refresh_from_db()
    assert plan.lock_version == 1


@pytest.mark.parametrize("hidden", HIDDEN)
def test_an_acknowledgement_reason_is_refused_beside_the_field(
    prescriber: User, patient: Patient, hidden: str
) -> None:
    plan = new_plan(prescriber, patient)
    assert plan.current_version is not None
    dangers = plan_dangers.unacknowledged_dangers(plan.current_version.schedule, [])
    assert dangers
    reasons = {f"ack:{w['key']}": f"Supervised{hidden}" for w in dangers}
    response = client_for(prescriber).post(
        f"/plans/{plan.pk}/activate/",
        {"lock_version": plan.lock_version, "reason": "Starting", "action": "save", **reasons},
    )
    ack_form = response.context["ack_form"]
    name = next(iter(reasons))
    assert REFUSED in ack_form.errors[name][0]
    assert ack_form[name].value() == f"Supervised{hidden}"
    plan.refresh_from_db()
    assert plan.status == "draft"


@pytest.fixture
def followed(prescriber: User, patient: Patient, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: DAY)
    return new_plan(prescriber, patient, activate=True)


@pytest.mark.parametrize("field", ["note", "decision_reason"])
@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_check_in_note_or_reason_is_refused_beside_the_field_and_kept(
    prescriber_client: Client, followed: object, field: str, hidden: str
) -> None:
    typed = f"Shaky{hidden} mornings\nbetter by noon"
    data = form_data(followed, Scale.objects.get(key=CHECKLIST_KEY), **{field: typed})  # type: ignore[arg-type]
    response = prescriber_client.post(create_url(followed), {**data, "save": "1"})  # type: ignore[arg-type]
    form = response.context["form"]
    assert REFUSED in form.errors[field][0]
    assert form[field].value() == typed
    assert not CheckIn.objects.exists()


def test_a_line_break_in_a_check_in_note_is_still_fine(prescriber_client: Client, followed: object) -> None:
    data = form_data(followed, Scale.objects.get(key=CHECKLIST_KEY), note="Shaky mornings\nbetter by noon")  # type: ignore[arg-type]
    prescriber_client.post(create_url(followed), {**data, "save": "1"})  # type: ignore[arg-type]
    assert CheckIn.objects.get().note == "Shaky mornings\nbetter by noon"


@pytest.mark.parametrize("hidden", HIDDEN)
def test_the_workflow_refuses_a_hidden_character_in_a_reason_or_acknowledgement(
    prescriber: User, patient: Patient, hidden: str
) -> None:
    plan = new_plan(prescriber, patient)
    with pytest.raises(actions.PlanError, match="The reason for this change: Remove"):
        actions.insert_hold(
            prescriber, plan=plan, lock_version=1, after_step=1, days=14, reason=f"Asked{hidden}"
        )
    with pytest.raises(actions.PlanError, match=r"The reason given for danger .*: Remove"):
        actions.activate(
            prescriber, plan=plan, lock_version=1, reason="Start", acknowledgements={"x@1": f"ok{hidden}"}
        )
