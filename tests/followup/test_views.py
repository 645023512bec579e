"""Check-in pages through the client: staff propose, prescribers decide after a preview, another
clinic's plan is a 404, bad input comes back beside the field with what was typed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from followup.actions import CheckInError, record_checkin
from followup.models import CheckIn, FollowUpSettings, Scale
from schedules.models import Plan

from ..plans.test_stale_forms import a_colleague, assert_refused_naming, holds, state
from .conftest import checkin_input

DAY = dt.date(2027, 1, 25)


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan runs from 2027-01-04: the pages see 2027-01-25 as today."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: DAY)


def form_data(plan: Plan, scale: Scale, *, score: int = 2, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "scale": scale.key,
        "date": DAY.isoformat(),
        "how": "phone",
        "sleep": "poor",
        "decision": "continue",
        "lock_version": plan.lock_version,
        **{f"item_{item.order}": score for item in scale.items.all()},
    }
    data.update(fields)
    return data


def create_url(plan: Plan) -> str:
    return reverse("followup:checkin_create", args=[plan.pk])


def acknowledgements(html: str) -> dict[str, str]:
    return {name: "Reviewed with the patient" for name in re.findall(r'name="(ack-[^"]+)"', html)}


def previewed(html: str) -> str:
    match = re.search(r'name="previewed" value="([0-9a-f]+)"', html)
    assert match, "no preview on the page"
    return match.group(1)


def test_the_form_asks_every_item_of_the_scale(
    prescriber_client: Client, active_plan: Plan, checklist: Scale
) -> None:
    response = prescriber_client.get(create_url(active_plan))
    assert response.status_code == 200
    html = response.content.decode()
    for item in checklist.items.all():
        assert f'name="item_{item.order}"' in html
    assert "Unvalidated symptom checklist" in html and "rightdecisions.scot.nhs.uk" in html
    assert 'name="review_done"' in html


def test_a_missing_item_comes_back_beside_the_field_with_what_was_typed(
    prescriber_client: Client, active_plan: Plan, checklist: Scale
) -> None:
    data = form_data(active_plan, checklist, note="Feels shaky in the mornings")
    del data["item_3"]
    response = prescriber_client.post(create_url(active_plan), {**data, "save": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a score for this item." in html
    assert "Feels shaky in the mornings" in html
    assert re.search(r'name="item_4"[^>]*value="2"[^>]*checked|value="2"[^>]*name="item_4"[^>]*checked', html)
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize("typed", ["0001-01-01", "2027-01-03", "2027-01-26", "0027-01-25"])
def test_a_check_in_outside_the_plans_life_is_refused_beside_the_date(
    prescriber_client: Client, active_plan: Plan, checklist: Scale, typed: str
) -> None:
    """Issue 14: a check-in dated 0001-01-01, before the plan began, was saved. The plan runs from
    2027-01-04 and today is 2027-01-25."""
    data = form_data(active_plan, checklist, date=typed, note="Rang from work")
    response = prescriber_client.post(create_url(active_plan), {**data, "save": "1"})
    assert response.status_code == 200
    error = response.context["form"].errors["date"][0]
    assert "A check-in is dated from 4 Jan 2027 (the plan's first day) to 25 Jan 2027 (today)" in error
    html = response.content.decode()
    assert f'value="{typed}"' in html and "Rang from work" in html
    assert CheckIn.objects.count() == 0


def test_the_workflow_refuses_a_check_in_before_the_plan_began(
    prescriber: User, active_plan: Plan, checklist: Scale
) -> None:
    with pytest.raises(CheckInError, match="A check-in is dated from 4 Jan 2027"):
        record_checkin(
            prescriber,
            plan=active_plan,
            lock_version=active_plan.lock_version,
            data=checkin_input(checklist, dt.date(1, 1, 1)),
            today=DAY,
        )
    assert CheckIn.objects.count() == 0


def test_a_hold_needs_its_days_beside_the_field(
    prescriber_client: Client, active_plan: Plan, checklist: Scale
) -> None:
    response = prescriber_client.post(
        create_url(active_plan), {**form_data(active_plan, checklist, decision="hold"), "save": "1"}
    )
    assert "Give the number of days to hold." in response.content.decode()
    assert CheckIn.objects.count() == 0


def test_a_prescribers_hold_is_shown_before_it_is_saved(
    prescriber_client: Client, active_plan: Plan, checklist: Scale
) -> None:
    data = form_data(active_plan, checklist, score=3, decision="hold", hold_days=14)
    first = prescriber_client.post(create_url(active_plan), {**data, "save": "1"})
    html = first.content.decode()
    assert first.status_code == 200 and "Check the new schedule below, then save." in html
    assert "Before saving" in html and 'class="taper-chart' in html
    assert CheckIn.objects.count() == 0
    saved = prescriber_client.post(
        create_url(active_plan), {**data, "save": "1", "previewed": previewed(html), **acknowledgements(html)}
    )
    assert saved.status_code == 302
    checkin = CheckIn.objects.get()
    assert checkin.status == CheckIn.Status.CONFIRMED and checkin.total_score == 36
    version = checkin.resulting_version
    assert (
        version is not None
        and "after the check-in of 2027-01-25: Symptom checklist 36, poor sleep" in version.reason
    )
    page = prescriber_client.get(saved["Location"]).content.decode()
    assert f"version {version.number}" in page


def test_staff_record_a_proposal_without_changing_the_plan(
    staff_client: Client, active_plan: Plan, checklist: Scale
) -> None:
    before = active_plan.lock_version
    form = staff_client.get(create_url(active_plan)).content.decode()
    assert 'name="review_done"' not in form
    response = staff_client.post(
        create_url(active_plan),
        {**form_data(active_plan, checklist, decision="hold", hold_days=14), "save": "1"},
    )
    assert response.status_code == 302
    checkin = CheckIn.objects.get()
    assert checkin.status == CheckIn.Status.PROPOSED
    active_plan.refresh_from_db()
    assert active_plan.lock_version == before
    detail = staff_client.get(response["Location"]).content.decode()
    assert "Confirm the decision" not in detail and "Proposed" in detail


def test_a_prescriber_confirms_a_proposal_after_the_preview(
    staff_client: Client, prescriber_client: Client, active_plan: Plan, checklist: Scale
) -> None:
    staff_client.post(
        create_url(active_plan),
        {**form_data(active_plan, checklist, decision="hold", hold_days=14), "save": "1"},
    )
    checkin = CheckIn.objects.get()
    url = reverse("followup:checkin_detail", args=[checkin.pk])
    assert "Confirm the decision" in prescriber_client.get(url).content.decode()
    decision = {"decision": "hold", "hold_days": 14, "lock_version": active_plan.lock_version}
    first = prescriber_client.post(url, {**decision, "preview": "1"})
    html = first.content.decode()
    confirmed = prescriber_client.post(
        url, {**decision, "save": "1", "previewed": previewed(html), **acknowledgements(html)}
    )
    assert confirmed.status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.CONFIRMED and checkin.resulting_version is not None


def test_staff_cannot_confirm_or_change_the_cadence(
    staff_client: Client, staff: User, active_plan: Plan, checklist: Scale
) -> None:
    staff_client.post(
        create_url(active_plan),
        {**form_data(active_plan, checklist, decision="hold", hold_days=14), "save": "1"},
    )
    checkin = CheckIn.objects.get()
    response = staff_client.post(
        reverse("followup:checkin_detail", args=[checkin.pk]),
        {"decision": "hold", "hold_days": 14, "lock_version": active_plan.lock_version, "save": "1"},
    )
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == CheckIn.Status.PROPOSED
    cadence = staff_client.post(
        reverse("followup:followup_settings", args=[active_plan.pk]), {"cadence": "each_step"}
    )
    assert cadence.status_code == 403


@pytest.mark.parametrize("name", ["followup:plan_checkins", "followup:checkin_create"])
def test_another_clinics_plan_is_not_found(prescriber_client: Client, foreign_plan: Plan, name: str) -> None:
    assert prescriber_client.get(reverse(name, args=[foreign_plan.pk])).status_code == 404


def test_another_clinics_check_in_is_not_found(
    prescriber_client: Client, foreign_plan: Plan, checklist: Scale
) -> None:
    checkin = record_checkin(
        foreign_plan.created_by,
        plan=foreign_plan,
        lock_version=foreign_plan.lock_version,
        data=checkin_input(checklist, DAY),
        today=DAY,
    )
    assert prescriber_client.get(reverse("followup:checkin_detail", args=[checkin.pk])).status_code == 404


def test_the_plans_check_ins_page_charts_the_scores(
    prescriber_client: Client, active_plan: Plan, checklist: Scale
) -> None:
    prescriber_client.post(create_url(active_plan), {**form_data(active_plan, checklist), "save": "1"})
    html = prescriber_client.get(reverse("followup:plan_checkins", args=[active_plan.pk])).content.decode()
    assert 'class="chart-score"' in html and "Symptom checklist 24" in html
    assert "Next check-in" in html and "1 Feb 2027" in html


def test_a_rise_suggests_a_hold_with_the_guidelines_words(
    prescriber_client: Client, active_plan: Plan, checklist: Scale
) -> None:
    prescriber_client.post(
        create_url(active_plan),
        {**form_data(active_plan, checklist, score=0, date="2027-01-20"), "save": "1"},
    )
    response = prescriber_client.post(
        create_url(active_plan), {**form_data(active_plan, checklist, score=1), "preview": "1"}
    )
    html = response.content.decode()
    assert "Suggestion: consider holding the taper" in html
    assert "rose by 12 points" in html and "Recommendation 11" in html
    assert "No validated bands" in html


def test_the_cadence_is_saved_by_a_prescriber(prescriber_client: Client, active_plan: Plan) -> None:
    url = reverse("followup:followup_settings", args=[active_plan.pk])
    bad = prescriber_client.post(url, {"cadence": "every_weeks"})
    assert bad.status_code == 400 and "Give N, the weeks between check-ins." in bad.content.decode()
    good = prescriber_client.post(url, {"cadence": "every_weeks", "every_weeks": 2})
    assert good.status_code == 302
    assert active_plan.followup_settings.every_weeks == 2


@pytest.mark.parametrize("typed", ["0", "14", "130"])
def test_a_cadence_beyond_three_months_is_refused(
    prescriber_client: Client, active_plan: Plan, typed: str
) -> None:
    """Issue 14: the follow-up settings' N lies in a window too (1 to 13 weeks, Recommendation 1's 3 months)."""
    url = reverse("followup:followup_settings", args=[active_plan.pk])
    bad = prescriber_client.post(url, {"cadence": "every_weeks", "every_weeks": typed})
    assert bad.status_code == 400
    assert not FollowUpSettings.objects.filter(plan=active_plan).exists()


def test_without_an_active_scale_the_page_says_so(
    prescriber_client: Client, active_plan: Plan, checklist: Scale
) -> None:
    Scale.objects.update(active=False)
    response = prescriber_client.get(create_url(active_plan), follow=True)
    assert "No symptom scale is active" in response.content.decode()


def test_an_ended_plan_takes_no_check_in(
    prescriber: User, prescriber_client: Client, active_plan: Plan
) -> None:
    from schedules.plans import actions as plans

    plans.stop(prescriber, plan=active_plan, lock_version=active_plan.lock_version, reason="Stopped")
    response = prescriber_client.get(create_url(active_plan), follow=True)
    assert "Check-ins are recorded on an active or paused plan." in response.content.decode()


@pytest.fixture
def colleague(clinic: Any) -> User:
    return a_colleague(clinic)


STALE_DECISIONS = [
    {"decision": "hold", "hold_days": 14},
    {"decision": "slow_down", "slow_interval_days": 28},
    {"decision": "step_back", "step_back_days": 7},
    {"decision": "stop", "decision_reason": "Patient wishes to stop"},
]


@pytest.mark.parametrize("decision", STALE_DECISIONS, ids=lambda d: d["decision"])
def test_a_decision_previewed_before_a_colleagues_save_is_refused_naming_it(
    prescriber_client: Client, colleague: User, active_plan: Plan, checklist: Scale, decision: dict[str, Any]
) -> None:
    data = {**form_data(active_plan, checklist, score=3, **decision), "save": "1"}
    html = prescriber_client.post(create_url(active_plan), data).content.decode()
    theirs = holds(colleague, active_plan)
    response = prescriber_client.post(
        create_url(active_plan), {**data, "previewed": previewed(html), **acknowledgements(html)}
    )
    assert_refused_naming(response, theirs)
    assert CheckIn.objects.count() == 0
    assert state(active_plan) == (theirs.number, "active", theirs.number)


@pytest.mark.parametrize("decision", STALE_DECISIONS, ids=lambda d: d["decision"])
def test_a_confirmation_previewed_before_a_colleagues_save_is_refused_naming_it(
    staff_client: Client,
    prescriber_client: Client,
    colleague: User,
    active_plan: Plan,
    checklist: Scale,
    decision: dict[str, Any],
) -> None:
    proposed = {**form_data(active_plan, checklist, decision="hold", hold_days=14), "save": "1"}
    assert staff_client.post(create_url(active_plan), proposed).status_code == 302
    checkin = CheckIn.objects.get()
    url = reverse("followup:checkin_detail", args=[checkin.pk])
    opened = {**decision, "lock_version": active_plan.lock_version, "save": "1"}
    html = prescriber_client.post(url, opened).content.decode()
    theirs = holds(colleague, active_plan)
    response = prescriber_client.post(url, {**opened, "previewed": previewed(html), **acknowledgements(html)})
    assert_refused_naming(response, theirs)
    checkin.refresh_from_db()
    assert (checkin.status, checkin.resulting_version) == (CheckIn.Status.PROPOSED, None)
    assert state(active_plan) == (theirs.number, "active", theirs.number)


@pytest.mark.parametrize("key", ["\x00", "no such scale", "x" * 500])
def test_a_scale_key_that_is_not_a_key_is_not_found(
    prescriber_client: Client, active_plan: Plan, checklist: Scale, key: str
) -> None:
    response = prescriber_client.get(create_url(active_plan), {"scale": key})
    assert response.status_code == 404
