"""Issue 14: the builder offers the strengths stocked for tapering, citing NHS Lanarkshire's
advice against 10 mg diazepam tablets, and a plan made without them uses none."""

from __future__ import annotations

import pytest
from django.test import Client

from schedules.models import Patient

from .test_views import builder_data, builder_url

pytestmark = pytest.mark.django_db


def test_the_builder_cites_the_advice_against_10_mg_diazepam_and_honours_the_choice(
    prescriber_client: Client, patient: Patient
) -> None:
    page = prescriber_client.get(builder_url(patient)).content.decode()
    assert "diazepam 10 mg (NHS Lanarkshire formulary: 10 mg tablets should not be prescribed)" in page
    assert (
        "NHS Lanarkshire&#x27;s formulary prefers 2 mg tablets" in page
        or "NHS Lanarkshire's formulary prefers 2 mg tablets" in page
    )
    data = builder_data(switch_to="diazepam", strengths=["diazepam:2", "diazepam:5"])
    preview = prescriber_client.post(builder_url(patient), data).content.decode()
    assert "× 2 mg tablet" in preview
    assert "× 10 mg tablet" not in preview
    everything = prescriber_client.post(
        builder_url(patient), builder_data(switch_to="diazepam")
    ).content.decode()
    assert "× 10 mg tablet" in everything  # the choice is what keeps 10 mg tablets out
