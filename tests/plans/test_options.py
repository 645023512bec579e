"""Options side by side (issue 17): the builder compares the plan as set up with up to two
alternatives, the prescriber chooses one with the patient, and the saved version records it."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules import engine
from schedules.models import Patient, Plan
from schedules.plans import options
from schedules.plans.forms import DecisionForm
from schedules.plans.planning import PlanChoices, Reference

from .test_views import builder_data, builder_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def young(patient: Patient) -> Patient:
    """The fixture patient (lorazepam 1 mg morning and evening, 2 mg at night), aged 46."""
    patient.date_of_birth = dt.date(1980, 1, 1)
    patient.save()
    return patient


def _choices(patient: Patient, **changes: Any) -> PlanChoices:
    from schedules.plans.forms import PlanBuilderForm

    form = PlanBuilderForm(builder_data(**changes), patient=patient, today=dt.date.today())
    assert form.is_valid(), form.errors
    return form.choices


def _compare(client: Client, patient: Patient, **changes: Any) -> str:
    response = client.post(
        builder_url(patient), builder_data(action="compare", **changes), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    return response.content.decode()


def test_compare_shows_three_options_side_by_side_with_one_chart(
    prescriber_client: Client, young: Patient
) -> None:
    html = _compare(prescriber_client, young, switch_to="diazepam")
    assert [m for m in re.findall(r"Option ([ABC])</span>", html)] == ["A", "B", "C"]
    for words in (
        "How long",
        "Largest cut",
        "mg diazepam-equivalent) at step",
        "Days over 25% in 14 days",
        "Dangers and warnings",
        "Most pieces in a day",
        "Dispensed in the first 28 days",
    ):
        assert html.count(words) == 3, words
    assert html.count('class="options-line options-line--') == 3
    assert "options-line--dashed" in html and "options-line--dotted" in html  # not colour alone
    assert '<desc id="options-chart-desc">Option A, As set up: from 40 mg' in html
    assert "Slower: 5% of the current dose every 4 weeks" in html
    assert "No switch: taper lorazepam directly" in html


def test_staff_cannot_compare_or_choose(staff_client: Client, patient: Patient) -> None:
    for action in ("compare", "choose"):
        response = staff_client.post(builder_url(patient), builder_data(action=action, option="as-set"))
        assert response.status_code == 403


def test_another_clinics_patient_cannot_be_compared(
    prescriber_client: Client, foreign_patient: Patient
) -> None:
    response = prescriber_client.post(builder_url(foreign_patient), builder_data(action="compare"))
    assert response.status_code == 404


def test_no_switch_is_proposed_at_65_or_over_nor_with_hepatic_impairment(young: Patient) -> None:
    assert "switch" in [o.key for o in options.compare(_choices(young))]
    young.hepatic_impairment = True
    young.save()
    assert "switch" not in [o.key for o in options.compare(_choices(young))]
    young.hepatic_impairment = False
    young.date_of_birth = dt.date(1950, 1, 1)
    young.save()
    compared = options.compare(_choices(young))
    assert "switch" not in [o.key for o in compared]
    assert all(o.schedule.request.patient.age == compared[0].schedule.request.patient.age for o in compared)


def test_every_option_keeps_the_patient_factors_market_end_point_and_converted_target(young: Patient) -> None:
    young.pregnant = True
    young.cns_depressant_co_use = True
    young.save()
    choices = _choices(young, end="target", target_daily_mg="1", last_dose_de_mg="0.25")
    compared = options.compare(choices)
    assert len(compared) == 3
    switch = options.option_by_key(compared, "switch")
    assert switch is not None
    # lorazepam 1 mg = diazepam 10 mg (Ashton): the target follows the drug tapered.
    assert switch.choices.target_daily_mg == Decimal(10)
    assert switch.schedule.steps[-1].daily_mg == {"diazepam": Decimal(10)}
    for option in compared:
        request = option.schedule.request
        assert request.patient == choices.patient and request.market == "UK"
        assert request.last_dose_de_mg == Decimal("0.25")
        assert {"pregnancy", "cns_depressant_co_use"} <= {w.code for w in option.schedule.warnings}


@pytest.mark.parametrize("switch_to", ["", "diazepam"])
def test_the_figures_are_the_plans_own(young: Patient, switch_to: str) -> None:
    for option in options.compare(_choices(young, switch_to=switch_to)):
        summary, schedule = option.summary, option.schedule
        assert summary.end_date == schedule.end_date and summary.steps == len(schedule.steps)
        assert summary.dangers == sum(w.severity == "danger" for w in schedule.warnings)
        assert summary.warnings == sum(w.severity == "warning" for w in schedule.warnings)
        # The engine's 25%-in-14-days finding and the days counted agree (the final stop is neither).
        assert (summary.days_over_rule > 0) == any(
            w.code == "rate_over_25_percent_14_days" for w in schedule.warnings
        )
        as_saved = engine.schedule_to_dict(schedule)
        assert option.fingerprint == options.fingerprint(as_saved)
        assert option.chart_series["steps"] == [
            {key: step[key] for key in ("start_date", "end_date", "diazepam_equivalent_mg")}
            for step in as_saved["steps"]
        ]
        largest = max(-step.change for step in schedule.steps)
        assert summary.largest_cut is not None
        assert summary.largest_cut.percent == engine.round_fraction(largest * 100, places=1)


def _choose(client: Client, patient: Patient, option: str, reason: str | None, **changes: Any) -> Any:
    data = builder_data(action="choose", option=option, decision_reason=reason, **changes)
    return client.post(builder_url(patient), data)


def test_choosing_needs_an_option_and_a_reason_beside_the_field(
    prescriber_client: Client, young: Patient
) -> None:
    html = _choose(prescriber_client, young, "slower", "").content.decode()
    assert "Give the reason for this choice" in html
    assert '<a class="alert-link" href="#id_decision_reason">' in html
    assert 'value="slower" id="option-slower" checked' in html, "what was chosen is kept"
    html = _choose(prescriber_client, young, "", "Patient prefers slow").content.decode()
    assert "Choose one of the options." in html


def _record(html: str) -> str:
    found = re.search(r'name="record" value="([^"]+)"', html)
    assert found, "the signed record is on the page"
    return found.group(1)


def test_choosing_takes_the_options_settings_and_saving_records_the_decision(
    prescriber_client: Client, young: Patient
) -> None:
    html = _choose(prescriber_client, young, "slower", "Patient prefers a slow taper").content.decode()
    assert "Chosen with the patient: option B" in html
    assert re.search(r'<input[^>]*name="preset"[^>]*value="jcpg-slow"[^>]*checked', html)
    expected = options.option_by_key(options.compare(_choices(young)), "slower")
    assert expected is not None
    save = builder_data(preset="jcpg-slow", action="save-draft", record=_record(html))
    response = prescriber_client.post(builder_url(young), save)
    assert response.status_code == 302
    version = Plan.objects.get().current_version
    assert version is not None and version.decision is not None
    decision = version.decision
    assert decision["chosen"] == "B" and decision["reason"] == "Patient prefers a slow taper"
    assert decision["saved_as_chosen"] is True and decision["version"] == 1
    assert [o["letter"] for o in decision["options"]] == ["A", "B", "C"]
    assert decision["options"][1]["total_days"] == expected.summary.total_days
    body = json.loads(prescriber_client.get(reverse("schedules:plan_json", args=[version.plan_id])).content)
    assert body["decision"]["chosen"] == "B"


def test_a_change_after_choosing_is_recorded(prescriber_client: Client, young: Patient) -> None:
    html = _choose(prescriber_client, young, "slower", "Patient prefers a slow taper").content.decode()
    save = builder_data(preset="jcpg-standard", action="save-draft", record=_record(html))
    assert prescriber_client.post(builder_url(young), save).status_code == 302
    version = Plan.objects.get().current_version
    assert version is not None and version.decision is not None
    assert version.decision["saved_as_chosen"] is False


def test_a_forged_record_is_refused_and_nothing_saved(prescriber_client: Client, young: Patient) -> None:
    forged = DecisionForm.sign({"chosen": "B"}) + "x"
    response = prescriber_client.post(builder_url(young), builder_data(action="save-draft", record=forged))
    assert response.status_code == 200 and not Plan.objects.exists()
    assert "could not be read: compare the options again" in response.content.decode()


class _Step:
    """What the day count reads of a step: its length and daily diazepam equivalent."""

    def __init__(self, days: int, de: Fraction) -> None:
        self.days, self.diazepam_equivalent = days, de


def _days_over_rule_day_by_day(steps: list[_Step], start_de: Fraction) -> int:
    """The definition, one day at a time."""
    daily = [step.diazepam_equivalent for step in steps for _ in range(step.days)]
    over = 0
    for day, de in enumerate(daily):
        window = [*daily[max(0, day - 14) : day], *([start_de] if day < 14 else [])]
        over += de < max(window) * Fraction(3, 4)
    return over


@settings(max_examples=300, deadline=None)
@given(
    start=st.fractions(min_value=0, max_value=60, max_denominator=8),
    steps=st.lists(
        st.tuples(st.integers(1, 40), st.fractions(min_value=0, max_value=60, max_denominator=8)),
        min_size=1,
        max_size=12,
    ),
)
def test_the_days_over_the_rule_are_counted_as_one_day_at_a_time(
    start: Fraction, steps: list[tuple[int, Fraction]]
) -> None:
    planned_steps = [_Step(days, de) for days, de in steps]
    assert options._days_over_rule(planned_steps, start) == _days_over_rule_day_by_day(planned_steps, start)  # type: ignore[arg-type]


def _kept(html: str) -> str:
    found = re.search(r'name="kept" value="([^"]+)"', html)
    assert found, "the kept settings are on the page"
    return found.group(1)


def test_settings_the_prescriber_keeps_are_compared_as_an_option_and_can_be_chosen(
    prescriber_client: Client, young: Patient
) -> None:
    kept_page = prescriber_client.post(builder_url(young), builder_data(action="keep", preset="jcpg-slow"))
    html = kept_page.content.decode()
    assert "Kept as an option:</strong> 5% of the current dose every 4 weeks; no switch" in html
    kept = _kept(html)
    compared = _compare(prescriber_client, young, switch_to="diazepam", kept=kept)
    assert re.findall(r"Option ([ABC])</span> ([^<]+)</h3>", compared)[:2] == [
        ("A", "As set up"),
        ("B", "Set up by you"),
    ]
    assert "5% of the current dose every 4 weeks; no switch; tablets only" in compared
    chosen = prescriber_client.post(
        builder_url(young),
        builder_data(
            action="choose", switch_to="diazepam", option="own", decision_reason="Her own pace", kept=kept
        ),
    ).content.decode()
    assert "Chosen with the patient: option B</strong>, Set up by you" in chosen
    assert re.search(r'<input[^>]*name="preset"[^>]*value="jcpg-slow"[^>]*checked', chosen)
    assert re.search(r'<option value="" selected>No switch</option>', chosen)


def test_kept_settings_that_were_changed_are_refused(prescriber_client: Client, young: Patient) -> None:
    forged = DecisionForm.sign_kept({"preset": "jcpg-slow"}) + "x"
    html = _compare(prescriber_client, young, kept=forged)
    assert "Set up by you" not in html


def test_a_plan_asked_for_twice_in_one_request_is_planned_once(
    young: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An option's suggested alternative is often another option (tablets only suggests the liquid
    of the plan as set up): one Reference, one request, each plan planned once."""
    calls: list[engine.PlanRequest] = []
    real = engine.plan_from_request

    def counted(request: engine.PlanRequest) -> engine.Schedule:
        calls.append(request)
        return real(request)

    monkeypatch.setattr(engine, "plan_from_request", counted)
    reference = Reference()
    first = options.compare(_choices(young, switch_to="diazepam"), reference)
    planned_once = len(calls)
    again = options.compare(_choices(young, switch_to="diazepam"), reference)
    assert len(calls) == planned_once and [o.summary for o in again] == [o.summary for o in first]
    assert len({repr(request) for request in calls}) == len(calls), "no plan made twice"
