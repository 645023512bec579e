"""Hostile input to the sign-in form, the patient search and every admin list's search box and
filters: a message or an empty result, never a server error, never shown unescaped.
(The patient and regimen forms have their own tests with the registry.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedules.models import Patient

from ..conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
CRAFTED = [
    "",
    " ",
    "x" * 10_000,
    "\x00",
    "Ellis\x00",
    "\x01\x02\x1b[31m",
    "\r\n\t",
    "\u202eEllis",  # right-to-left override
    "\u200f\u061c",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "'; DROP TABLE schedules_patient; --",
    "%",
    "_",
    "\\",
    "%00",
    "9" * 400,
    "-1e309",
    "1e-400",
    "NaN",
    "-0",
    "[]",
    "{}",
    "🙂" * 50,
    "\ud7ff\ue000\uffff",
]
# The most hostile few, for the many admin filters (each list has several).
FILTER_VALUES = [
    "x" * 10_000,
    "\x00",
    "\u202e\r\n",
    SCRIPT,
    "' OR 1=1 --",
    "%",
    "9" * 400,
    "-1e309",
    "[]",
    "🙂",
]
# Text hypothesis may generate: anything but lone surrogates (which no browser can send).
TEXT = st.text(st.characters(codec="utf-8"), max_size=300)
HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_survives(response: Any) -> None:
    assert response.status_code < 500
    assert SCRIPT.encode() not in response.content


@pytest.fixture
def superuser_client(db: None) -> Client:
    client = client_for(User.objects.create_superuser("root", password=PASSWORD))
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("value", CRAFTED)
def test_the_patient_search_survives_crafted_values(
    prescriber_client: Client, patient: Patient, value: str
) -> None:
    response = prescriber_client.get(reverse("schedules:patient_list"), {"q": value, "page": value})
    assert_survives(response)


@given(query=TEXT, page=TEXT)
@HYPOTHESIS
def test_the_patient_search_survives_any_text(
    prescriber_client: Client, patient: Patient, query: str, page: str
) -> None:
    assert_survives(prescriber_client.get(reverse("schedules:patient_list"), {"q": query, "page": page}))


@pytest.mark.parametrize("value", CRAFTED)
def test_the_sign_in_form_survives_crafted_values(prescriber: User, value: str) -> None:
    response = Client().post(reverse("login"), {"username": value, "password": value})
    assert_survives(response)
    assert response.status_code in {200, 429}


@pytest.mark.parametrize(
    "data", [{}, {"username": "prescriber"}, {"password": PASSWORD}, {"username": ["a", "b"]}]
)
def test_the_sign_in_form_survives_missing_and_repeated_fields(
    prescriber: User, data: dict[str, Any]
) -> None:
    response = Client().post(reverse("login"), data)
    assert response.status_code == 200
    assert response.context["form"].errors


@given(username=TEXT, password=TEXT)
@HYPOTHESIS
def test_the_sign_in_form_survives_any_text(db: None, username: str, password: str) -> None:
    assert_survives(
        Client(REMOTE_ADDR="192.0.2.200").post(reverse("login"), {"username": username, "password": password})
    )


def changelists() -> list[str]:
    return sorted(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist" for model in admin.site._registry
    )


def filter_parameters(client: Client, url: str) -> list[str]:
    changelist = client.get(url).context["cl"]
    names = [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
    if changelist.date_hierarchy:
        names += [f"{changelist.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return [*names, "q", "o", "p", "all", "_to_field"]


@pytest.fixture
def short_admin_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lists of a few rows a page: a crafted filter is tried on the query and the page around it,
    and a hundred rows drawn for each of a list's hundred requests would only add time."""
    for model_admin in admin.site._registry.values():
        monkeypatch.setattr(model_admin, "list_per_page", 3)


@pytest.mark.parametrize("name", changelists())
def test_every_admin_list_survives_crafted_filters_and_searches(
    superuser_client: Client, patient: Patient, short_admin_lists: None, name: str
) -> None:
    url = reverse(name)
    for parameter in filter_parameters(superuser_client, url):
        for value in FILTER_VALUES:
            response = superuser_client.get(url, {parameter: value}, follow=True)
            assert_survives(response)


def test_a_nul_in_an_admin_filter_is_refused_with_a_message(superuser_client: Client) -> None:
    response = superuser_client.get(
        reverse("admin:schedules_drug_changelist"), {"drug_class": "\x00"}, follow=True
    )
    assert response.status_code == 200
    assert "contained a NUL character" in response.content.decode()


@pytest.mark.parametrize("name", changelists())
@given(value=TEXT)
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_admin_search_survives_any_text(superuser_client: Client, name: str, value: str) -> None:
    assert_survives(superuser_client.get(reverse(name), {"q": value}, follow=True))


@pytest.mark.parametrize("model", ["drug", "formulation", "equivalencetable", "equivalence", "clinic"])
@pytest.mark.parametrize("bad", ["abc", "1.5", "-1", "9" * 30, "%00", "1'--"])
def test_history_pages_with_a_bad_id_say_it_does_not_exist(
    superuser_client: Client, model: str, bad: str
) -> None:
    base = f"/admin/schedules/{model}/"
    for url in (f"{base}1/history/{bad}/", f"{base}{bad}/history/", f"{base}{bad}/history/1/"):
        response = superuser_client.get(url, follow=True)
        assert response.status_code in {200, 404}, url
        if response.status_code == 200:
            assert (
                "doesn’t exist" in response.content.decode() or "does not exist" in response.content.decode()
            )
