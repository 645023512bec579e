"""The Outcomes page: its figures agree with ones worked out by hand from a known set of tapers,
another clinic's staff see nothing of them, the CSV withholds small counts and is audited, and the
page makes the same number of queries at two sizes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ClinicManager
from audit.models import Action, AuditEvent
from schedules.models import Clinic, Plan
from schedules.plans import outcomes
from schedules.plans.outcome_charts import month_chart

from ..conftest import client_for, make_patient, make_user
from .outcome_tapers import checkin, taper

pytestmark = pytest.mark.django_db
TODAY = dt.date(2027, 6, 30)
YEAR_2026 = {"start": "2026-01-01", "end": "2026-12-31"}


@pytest.fixture
def tapers(clinic: Clinic, other_clinic: Clinic, prescriber: User) -> dict[str, Plan]:
    d = dt.date
    made = {
        "A": taper(
            clinic,
            prescriber,
            "A",
            start=d(2026, 1, 5),
            doses=[20, 15, 10, 5],
            ended=(Plan.Status.COMPLETED, d(2026, 5, 4)),
        ),
        "B": taper(
            clinic,
            prescriber,
            "B",
            start=d(2026, 2, 2),
            doses=[10, 8, 6, 4, 2],
            ended=(Plan.Status.COMPLETED, d(2026, 9, 1)),
        ),
        "C": taper(
            clinic,
            prescriber,
            "C",
            start=d(2026, 3, 2),
            doses=[30, 25, 20],
            ended=(Plan.Status.STOPPED, d(2026, 4, 15)),
        ),
        "D": taper(
            clinic,
            prescriber,
            "D",
            start=d(2026, 7, 6),
            doses=[16, 12, 8, 4],
            step_days=120,
            next_checkin_on=d(2027, 6, 1),
            next_review_on=d(2027, 8, 1),
        ),
        "E": taper(
            clinic,
            prescriber,
            "E",
            start=d(2026, 10, 5),
            doses=[40, 36, 32, 28],
            paused_on=d(2026, 11, 10),
            next_review_on=d(2027, 1, 1),
        ),
        "F": taper(
            clinic,
            prescriber,
            "F",
            start=d(2025, 11, 3),
            doses=[12, 6],
            ended=(Plan.Status.COMPLETED, d(2026, 3, 2)),
        ),
        "I": taper(
            clinic, prescriber, "I", start=d(2026, 12, 7), doses=[10, 5], next_checkin_on=d(2027, 7, 15)
        ),
        "other": taper(
            other_clinic,
            make_user("elsewhere", "Prescriber", other_clinic),
            "H",
            start=d(2026, 3, 2),
            doses=[50, 40],
        ),
    }
    Plan.objects.create(patient=make_patient(clinic, "G"), created_by=prescriber)  # a draft: no taper
    checkin(made["D"], prescriber, d(2026, 8, 3))
    checkin(made["D"], prescriber, d(2026, 11, 3))
    checkin(made["F"], prescriber, d(2025, 12, 1))
    return made


def scope_2026(clinic: Clinic) -> outcomes.Scope:
    return outcomes.Scope(
        clinics=(clinic,), start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), today=TODAY
    )


def test_the_figures_agree_with_the_ones_worked_out_by_hand(clinic: Clinic, tapers: dict[str, Plan]) -> None:
    result = outcomes.outcomes(scope_2026(clinic))
    # Started in 2026: A, B, C, D, E, I (F began in 2025, the draft is no taper, H is another clinic's).
    assert result.started == 6
    # Ended in 2026: A (4 May), B (1 Sep) and F (2 Mar) completed; C stopped.
    assert (result.completed, result.stopped, result.stopped_through_checkin) == (3, 1, 0)
    # All six began at least 182 days before 30 Jun 2027; only A completed within them (119 days).
    assert result.completed_6 == outcomes.Share(1, 6)
    # A, B and C began at least 365 days before; A and B (211 days) completed within them.
    assert result.completed_12 == outcomes.Share(2, 3)
    assert result.median_days_to_completion == 165  # (119 + 211) / 2
    # At the start: 10, 10, 16, 20, 30, 40. Now: A and B ended after their last step (0), C stopped
    # on step 2 (25), D is on step 3 today (8), E paused on step 2 (36), I is past its last step (0).
    assert result.median_start_mg == Decimal("18.0")
    assert result.median_now_mg == Decimal("4.0")
    assert result.halved == outcomes.Share(4, 6)  # A, B, D (8 of 16) and I
    # Check-ins dated in 2026: D's two. Dose changes in 2026: A 3, B 4, C 2, D 1, E 3.
    assert (result.checkins_done, result.checkins_due) == (2, 13)
    # D's check-in was due 1 Jun 2027; E's review 1 Jan 2027.
    assert (result.checkin_overdue, result.review_overdue) == (1, 1)
    by_month = {m.key: (m.started, m.active, m.paused, m.completed, m.stopped) for m in result.months}
    assert len(by_month) == 12
    assert by_month["2026-01"] == (1, 2, 0, 0, 0)  # A started; A and F active
    assert by_month["2026-03"] == (1, 3, 0, 1, 0)  # C started, F completed; A, B, C active
    assert by_month["2026-04"] == (0, 2, 0, 0, 1)  # C stopped
    assert by_month["2026-11"] == (0, 2, 1, 0, 0)  # E paused; D and E active (a pause included)
    assert by_month["2026-12"] == (1, 3, 0, 0, 0)  # I started


def test_each_number_lists_the_plans_behind_it(
    clinic: Clinic, prescriber: User, tapers: dict[str, Plan]
) -> None:
    scope = scope_2026(clinic)

    def behind(measure: str, month: dt.date | None = None) -> set[str]:
        plans = outcomes.plans_behind(prescriber, scope, measure, month)
        return {plan.patient.record_number for plan in plans}

    assert behind("started") == {"A", "B", "C", "D", "E", "I"}
    assert behind("completed") == {"A", "B", "F"}
    assert behind("completed_6") == {"A"}
    assert behind("completed_12") == {"A", "B"}
    assert behind("halved") == {"A", "B", "D", "I"}
    assert behind("paused", dt.date(2026, 11, 1)) == {"E"}
    assert behind("active", dt.date(2026, 3, 1)) == {"A", "B", "C"}
    assert behind("checkin_overdue") == {"D"}
    assert behind("review_overdue") == {"E"}


@pytest.fixture
def page_client(prescriber: User) -> Iterator[Client]:
    client = client_for(prescriber)
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield client


def test_the_page_shows_the_figures_and_links_each_to_its_plans(
    page_client: Client, tapers: dict[str, Plan]
) -> None:
    response = page_client.get(reverse("schedules:outcomes"), YEAR_2026)
    page = response.content.decode()
    assert response.status_code == 200
    assert "17% (1 of 6)" in page and "67% (2 of 3)" in page and "165 days" in page
    assert "18.0 mg" in page and "measure=started&amp;month=2026-03" in page
    assert "Ellis" not in page and ">A<" not in page  # no patient is named
    listed = page_client.get(reverse("schedules:outcomes_plans"), {**YEAR_2026, "measure": "stopped"})
    assert listed.status_code == 200
    assert "Patient&#x27;s choice" in listed.content.decode()
    assert AuditEvent.objects.filter(action=Action.VIEW_LIST, detail="outcomes").exists()


def test_the_default_range_is_the_quarter_so_far(page_client: Client, tapers: dict[str, Plan]) -> None:
    page = page_client.get(reverse("schedules:outcomes")).content.decode()
    assert "1 Apr 2027 to 30 Jun 2027" in page
    assert 'value="2027-04-01"' in page and 'value="2027-06-30"' in page


def test_a_bad_range_is_explained_and_kept(page_client: Client) -> None:
    response = page_client.get(reverse("schedules:outcomes"), {"start": "2026-12-31", "end": "2026-01-01"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "must not be before its start" in page and 'value="2026-12-31"' in page


def test_the_csv_writes_small_counts_as_fewer_than_5_and_is_audited(
    page_client: Client, tapers: dict[str, Plan]
) -> None:
    response = page_client.get(reverse("schedules:outcomes_csv"), YEAR_2026)
    assert response["Content-Disposition"] == 'attachment; filename="outcomes-2026-01-01-to-2026-12-31.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    figures = {row[0]: row[1] for row in rows if len(row) == 2}
    assert figures["Tapers started"] == "6"
    assert figures["Completed in the period"] == "fewer than 5"
    assert figures["Reached the end point by 6 months"] == "fewer than 5 (share withheld)"
    assert ["2026-03", "fewer than 5", "fewer than 5", "0", "fewer than 5", "0"] in rows
    assert AuditEvent.objects.filter(action=Action.EXPORT, detail__startswith="outcomes CSV").exists()


def test_another_clinics_staff_see_nothing_of_it(
    other_clinic: Clinic, clinic: Clinic, tapers: dict[str, Plan]
) -> None:
    elsewhere = User.objects.get(username="elsewhere")
    client = client_for(elsewhere)
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        page = client.get(reverse("schedules:outcomes"), YEAR_2026).content.decode()
        refused = client.get(reverse("schedules:outcomes"), {**YEAR_2026, "clinic": str(clinic.pk)})
        listed = client.get(reverse("schedules:outcomes_plans"), {**YEAR_2026, "measure": "started"})
    assert "Tapers started: 1, list the plans" in page  # their own clinic's one taper, no more
    assert clinic.name not in page
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert [p.patient.record_number for p in listed.context["page"].object_list] == ["H"]
    staff = make_user("staffer", "Clinic staff", clinic)
    assert client_for(staff).get(reverse("schedules:outcomes")).status_code == 403


def test_a_clinic_manager_sees_the_figures_but_no_patient(clinic: Clinic, tapers: dict[str, Plan]) -> None:
    manager = make_user("manager", None, None)
    ClinicManager.objects.create(user=manager, clinic=clinic)
    client = client_for(manager)
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        page = client.get(reverse("schedules:outcomes"), YEAR_2026)
        listed = client.get(reverse("schedules:outcomes_plans"), {**YEAR_2026, "measure": "started"})
    assert page.status_code == 200 and "17% (1 of 6)" in page.content.decode()
    assert list(listed.context["page"].object_list) == []
    assert "None of these plans is one you may open" in listed.content.decode()


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("schedules:outcomes"), YEAR_2026).status_code == 200
    return len(captured)


def test_the_page_makes_the_same_number_of_queries_at_two_sizes(
    page_client: Client, clinic: Clinic, prescriber: User, tapers: dict[str, Plan]
) -> None:
    small = _queries(page_client)
    for index in range(30):
        day = dt.date(2026, 1, 5) + dt.timedelta(days=7 * index)
        plan = taper(
            clinic,
            prescriber,
            f"X{index}",
            start=day,
            doses=[20, 10, 5],
            ended=(Plan.Status.COMPLETED, day + dt.timedelta(days=84)),
        )
        checkin(plan, prescriber, day + dt.timedelta(days=28))
    assert _queries(page_client) == small


def test_the_chart_draws_every_bar_with_its_number() -> None:
    chart = month_chart(
        [("2026-01", {"started": 3, "active": 5, "paused": 0, "completed": 1, "stopped": 2})], "d"
    )
    assert [bar.value for bar in chart.bars] == [3, 5, 0, 1, 2]
    assert chart.bars[1].height == pytest.approx((chart.bottom - chart.top) * 5 / 8, abs=0.2)  # axis top 8
    assert [tick.label for tick in chart.x_ticks] == ["Jan 2026"]
    assert [tick.label for tick in chart.y_ticks] == ["0", "2", "4", "6", "8"]
