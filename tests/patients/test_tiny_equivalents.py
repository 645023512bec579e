"""Issue 14: a diazepam equivalent that rounds to 0 is shown with enough precision, never as 0."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from schedules.models import Equivalence, Patient
from schedules.templatetags.taper import mg

pytestmark = pytest.mark.django_db


def test_the_mg_filter_never_shows_an_amount_above_0_as_0() -> None:
    assert mg(Decimal("0.02"), 1) == "0.02"
    assert mg(0.004, 2) == "0.004"
    assert mg(Decimal("0.00033"), 2) == "0.00033"
    assert mg(Decimal(0), 1) == "0"
    assert mg(Decimal("2.46"), 1) == "2.5"


def test_a_tenfold_equivalence_shows_lorazepam_2_mg_as_0_04_not_0(
    prescriber_client: Client, patient: Patient
) -> None:
    # The patient takes lorazepam 4 mg a day; an administrator confirmed 1000 mg = 10 mg diazepam
    # (a tenfold slip of 1 mg, issue 14): 0.04 mg diazepam-equivalent a day.
    Equivalence.objects.filter(table__is_default=True, drug__name="lorazepam").update(
        dose_mg=Decimal(1000), min_mg=None, max_mg=None
    )
    page = prescriber_client.get(reverse("schedules:patient_detail", args=[patient.pk])).content.decode()
    assert "0.04 mg" in page
    assert 'data-label="Diazepam equivalent">0 mg' not in page
    assert "<strong>0 mg</strong>" not in page
