"""Bounded work per request: a post beyond a form's rows, the field limit or the body limit is
refused with a 400 that says which, quickly (a handful of queries, a small page), and saves nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from schedules.models import Patient
from schedules.patients.forms import REGIMEN_MAX_ROWS, RegimenFormSet

from ..test_views import drug_id, regimen_post

pytestmark = pytest.mark.django_db
# Sign-in and permissions (4), the second factor's device (1), the patient through the one choke
# point (1) and the page header's roles (1): nothing of the rows.
REFUSAL_QUERIES = 7


def test_every_regimen_row_limit_is_a_handful() -> None:
    formset = RegimenFormSet()
    assert formset.max_num == formset.absolute_max == REGIMEN_MAX_ROWS == 6


def test_1006_regimen_forms_are_refused_with_a_400_before_any_row_is_built(
    prescriber_client: Client, patient: Patient, django_assert_max_num_queries: Any
) -> None:
    data = regimen_post(patient, [{"drug": drug_id("lorazepam"), "morning_mg": "1"}])
    data["regimen-TOTAL_FORMS"] = "1006"
    with django_assert_max_num_queries(REFUSAL_QUERIES):
        response = prescriber_client.post(reverse("schedules:regimen_edit", args=[patient.pk]), data)
    content = response.content.decode()
    assert response.status_code == 400
    assert "A regimen has at most 6 rows, and this form sent 1006" in content
    assert len(response.content) < 20_000  # the refusal, not 1006 rows of form
    assert list(patient.regimen.values_list("drug__name", flat=True)) == ["lorazepam"]  # unchanged


def test_seven_rows_are_refused_and_six_are_a_form(prescriber_client: Client, patient: Patient) -> None:
    url = reverse("schedules:regimen_edit", args=[patient.pk])
    rows: list[dict[str, object]] = [{"drug": drug_id("lorazepam"), "morning_mg": "1"}]
    data = regimen_post(patient, rows + [{}] * 6)
    assert prescriber_client.post(url, data).status_code == 400
    data = regimen_post(patient, rows + [{}] * 5)
    assert prescriber_client.post(url, data).status_code == 302


def test_more_fields_than_the_limit_are_refused_saying_so(
    prescriber_client: Client, patient: Patient, django_assert_max_num_queries: Any
) -> None:
    data = regimen_post(patient, [{"drug": drug_id("lorazepam"), "morning_mg": "1"}])
    data |= {f"regimen-{n}-night_mg": "1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)}
    with django_assert_max_num_queries(REFUSAL_QUERIES):
        response = prescriber_client.post(reverse("schedules:regimen_edit", args=[patient.pk]), data)
    assert response.status_code == 400
    assert f"more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields" in response.content.decode()


def test_a_body_past_the_size_limit_is_refused_saying_so(prescriber_client: Client, patient: Patient) -> None:
    data = regimen_post(patient, [{"drug": drug_id("lorazepam"), "morning_mg": "1"}])
    data["note"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = prescriber_client.post(reverse("schedules:regimen_edit", args=[patient.pk]), data)
    assert response.status_code == 400
    assert f"more than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024} KiB" in response.content.decode()
    assert patient.regimen.count() == 1


def test_a_query_string_past_the_field_limit_is_refused(prescriber_client: Client) -> None:
    query = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = prescriber_client.get(reverse("schedules:patient_list") + "?" + query)
    assert response.status_code == 400
