"""A saved plan keeps the equivalence values and products it was built with; its page says when
the tables have changed since, naming what, who, when and why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from schedules import engine
from schedules.models import Equivalence, Formulation, Patient
from schedules.plans import actions as actions
from schedules.plans import today as plan_today
from schedules.plans.review import table_changes

from .conftest import lorazepam_request, new_plan

pytestmark = pytest.mark.django_db


def change_lorazepam(administrator: User, dose: str, reason: str) -> None:
    equivalence = Equivalence.objects.get(table__key="ashton", drug__name="lorazepam")
    equivalence.dose_mg = Decimal(dose)
    equivalence._change_reason = reason  # type: ignore[attr-defined]
    equivalence._history_user = administrator  # type: ignore[attr-defined]
    equivalence.save()


def test_a_table_change_leaves_the_saved_plan_as_it_was(
    prescriber: User, administrator: User, prescriber_client: Client, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient)
    version = plan.current_version
    assert version is not None
    before = version.schedule
    change_lorazepam(administrator, "2", "Corrected against the source")
    version.refresh_from_db()
    assert version.schedule == before
    assert engine.schedule_to_dict(plan_today.schedule_of(version)) == before
    content = prescriber_client.get(reverse("schedules:plan_detail", args=[plan.pk])).content.decode()
    assert "lorazepam 1 mg → 2 mg per 10 mg diazepam, Ashton benzodiazepine equivalence table" in content
    assert "by administrator" in content and "Corrected against the source" in content
    assert "Re-plan from the current step with current values" in content
    # A new plan uses the new value: lorazepam 4 mg a day is now 20 mg diazepam, not 40.
    fresh = actions.plan_proposal(lorazepam_request(patient)).schedule_dict
    assert fresh["steps"][0]["diazepam_equivalent_mg"] < before["steps"][0]["diazepam_equivalent_mg"]


def test_a_product_no_longer_stocked_is_named(
    prescriber: User, administrator: User, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient)
    product = Formulation.objects.get(drug__name="lorazepam", market="UK", strength_mg=Decimal("2.5"))
    product.stocked = False
    product._change_reason = "Discontinued by the supplier"  # type: ignore[attr-defined]
    product.save()
    assert plan.current_version is not None
    [change] = table_changes(plan.current_version)
    assert change.text == "lorazepam 2.5 mg tablet: no longer stocked"
    assert change.reason == "Discontinued by the supplier"


def test_no_notice_while_the_tables_are_unchanged(prescriber: User, patient: Patient) -> None:
    plan = new_plan(prescriber, patient)
    assert plan.current_version is not None
    assert table_changes(plan.current_version) == []


def test_replanning_with_current_values_uses_them_from_the_chosen_step(
    prescriber: User, administrator: User, prescriber_client: Client, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient)
    change_lorazepam(administrator, "2", "Corrected")
    version = actions.replan_from(
        prescriber,
        plan=plan,
        lock_version=1,
        step_number=3,
        request=lorazepam_request(patient),
        choices={},
        reason="Re-plan with the corrected table",
    )
    entries = {e["drug"]: e["dose_mg"] for e in version.request["table"]["entries"]}
    assert Decimal(entries["lorazepam"]) == 2
    assert table_changes(version) == []
