"""The Outcomes page: its figures agree with ones worked out by hand from a known set of tapers,
another clinic's staff see nothing of them, the CSV withholds small counts and is audited, and the
page makes the same number of queries at two sizes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ClinicManager
from audit.models import Action, AuditEvent
from followup.due import Cadence
from followup.models import FollowUpSettings, Scale
from followup.scale_data import CHECKLIST_KEY
from schedules import engine
from schedules.models import Clinic, Patient, Plan, PlanVersion
from schedules.plans import actions, outcomes
from schedules.plans.outcome_charts import bar_chart, month_chart

from ..conftest import client_for, make_patient, make_user
from .conftest import acknowledging, new_plan
from .outcome_tapers import checkin, taper

pytestmark = pytest.mark.django_db
CKS_SLOW = "NICE CKS diazepam bands, slow"
JCPG = "2025 Joint Guideline, standard"
WITHHELD = "withheld (based on fewer than 5)"
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
            holds=[d(2026, 2, 20)],
        ),
        "B": taper(
            clinic,
            prescriber,
            "B",
            start=d(2026, 2, 2),
            doses=[10, 8, 6, 4, 2],
            ended=(Plan.Status.COMPLETED, d(2026, 9, 1)),
            drug="diazepam",
            method=CKS_SLOW,
            step_backs=[d(2026, 4, 1)],
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
            drug="diazepam",
            method=CKS_SLOW,
            holds=[d(2026, 9, 1), d(2026, 10, 1)],
        ),
        "E": taper(
            clinic,
            prescriber,
            "E",
            start=d(2026, 10, 5),
            doses=[40, 36, 32, 28],
            paused_on=d(2026, 11, 10),
            next_review_on=d(2027, 1, 1),
            method=CKS_SLOW,
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
    FollowUpSettings.objects.create(plan=made["D"], cadence=Cadence.EVERY_WEEKS, every_weeks=4)
    checkin(made["A"], prescriber, d(2026, 1, 20), score=8)
    checkin(made["D"], prescriber, d(2026, 8, 3), score=6)
    checkin(made["D"], prescriber, d(2026, 11, 3), score=2)
    checkin(made["E"], prescriber, d(2026, 10, 20), score=5)
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
    assert result.cohort.completed_6 == outcomes.Share(1, 6)
    # A, B and C began at least 365 days before; A and B (211 days) completed within them.
    assert result.cohort.completed_12 == outcomes.Share(2, 3)
    assert result.cohort.median_days_to_completion == 165  # (119 + 211) / 2
    # At the start: 10, 10, 16, 20, 30, 40. Now: A and B ended after their last step (0), C stopped
    # on step 2 (25), D is on step 3 today (8), E paused on step 2 (36), I is past its last step (0).
    assert result.cohort.median_start_mg == Decimal("18.0")
    assert result.cohort.median_now_mg == Decimal("4.0")
    assert result.cohort.halved == outcomes.Share(4, 6)  # A, B, D (8 of 16) and I
    # Check-ins dated in 2026: A's, B's step-back, D's two and E's.
    assert result.checkins_done == 5
    # Due in 2026, before a pause or an end: A's 3 dose changes and its end (27 Apr) before 4 May;
    # B's 4 and its end (22 Jun) before 1 Sep; C's change of 30 Mar before it stopped on 15 Apr;
    # D every 4 weeks from 6 Jul (3 Aug ... 21 Dec: 6); E's change of 2 Nov before its pause on 10 Nov.
    assert result.checkins_due == 4 + 5 + 1 + 6 + 1
    # D's check-in was due 1 Jun 2027; E's review 1 Jan 2027.
    assert (result.checkin_overdue, result.review_overdue) == (1, 1)
    by_month = {m.key: (m.started, m.active, m.paused, m.completed, m.stopped) for m in result.months}
    assert len(by_month) == 12
    assert by_month["2026-01"] == (1, 2, 0, 0, 0)  # A started; A and F active
    assert by_month["2026-03"] == (1, 3, 0, 1, 0)  # C started, F completed; A, B, C active
    assert by_month["2026-04"] == (0, 2, 0, 0, 1)  # C stopped
    assert by_month["2026-11"] == (0, 2, 1, 0, 0)  # E paused; D and E active (a pause included)
    assert by_month["2026-12"] == (1, 3, 0, 0, 0)  # I started


def test_a_taper_stopped_by_a_check_ins_decision_is_counted_as_such(
    clinic: Clinic, prescriber: User, tapers: dict[str, Plan]
) -> None:
    stopped = taper(
        clinic,
        prescriber,
        "J",
        start=dt.date(2026, 5, 4),
        doses=[10, 5],
        ended=(Plan.Status.STOPPED, dt.date(2026, 6, 1)),
    )
    stopped.refresh_from_db()
    checkin(stopped, prescriber, dt.date(2026, 6, 1), stepped_back_by=current_version(stopped))
    result = outcomes.outcomes(scope_2026(clinic))
    # C was stopped from its plan page (15 Apr), J by a check-in (1 Jun); E's pause is no stop.
    assert (result.stopped, result.stopped_through_checkin) == (2, 1)
    assert [m.paused for m in result.months] == [0] * 10 + [1, 0]
    scope = scope_2026(clinic)
    listed = outcomes.plans_behind(prescriber, scope, "stopped_through_checkin", None)
    assert [plan.patient.record_number for plan in listed] == ["J"]


def test_the_groups_holds_scores_and_doses_agree_with_the_ones_worked_out_by_hand(
    clinic: Clinic, tapers: dict[str, Plan]
) -> None:
    result = outcomes.outcomes(scope_2026(clinic))
    by_drug = dict(result.by_drug)
    assert list(by_drug) == ["diazepam", "lorazepam"]
    lorazepam, diazepam = by_drug["lorazepam"], by_drug["diazepam"]  # A, C, E, I and B, D
    assert (lorazepam.started, lorazepam.completed, lorazepam.stopped) == (4, 1, 1)
    # All four began at least 182 days before 30 Jun 2027; A and C at least 365 (A done in 119).
    assert (lorazepam.completed_6, lorazepam.completed_12) == (outcomes.Share(1, 4), outcomes.Share(1, 2))
    assert lorazepam.median_days_to_completion == 119
    # At the start 10, 20, 30, 40; now 0 (I), 0 (A), 25 (C), 36 (E).
    assert (lorazepam.median_start_mg, lorazepam.start_mg_quartiles) == (
        Decimal("25.0"),
        (Decimal("17.5"), Decimal("32.5")),
    )
    assert lorazepam.median_now_mg == Decimal("12.5")
    assert lorazepam.halved == outcomes.Share(2, 4)  # A and I
    # B (211 days) is past 182 days; D (6 Jul 2026) is not yet 365 days old.
    assert (diazepam.completed_6, diazepam.completed_12) == (outcomes.Share(0, 2), outcomes.Share(1, 1))
    assert (diazepam.median_start_mg, diazepam.median_now_mg) == (Decimal("13.0"), Decimal("4.0"))
    assert diazepam.halved == outcomes.Share(2, 2)  # B at 0, D at 8 of 16
    by_method = dict(result.by_method)
    assert list(by_method) == [JCPG, CKS_SLOW]
    jcpg, cks = by_method[JCPG], by_method[CKS_SLOW]  # A, C, I and B, D, E
    assert (jcpg.started, jcpg.completed, jcpg.stopped, cks.started, cks.completed) == (3, 1, 1, 3, 1)
    assert (jcpg.median_start_mg, jcpg.median_now_mg) == (Decimal("20.0"), Decimal("0.0"))
    assert (cks.median_start_mg, cks.median_now_mg) == (Decimal("16.0"), Decimal("8.0"))
    assert cks.completed_6 == outcomes.Share(0, 3) and cks.halved == outcomes.Share(2, 3)
    # Holds: A 1, D 2, the other four none; step-backs: B 1.
    assert result.holds.tapers_with == outcomes.Share(2, 6)
    assert (result.holds.total, result.holds.median, result.holds.most) == (3, 0, 2)
    assert result.step_backs.tapers_with == outcomes.Share(1, 6)
    assert (result.step_backs.total, result.step_backs.most) == (1, 1)
    # Scores by weeks since the start: A 8 and E 5 in weeks 0-3 (15 days in), D 6 in weeks 4-7
    # (28 days), B 3 in weeks 8-11 (58 days), D 2 in weeks 16-19 (120 days); F's is from 2025.
    (scale,) = result.scores
    assert [(b.first_week, b.scores, b.tapers, b.median) for b in scale.bands] == [
        (0, (5, 8), 2, 6.5),
        (4, (6,), 1, 6),
        (8, (3,), 1, 3),
        (16, (2,), 1, 2),
    ]
    # At the start 20, 10, 30, 16, 40, 10; now 0, 0, 25, 8, 36, 0.
    assert [(band.start, band.now) for band in result.dose_bands] == [
        (0, 3),
        (0, 0),
        (2, 1),
        (2, 0),
        (2, 2),
        (0, 0),
    ]


def test_each_number_lists_the_plans_behind_it(
    clinic: Clinic, prescriber: User, tapers: dict[str, Plan]
) -> None:
    scope = scope_2026(clinic)

    def behind(measure: str, month: dt.date | None = None, group: tuple[str, str] | None = None) -> set[str]:
        plans = outcomes.plans_behind(prescriber, scope, measure, month, group)
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
    assert behind("started", group=("drug", "diazepam")) == {"B", "D"}
    assert behind("cohort_stopped", group=("method", JCPG)) == {"C"}
    assert behind("halved", group=("method", CKS_SLOW)) == {"B", "D"}
    assert behind("held") == {"A", "D"}
    assert behind("stepped_back") == {"B"}


def _listed(client: Client, **query: str) -> set[str]:
    response = client.get(reverse("schedules:outcomes_plans"), {**YEAR_2026, **query})
    assert response.status_code == 200
    return {plan.patient.record_number for plan in response.context["page"].object_list}


def test_each_band_of_the_doses_and_the_scores_lists_the_plans_it_counts(
    page_client: Client, tapers: dict[str, Plan]
) -> None:
    # At the start A 20, B 10, C 30, D 16, E 40, I 10; now A 0, B 0, C 25, D 8, E 36, I 0 (H, of
    # another clinic, 50 at the start and 40 now, is in no band of this clinic).
    dose_bands = {
        "start_band": [set(), set(), {"B", "I"}, {"A", "D"}, {"C", "E"}, set()],
        "now_band": [{"A", "B", "I"}, set(), {"D"}, set(), {"C", "E"}, set()],
    }
    for measure, bands in dose_bands.items():
        for band, records in enumerate(bands):
            assert _listed(page_client, measure=measure, band=str(band)) == records, (measure, band)
    # The checklist's scores: A and E in weeks 0-3, D in weeks 4-7 and 16-19, B in weeks 8-11.
    scale = Scale.objects.get(key=CHECKLIST_KEY).name
    by_weeks = {0: {"A", "E"}, 4: {"D"}, 8: {"B"}, 12: set(), 16: {"D"}}
    for first_week, records in by_weeks.items():
        assert _listed(page_client, measure="scored", scale=scale, band=str(first_week)) == records
    assert _listed(page_client, measure="scored", scale="Another scale", band="0") == set()


def test_each_number_of_the_holds_and_step_backs_lists_the_plans_it_counts(
    page_client: Client, tapers: dict[str, Plan]
) -> None:
    # Holds: A 1, D 2; step-backs: B 1. The median per taper is of all six tapers started.
    assert _listed(page_client, measure="held") == {"A", "D"}
    assert _listed(page_client, measure="held_most") == {"D"}
    assert _listed(page_client, measure="stepped_back_most") == {"B"}
    assert _listed(page_client, measure="started") == {"A", "B", "C", "D", "E", "I"}


def test_the_check_ins_recorded_and_the_medians_list_the_plans_behind_them(
    page_client: Client, tapers: dict[str, Plan]
) -> None:
    # Check-ins dated in 2026: A's, B's step-back, D's two and E's (F's is from 2025).
    assert _listed(page_client, measure="checked_in") == {"A", "B", "D", "E"}
    assert _listed(page_client, measure="checked_in", month="2026-08") == {"D"}
    # Due in 2026 (the 17 of the first test): A's, B's, C's, D's every 4 weeks and E's; F's fell
    # due in 2025 and I's first in 2027.
    assert _listed(page_client, measure="checkins_due") == {"A", "B", "C", "D", "E"}
    page = page_client.get(reverse("schedules:outcomes"), YEAR_2026).content.decode()
    # The median time to completion is of A and B; the median doses of the six tapers started.
    assert re.search(r'measure=cohort_completed" aria-label="Median time to completion: 165 days', page)
    assert re.search(r'measure=started" aria-label="Daily diazepam equivalent at the start \(median\)', page)
    assert re.search(r'measure=checked_in" aria-label="Check-ins recorded in the period: 5, list', page)


def test_the_bands_and_the_holds_link_their_numbers_to_their_plans(
    page_client: Client, tapers: dict[str, Plan]
) -> None:
    page = page_client.get(reverse("schedules:outcomes"), YEAR_2026).content.decode()
    scale = Scale.objects.get(key=CHECKLIST_KEY).name
    assert 'aria-label="5 to 10 mg, Tapers at the start: 2, list the plans"' in page
    assert "measure=start_band&amp;band=2" in page and "measure=now_band&amp;band=0" in page
    assert f'aria-label="{scale}, Weeks 4–7, Tapers: 1, list the plans"' in page
    assert (
        f'aria-label="{scale}, Weeks 0–3, Median score (quartiles): 6.5 (5.75–7.25), list the plans"' in page
    )
    assert 'aria-label="Holds, Most in one taper: 2, list the plans"' in page
    assert 'aria-label="Step-backs, In all: 1, list the plans"' in page
    # Every number links to a list of exactly as many plans as it counts, all of this clinic.
    links = re.findall(
        r'<a href="([^"]*outcomes/plans[^"]*)" aria-label="([^"]*): (\d+), list the plans"', page
    )
    assert len(links) > 30
    for href, label, count in links:
        listed = page_client.get(href.replace("&amp;", "&")).context["page"].object_list
        assert all(plan.patient.clinic_id == tapers["A"].patient.clinic_id for plan in listed)
        counts_events = label.endswith((", Check-ins", ", In all", ", Most in one taper")) or (
            label.startswith("Check-ins")
        )
        if not counts_events and "Median" not in label:
            assert len(listed) == int(count), label


def test_a_band_there_is_not_is_explained(page_client: Client, tapers: dict[str, Plan]) -> None:
    url = reverse("schedules:outcomes_plans")
    for band in ({"band": "6"}, {}, {"band": "-1"}):
        refused = page_client.get(url, {**YEAR_2026, "measure": "start_band", **band}).content.decode()
        assert "There is no such band." in refused or "greater than or equal to 0" in refused
    refused = page_client.get(url, {**YEAR_2026, "measure": "scored", "band": "4"}).content.decode()
    assert "There is no such band." in refused


def test_another_clinics_bands_list_only_their_own_plans(
    other_clinic: Clinic, tapers: dict[str, Plan]
) -> None:
    client = client_for(User.objects.get(username="elsewhere"))
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        assert _listed(client, measure="start_band", band="5") == {"H"}  # 50 mg
        assert _listed(client, measure="now_band", band="0") == {"H"}  # past its last step
        assert _listed(client, measure="start_band", band="3") == set()  # A and D are Riverside's
        assert _listed(client, measure="held") == set()  # A and D are Riverside's


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
    assert "By drug" in page and "By method or preset" in page and "Holds and step-backs" in page
    assert "group=drug%3Adiazepam" in page and 'aria-label="diazepam, Started: 2, list the plans"' in page
    assert "Weeks 0–3" in page and "6.5 (5.75–7.25)" in page  # the checklist's first weeks: 5 and 8
    assert 'role="img" aria-labelledby="doses-chart-title doses-chart-desc"' in page
    listed = page_client.get(reverse("schedules:outcomes_plans"), {**YEAR_2026, "measure": "stopped"})
    assert listed.status_code == 200
    assert "Patient&#x27;s choice" in listed.content.decode()
    assert AuditEvent.objects.filter(action=Action.VIEW_LIST, detail="outcomes").exists()


def test_a_row_of_a_group_table_lists_its_own_plans(page_client: Client, tapers: dict[str, Plan]) -> None:
    url = reverse("schedules:outcomes_plans")
    listed = page_client.get(url, {**YEAR_2026, "measure": "started", "group": "drug:diazepam"})
    assert {p.patient.record_number for p in listed.context["page"].object_list} == {"B", "D"}
    assert "Started: drug diazepam" in listed.content.decode()
    refused = page_client.get(url, {**YEAR_2026, "measure": "started", "group": "colour:blue"})
    assert "There is no such drug or method." in refused.content.decode()


def test_a_taper_is_grouped_by_its_preset_or_else_its_method_and_interval() -> None:
    jcpg = engine.PRESETS["jcpg-standard"]
    assert engine.method_label(method=jcpg.method, interval_days=None) == "2025 Joint Guideline, standard"
    assert (
        engine.method_label(method=jcpg.method, interval_days=28) == "10% of the current dose, every 28 days"
    )
    bands = engine.BandsMethod("fast")
    assert engine.method_label(method=bands, interval_days=None) == "NICE CKS diazepam bands, fast"


def current_version(plan: Plan) -> PlanVersion:
    assert plan.current_version is not None
    return plan.current_version


def test_activating_and_completing_a_plan_writes_the_tapers_columns(
    prescriber: User, patient: Patient
) -> None:
    plan = new_plan(prescriber, patient, switch=True)
    plan.refresh_from_db()
    assert plan.started_on is None  # a draft is no taper yet
    version = current_version(plan)
    actions.activate(
        prescriber,
        plan=plan,
        lock_version=plan.lock_version,
        reason="Agreed",
        acknowledgements=acknowledging(version.schedule),
    )
    plan.refresh_from_db()
    first = current_version(plan).step_rows.get(number=1)
    assert (plan.started_on, plan.start_mg) == (first.start_date, first.diazepam_mg)
    assert plan.drug == "lorazepam"
    assert plan.method == "2025 Joint Guideline, standard, switched to diazepam"
    actions.complete(prescriber, plan=plan, lock_version=plan.lock_version, reason="Done")
    plan.refresh_from_db()
    assert plan.ended_on == timezone.localdate(current_version(plan).created_at)
    assert plan.started_on == first.start_date  # the start stays that of the first activation


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
    # A share or a median of fewer than 5 tapers or check-ins is withheld; of 6, it is written.
    assert figures["Reached the end point by 12 months"] == WITHHELD  # 2 of 3
    assert figures["Median time to completion"] == WITHHELD  # of 2
    assert figures["Daily diazepam equivalent at the start (median)"] == "18.0 mg (quartiles 11.5–27.5 mg)"
    assert figures["Check-ins due in the period"] == "17"
    assert ["diazepam", "fewer than 5", "fewer than 5", "0", *[WITHHELD] * 6] in rows
    assert ["Holds", "fewer than 5 (share withheld)", "fewer than 5", "0", "fewer than 5"] in rows
    assert ["0 mg", "0", "fewer than 5"] in rows
    assert ["Weeks 0–3", WITHHELD, "fewer than 5", "fewer than 5"] in rows
    cells = [cell for row in rows for cell in row]
    assert not [
        cell for cell in cells if re.fullmatch(r"[1-4]", cell) or re.search(r"\(\d+ of [1-4]\)", cell)
    ]
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


def test_a_chart_of_one_bar_keeps_it_narrow_and_centred_under_its_label() -> None:
    chart = bar_chart(
        key="scores0",
        title="t",
        description="d",
        series=(("median", "Median"),),
        groups=[("0–3", {"median": 6.5})],
    )
    (bar,) = chart.bars
    assert bar.width < 48 and bar.label == "6.5"
    assert bar.label_x == pytest.approx(chart.x_ticks[0].position, abs=1)
    assert [tick.label for tick in chart.y_ticks] == ["0", "2", "4", "6", "8"]
