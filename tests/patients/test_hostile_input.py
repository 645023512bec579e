"""Hostile input on the patient form, the regimen formset and the search: a validation message,
never a server error, never rendered unescaped; names and record numbers refuse hidden characters."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedules.models import Clinic, Patient

from ..test_views import drug_id, patient_post, regimen_post

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
CRAFTED = [
    "",
    " ",
    "x" * 100_000,
    "\x00",
    "Ann\x00Lee",
    "Ann\x07",
    "Ann\nLee",
    "Ann\r\nLee",
    "\u202eeel nnA",
    "Ann\u2066Lee\u2069",
    "\u200f",
    SCRIPT,
    IMAGE,
    "'; DROP TABLE schedules_patient; --",
    "' OR 1=1 --",
    "%00",
    "1e309",
    "-1e-309",
    "NaN",
    "Infinity",
    "9" * 5000,
    "0.0000000000001",
    "ＡＳＴＲＯＭ",
]
# Lone surrogates cannot be encoded into a request at all; invalid UTF-8 bytes are tried below.
hostile_text = st.one_of(st.sampled_from(CRAFTED), st.text(st.characters(codec="utf-8"), max_size=300))
SLOTS = ("morning", "midday", "evening", "night")
quick = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_handled(response: object) -> str:
    """A page or a redirect, never a server error, with neither crafted payload on it unescaped."""
    status = response.status_code  # type: ignore[attr-defined]
    assert status in (200, 302), status
    content: str = response.content.decode(errors="replace")  # type: ignore[attr-defined]
    assert SCRIPT not in content
    assert IMAGE not in content and "<img src=x" not in content
    return content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("given_name", "Ann\nLee", "Remove a line break or tab"),
        ("family_name", "Lee\rHart", "Remove a line break or tab"),
        ("family_name", "Lee\tx", "Remove a tab"),
        ("given_name", "\u202eeel", "Remove a right-to-left or other direction control character"),
        ("record_number", "R\u2067-1", "Remove a right-to-left or other direction control character"),
        ("record_number", "R-\x1b1", "Remove a control or unassigned character"),
        ("cns_depressants", "codeine\x08", "Remove a control or unassigned character"),
        ("notes", "line one\n\u202eline two", "Remove a right-to-left"),
        ("given_name", "Ann\x00", "Null characters are not allowed."),
    ],
)
def test_hidden_characters_are_refused_beside_the_field(
    prescriber_client: Client, clinic: Clinic, field: str, value: str, message: str
) -> None:
    extra = {"cns_depressant_co_use": "on"} if field == "cns_depressants" else {}
    response = prescriber_client.post(
        reverse("schedules:patient_create"), patient_post(clinic, **{field: value}, **extra)
    )
    content = assert_handled(response)
    assert response.status_code == 200
    assert message in content
    assert not Patient.objects.exists()


def test_line_breaks_are_fine_in_notes(prescriber_client: Client, clinic: Clinic) -> None:
    data = patient_post(clinic, notes="Seen 3 May.\r\nLives alone.")
    assert prescriber_client.post(reverse("schedules:patient_create"), data).status_code == 302
    assert Patient.objects.get().notes == "Seen 3 May.\r\nLives alone."


@pytest.mark.parametrize("payload", [SCRIPT, IMAGE])
def test_html_in_a_name_is_shown_as_text(prescriber_client: Client, clinic: Clinic, payload: str) -> None:
    data = patient_post(clinic, family_name=payload, not_a_duplicate="on")
    assert prescriber_client.post(reverse("schedules:patient_create"), data).status_code == 302
    patient = Patient.objects.get()
    assert patient.family_name == payload
    listed = assert_handled(prescriber_client.get(reverse("schedules:patient_list")))
    assert f"{escape(payload.upper())}, Ann" in listed  # family names in capitals
    shown = assert_handled(prescriber_client.get(reverse("schedules:patient_detail", args=[patient.pk])))
    assert f"Ann {escape(payload)}" in shown


@pytest.mark.django_db
@quick
@given(
    field=st.sampled_from(
        [
            "record_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "clinic",
            "use_duration",
            "cns_depressants",
            "notes",
            "version",
            "hepatic_impairment",
        ]
    ),
    value=hostile_text,
)
def test_the_patient_form_survives_hostile_values(
    prescriber_client: Client, clinic: Clinic, field: str, value: str
) -> None:
    data = patient_post(clinic)
    data[field] = value
    assert_handled(prescriber_client.post(reverse("schedules:patient_create"), data))


@pytest.mark.django_db
@quick
@given(
    field=st.sampled_from(
        ["record_number", "given_name", "family_name", "date_of_birth", "version", "clinic"]
    ),
    value=hostile_text,
)
def test_the_patient_edit_form_survives_hostile_values(
    prescriber_client: Client, clinic: Clinic, patient: Patient, field: str, value: str
) -> None:
    data = patient_post(clinic, record_number="R-1")
    data[field] = value
    assert_handled(prescriber_client.post(reverse("schedules:patient_edit", args=[patient.pk]), data))


@pytest.mark.django_db
@quick
@given(
    field=st.sampled_from(["drug", "morning_mg", "midday_mg", "evening_mg", "night_mg", "DELETE", "id"]),
    value=hostile_text,
    row=st.integers(min_value=0, max_value=1),
)
def test_the_regimen_formset_survives_hostile_values(
    prescriber_client: Client, patient: Patient, field: str, value: str, row: int
) -> None:
    rows: list[dict[str, object]] = [
        {"drug": drug_id("lorazepam"), "morning_mg": "1", "night_mg": "2"},
        {"drug": drug_id("diazepam"), "night_mg": "5"},
    ]
    data = regimen_post(patient, rows)
    data[f"regimen-{row}-{field}"] = value
    before = regimen_of(patient)
    response = prescriber_client.post(reverse("schedules:regimen_edit", args=[patient.pk]), data)
    assert_handled(response)
    if response.status_code == 200:
        assert regimen_of(patient) == before  # refused: nothing saved
    else:
        rows[row][field] = value
        assert regimen_of(patient) == regimen_meant(rows)


def regimen_of(patient: Patient) -> dict[int, dict[str, Decimal]]:
    return {item.drug_id: item.doses for item in patient.regimen.all()}


def regimen_meant(rows: list[dict[str, object]]) -> dict[int, dict[str, Decimal]]:
    """What a saved post of these rows holds: each row not ticked for removal (a checkbox is ticked
    by any value but "" and "false", as Django reads one), its blank doses left out."""
    meant = {}
    for row in rows:
        if str(row.get("DELETE", "")).lower() in ("", "false"):
            doses = {slot: str(row.get(f"{slot}_mg", "")).strip() for slot in SLOTS}
            meant[int(str(row["drug"]))] = {slot: Decimal(mg) for slot, mg in doses.items() if mg}
    return meant


@pytest.mark.django_db
@quick
@given(
    field=st.sampled_from(
        ["regimen-TOTAL_FORMS", "regimen-INITIAL_FORMS", "regimen-MAX_NUM_FORMS", "regimen-version"]
    ),
    value=st.one_of(hostile_text, st.integers().map(str)),
)
def test_the_regimen_management_form_survives_hostile_values(
    prescriber_client: Client, patient: Patient, field: str, value: str
) -> None:
    data = regimen_post(patient, [{"drug": drug_id("lorazepam"), "morning_mg": "1"}])
    data[field] = value
    response = prescriber_client.post(reverse("schedules:regimen_edit", args=[patient.pk]), data)
    if field == "regimen-TOTAL_FORMS" and _number(value) > 6:  # more rows than a regimen holds
        assert response.status_code == 400 and "at most 6 rows" in response.content.decode()
    else:
        assert_handled(response)
    assert patient.regimen.count() <= 1


def _number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return 0


@pytest.mark.django_db
@quick
@given(query=hostile_text, page=st.one_of(hostile_text, st.integers().map(str)))
def test_the_search_survives_hostile_values(
    prescriber_client: Client, patient: Patient, query: str, page: str
) -> None:
    assert_handled(prescriber_client.get(reverse("schedules:patient_list"), {"q": query, "page": page}))


@pytest.mark.parametrize(
    "missing", ["clinic", "record_number", "given_name", "family_name", "date_of_birth", "sex"]
)
def test_a_missing_field_is_a_message(prescriber_client: Client, clinic: Clinic, missing: str) -> None:
    data = patient_post(clinic)
    data.pop(missing)
    response = prescriber_client.post(reverse("schedules:patient_create"), data)
    assert response.status_code == 200 and "required" in response.content.decode()


def test_a_regimen_post_with_nothing_in_it_is_a_message(prescriber_client: Client, patient: Patient) -> None:
    response = prescriber_client.post(reverse("schedules:regimen_edit", args=[patient.pk]), {})
    assert response.status_code == 200
    assert patient.regimen.count() == 1


def test_lists_instead_of_values_are_a_message(
    prescriber_client: Client, clinic: Clinic, patient: Patient
) -> None:
    data = regimen_post(patient, [{"drug": drug_id("lorazepam"), "morning_mg": ["1", "2"]}])
    assert_handled(prescriber_client.post(reverse("schedules:regimen_edit", args=[patient.pk]), data))
    data = patient_post(clinic, given_name=["Ann", "Lee"], date_of_birth=["x", "1970-01-01"])
    assert_handled(prescriber_client.post(reverse("schedules:patient_create"), data))


def test_bytes_that_are_not_utf8_are_a_search_like_any_other(
    prescriber_client: Client, patient: Patient
) -> None:
    assert_handled(prescriber_client.get(reverse("schedules:patient_list") + "?q=%ff%fe%00&page=%c0%af"))
