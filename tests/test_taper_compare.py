"""``manage.py taper --compare`` (issue 17): the same options as the builder's Compare options, with
the same numbers, as a table and as JSON; bad combinations exit with one line."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from schedules.models import Patient
from schedules.plans import options
from schedules.plans.forms import PlanBuilderForm
from tests.plans.test_views import builder_data, builder_url

pytestmark = pytest.mark.django_db


def taper(*args: str) -> str:
    out = io.StringIO()
    call_command("taper", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def young(patient: Patient) -> Patient:
    """The fixture patient (lorazepam 1 mg morning and evening, 2 mg at night) at 46, in the UK."""
    patient.date_of_birth = dt.date(1980, 1, 1)
    patient.save()
    return patient


def _same_plan_on_the_command_line(patient: Patient, *extra: str) -> list[str]:
    start = dt.date.today()
    age = patient.age_on(start)
    return [
        "--drug", "lorazepam", "--morning", "1", "--evening", "1", "--night", "2",
        "--preset", "jcpg-standard", "--table", "ashton", "--market", "UK",
        "--start", start.isoformat(), "--age", str(age), "--compare", *extra,
    ]  # fmt: skip


@pytest.mark.parametrize("switch", ["", "diazepam"])
def test_the_command_and_the_builder_give_the_same_options_and_numbers(
    prescriber_client: Client, young: Patient, switch: str
) -> None:
    args = _same_plan_on_the_command_line(young, *(["--switch-to", switch] if switch else []))
    command = json.loads(taper(*args, "--format", "json"))["options"]
    form = PlanBuilderForm(builder_data(switch_to=switch), patient=young, today=dt.date.today())
    assert form.is_valid(), form.errors
    web = [option.as_dict() for option in options.compare(form.choices, form.reference)]
    assert command == web
    assert len(command) == 3
    html = prescriber_client.post(
        builder_url(young), builder_data(action="compare", switch_to=switch), HTTP_HX_REQUEST="true"
    ).content.decode()
    for option in command:
        assert f"{option['total_days']} days (about" in html
        cut = option["largest_cut"]
        assert re.search(
            rf"{cut['percent']:g}% \({cut['diazepam_equivalent_mg']:g}(\.0+)? mg diazepam-equivalent\) at step {cut['step']}",
            html,
        )


def test_the_table_lists_each_option_with_its_figures(young: Patient) -> None:
    text = taper(*_same_plan_on_the_command_line(young))
    assert re.search(r"^\s+Option A\s+Option B\s+Option C$", text, re.M)
    for label in ("Days", "Steps", "Largest cut", "Days over 25% in 14 days", "Dangers", "Most pieces a day"):
        assert re.search(rf"^{re.escape(label)}\s", text, re.M), label
    assert "Option B: Slower: 5% of the current dose every 4 weeks" in text
    assert "dispensed in the first 28 days:" in text


def test_at_65_no_switch_is_proposed_on_the_command_line_either() -> None:
    start = dt.date.today().isoformat()
    args = ["--drug", "lorazepam", "--night", "2", "--market", "UK", "--start", start, "--compare"]
    keys = [o["key"] for o in json.loads(taper(*args, "--age", "70", "--format", "json"))["options"]]
    assert "switch" not in keys
    keys = [o["key"] for o in json.loads(taper(*args, "--age", "40", "--format", "json"))["options"]]
    assert "switch" in keys


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--pdf", "plan.pdf"], "--pdf prints one plan: leave out --compare"),
        (["--start", "2090-01-01"], "start date"),
    ],
)
def test_bad_combinations_stop_with_one_line(extra: list[str], message: str, tmp_path: Any) -> None:
    args = ["--drug", "lorazepam", "--night", "2", "--market", "UK", "--compare"]
    extra = [str(tmp_path / value) if value.endswith(".pdf") else value for value in extra]
    with pytest.raises(CommandError, match=re.escape(message)):
        taper(*args, *extra)
