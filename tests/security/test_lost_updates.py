"""Issue 16 item 8: no last write wins. Two administrators editing one equivalence, two prescribers
setting one plan's check-in cadence: the second save is refused, naming what the first changed,
keeping what was typed; saving again (having seen it) goes ahead."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from followup.models import FollowUpSettings
from schedules.models import Equivalence, Plan

from ..conftest import client_for, make_user
from ..plans.conftest import new_plan
from ..test_admin import equivalence_post

pytestmark = pytest.mark.django_db


def test_a_second_administrator_is_refused_naming_the_first_change(
    admin_client_: Client, clinic: object
) -> None:
    colleague = client_for(make_user("curator", "Administrator", clinic, is_staff=True))  # type: ignore[arg-type]
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    url = reverse("admin:schedules_equivalence_change", args=[equivalence.pk])
    opened = equivalence_post(equivalence)  # both open the page now
    assert colleague.post(url, {**opened, "dose_mg": "1.2", "change_reason": "BNF 2024"}).status_code == 302
    mine = {**opened, "note": "Checked against Ashton 2002", "change_reason": "Note added"}
    refused = admin_client_.post(url, mine)
    assert refused.status_code == 200
    form = refused.context["adminform"].form
    [error] = form.non_field_errors()
    assert "Someone saved this since you opened it: curator at " in error
    assert "dose_mg 1 → 1.2 (BNF 2024)" in error
    # What they changed shows where this administrator typed nothing; what this one typed is kept.
    assert form["dose_mg"].value() == "1.2"
    assert form["note"].value() == "Checked against Ashton 2002"
    equivalence.refresh_from_db()
    assert (equivalence.dose_mg, equivalence.note) == (Decimal("1.2"), opened["note"])
    # Having seen it, the administrator saves again from the page they were shown.
    again = {**mine, "dose_mg": "1.2", "seen_history": form["seen_history"].value()}
    assert admin_client_.post(url, again).status_code == 302
    equivalence.refresh_from_db()
    assert equivalence.note == "Checked against Ashton 2002" and equivalence.dose_mg == Decimal("1.2")


def test_an_equivalence_saved_by_nobody_else_saves_at_once(admin_client_: Client) -> None:
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    url = reverse("admin:schedules_equivalence_change", args=[equivalence.pk])
    response = admin_client_.post(url, equivalence_post(equivalence, note="Seen", change_reason="Note"))
    assert response.status_code == 302


@pytest.fixture
def plan(prescriber: User, patient: object) -> Plan:
    return new_plan(prescriber, patient, activate=True)  # type: ignore[arg-type]


def seen_on_page(client: Client, plan: Plan) -> str:
    form = client.get(reverse("followup:plan_checkins", args=[plan.pk])).context["settings_form"]
    return str(form["seen_history"].value())


def test_a_second_cadence_is_refused_naming_the_first(prescriber: User, plan: Plan, clinic: object) -> None:
    mine, theirs = client_for(prescriber), client_for(make_user("colleague", "Prescriber", clinic))  # type: ignore[arg-type]
    url = reverse("followup:followup_settings", args=[plan.pk])
    my_seen, their_seen = seen_on_page(mine, plan), seen_on_page(theirs, plan)
    assert (
        theirs.post(url, {"cadence": "every_weeks", "every_weeks": 4, "seen_history": their_seen}).status_code
        == 302
    )
    refused = mine.post(url, {"cadence": "every_weeks", "every_weeks": 2, "seen_history": my_seen})
    assert refused.status_code == 400
    form = refused.context["settings_form"]
    [error] = form.non_field_errors()
    assert "colleague at " in error and "created it" in error
    assert form["every_weeks"].value() == "2"
    assert FollowUpSettings.objects.get(plan=plan).every_weeks == 4
    again = mine.post(
        url, {"cadence": "every_weeks", "every_weeks": 2, "seen_history": form["seen_history"].value()}
    )
    assert again.status_code == 302
    assert FollowUpSettings.objects.get(plan=plan).every_weeks == 2


def test_a_later_cadence_change_is_named_with_old_and_new(
    prescriber: User, plan: Plan, clinic: object
) -> None:
    mine, theirs = client_for(prescriber), client_for(make_user("colleague", "Prescriber", clinic))  # type: ignore[arg-type]
    url = reverse("followup:followup_settings", args=[plan.pk])
    mine.post(url, {"cadence": "every_weeks", "every_weeks": 4, "seen_history": seen_on_page(mine, plan)})
    my_seen = seen_on_page(mine, plan)
    theirs.post(url, {"cadence": "every_weeks", "every_weeks": 6, "seen_history": seen_on_page(theirs, plan)})
    refused = mine.post(url, {"cadence": "each_step", "seen_history": my_seen})
    [error] = refused.context["settings_form"].non_field_errors()
    assert "every_weeks 4 → 6 (Check-in cadence changed)" in error
