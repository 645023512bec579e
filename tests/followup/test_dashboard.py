"""The dashboard's follow-up lists: what falls due, and a query count that does not grow with the
number of plans or check-ins."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.template import engines
from django.test import RequestFactory

from followup.actions import record_checkin
from followup.inputs import DecisionInput
from followup.models import Scale
from followup.overview import dashboard
from schedules.models import Clinic, Drug, Plan, RegimenItem
from schedules.plans.actions import record_follow_up_dates
from schedules.plans.review import Section

from ..conftest import make_patient
from ..plans.conftest import new_plan
from .conftest import checkin_input

DAY = dt.date(2027, 1, 25)


def plans_with_checkins(
    prescriber: User, clinic: Clinic, scale: Scale, *, plans: int, checkins: int
) -> list[Plan]:
    made = []
    for n in range(plans):
        patient = make_patient(clinic, f"P-{n}", family_name=f"Patient{n:02d}")
        RegimenItem.objects.create(
            patient=patient, drug=Drug.objects.get(name="lorazepam"), night_mg=Decimal(2)
        )
        plan = new_plan(prescriber, patient, activate=True)
        for k in range(checkins):
            record_checkin(
                prescriber,
                plan=plan,
                lock_version=plan.lock_version,
                data=checkin_input(scale, dt.date(2027, 1, 5) + dt.timedelta(days=k), score=k % 3),
                today=dt.date(2027, 1, 5) + dt.timedelta(days=k),
            )
        made.append(plan)
    return made


def shown(section: Section | None) -> Section:
    assert section is not None
    return section


def listed(section: Section | None) -> list[Plan]:
    return [row.plan for row in shown(section).rows]


def render_dashboard(user: User) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = engines["django"].from_string("{% load followup %}{% followup_dashboard %}")
    return template.render({"request": request})


@pytest.mark.parametrize(("plans", "checkins"), [(1, 1), (6, 5)])
def test_the_dashboard_query_count_does_not_grow(
    prescriber: User,
    clinic: Clinic,
    checklist: Scale,
    django_assert_max_num_queries: object,
    plans: int,
    checkins: int,
) -> None:
    plans_with_checkins(prescriber, clinic, checklist, plans=plans, checkins=checkins)
    # Five lists, each a count and its first rows (10), and the listed plans' check-ins with their
    # scales (3).
    with django_assert_max_num_queries(13):  # type: ignore[operator]
        html = render_dashboard(prescriber)
    assert "Follow-up" in html and "Overdue check-ins" in html


def test_due_and_overdue_check_ins_and_suggested_holds(
    prescriber: User, clinic: Clinic, checklist: Scale, monkeypatch: pytest.MonkeyPatch
) -> None:
    quiet, rising = plans_with_checkins(prescriber, clinic, checklist, plans=2, checkins=0)
    # Step 2 of each plan starts on 2027-01-18 and step 3 on 2027-02-01.
    for day, score in ((dt.date(2027, 1, 18), 0), (dt.date(2027, 1, 20), 2)):
        record_checkin(
            prescriber,
            plan=rising,
            lock_version=rising.lock_version,
            data=checkin_input(checklist, day, score=score, decision=DecisionInput(decision="continue")),
            today=day,
        )
    board = dashboard(prescriber, today=DAY, query={})
    assert listed(board.overdue) == [quiet]  # its first check-in was due 2027-01-18
    assert listed(board.due_this_week) == []
    assert listed(board.suggest_hold) == [rising]  # 0 -> 24, a rise of more than 3
    later = dashboard(prescriber, today=dt.date(2027, 1, 28), query={})
    assert listed(later.due_this_week) == [rising]  # 2027-02-01


def test_reviews_fall_due_three_months_after_the_start_or_sooner_with_co_use(
    prescriber: User, clinic: Clinic, checklist: Scale
) -> None:
    plain, co_use = plans_with_checkins(prescriber, clinic, checklist, plans=2, checkins=0)
    co_use.patient.cns_depressant_co_use = True
    co_use.patient.save()
    record_follow_up_dates(co_use)  # what saving the patient's form does (schedules.patients.actions)
    board = dashboard(prescriber, today=DAY, query={})
    assert listed(board.reviews_due) == [co_use]  # due at the next check-in, 2027-01-18
    assert shown(board.reviews_due).rows[0].next_review == dt.date(2027, 1, 18)
    april = dashboard(prescriber, today=dt.date(2027, 4, 1), query={})
    assert plain in listed(april.reviews_due)  # 2027-01-04 + 3 months = 2027-04-04


def test_another_clinics_plans_are_not_on_the_dashboard(prescriber: User, foreign_plan: Plan) -> None:
    board = dashboard(prescriber, today=DAY, query={})
    assert board.empty


@pytest.mark.parametrize("checkins", [1, 8])
def test_the_plan_page_with_its_check_ins_and_scores_keeps_its_query_count(
    prescriber: User,
    clinic: Clinic,
    checklist: Scale,
    django_assert_max_num_queries: object,
    checkins: int,
) -> None:
    from django.urls import reverse

    from ..conftest import client_for

    (plan,) = plans_with_checkins(prescriber, clinic, checklist, plans=1, checkins=checkins)
    client = client_for(prescriber)
    # The plan page's own queries, plus 4 for the check-ins, their scales and the plan's cadence, and
    # the audit trail's record of the view, the comparison with every loaded table (2), and the device
    # that verified the session's second factor (1).
    with django_assert_max_num_queries(16 + 1):  # type: ignore[operator]
        html = client.get(reverse("schedules:plan_detail", args=[plan.pk])).content.decode()
    assert "Record a check-in" in html and 'class="chart-score"' in html
    with django_assert_max_num_queries(15 + 1):  # type: ignore[operator]
        response = client.get(reverse("followup:plan_checkins", args=[plan.pk]))
    assert response.status_code == 200
