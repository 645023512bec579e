"""Printed documents made once per version by a background task, stored, and served from storage."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from schedules.models import Patient, Plan, PlanDocument
from schedules.plans import documents
from tests.plans.conftest import new_plan
from tests.printing.downloads import download, make_queued_documents
from tests.printing.pdf_text import read_pdf

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def url(plan: Plan, name: str) -> str:
    return f"/plans/{plan.pk}/{name}"


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every render the task makes, by kind: a download must never add one."""
    made: list[str] = []
    real = documents.version_pdf

    def counting(version: Any, **options: Any) -> bytes:
        made.append(options["document"])
        return real(version, **options)

    monkeypatch.setattr(documents, "version_pdf", counting)
    return made


@pytest.fixture
def saved(prescriber: User, patient: Patient, django_capture_on_commit_callbacks: Capture) -> Iterator[Plan]:
    """An active plan whose version was saved for good: its documents queued and made on commit."""
    with django_capture_on_commit_callbacks(execute=True):
        plan = new_plan(prescriber, patient, switch=True, activate=True)
    yield plan


def test_saving_a_version_makes_both_documents_once(saved: Plan) -> None:
    made = PlanDocument.objects.filter(version__plan=saved)
    assert sorted(made.values_list("kind", "paper", "state", "edition")) == [
        ("clinician", "A4", "ready", 1),
        ("patient", "A4", "ready", 1),
    ]
    assert all(bytes(document.pdf).startswith(b"%PDF") for document in made)


def test_downloads_are_served_from_storage_never_rendered_again(
    saved: Plan, prescriber_client: Client, renders: list[str]
) -> None:
    for name in ("clinician.pdf", "patient.pdf"):
        stored = PlanDocument.objects.get(version__plan=saved, kind=name.removesuffix(".pdf"))
        for _ in range(2):
            response = prescriber_client.get(url(saved, name))
            assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
            assert response.content == bytes(stored.pdf)
    assert renders == []


def test_the_document_says_which_version_it_prints_and_when_it_was_made(
    saved: Plan, prescriber_client: Client
) -> None:
    stored = PlanDocument.objects.get(version__plan=saved, kind="patient")
    assert stored.made_at is not None
    made = dt.datetime.now(tz=dt.UTC).astimezone(stored.made_at.tzinfo)
    text = read_pdf(prescriber_client.get(url(saved, "patient.pdf")).content).text
    assert f"plan {saved.pk}, version 1 (Active)" in text
    assert f"Made on {made:%-d %B %Y}" in text


def test_a_document_not_made_yet_says_so_and_opens_when_ready(
    prescriber: User, patient: Patient, prescriber_client: Client, renders: list[str]
) -> None:
    plan = new_plan(prescriber, patient, activate=True)  # its commit never ran: nothing queued yet
    waiting = prescriber_client.get(url(plan, "patient.pdf"))
    assert waiting.status_code == 202
    page = waiting.content.decode()
    assert "This document is being made" in page and "Patient&#x27;s schedule" in page
    assert f'hx-get="/plans/{plan.pk}/patient.pdf"' in page and 'hx-trigger="load delay:2s"' in page
    assert renders == [], "the request renders nothing itself"
    asked = prescriber_client.get(url(plan, "patient.pdf"), headers={"HX-Request": "true"})
    assert asked.status_code == 200 and "being made" in asked.content.decode()
    assert "<nav" not in asked.content.decode(), "htmx gets the state alone"
    assert make_queued_documents() == 1 and renders == ["patient"]
    ready = prescriber_client.get(url(plan, "patient.pdf"), headers={"HX-Request": "true"})
    assert ready["HX-Redirect"] == url(plan, "patient.pdf")
    assert prescriber_client.get(url(plan, "patient.pdf")).content.startswith(b"%PDF")
    assert renders == ["patient"]


def test_a_failed_render_is_tried_again_then_shown_with_its_reason(
    prescriber: User,
    patient: Patient,
    prescriber_client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    plan = new_plan(prescriber, patient, activate=True)
    attempts: list[int] = []

    def broken(version: Any, **options: Any) -> bytes:
        attempts.append(1)
        raise OSError("no space left on device")

    monkeypatch.setattr(documents, "version_pdf", broken)
    assert prescriber_client.get(url(plan, "clinician.pdf")).status_code == 202
    document = PlanDocument.objects.get()
    with django_capture_on_commit_callbacks(execute=True):  # each retry is queued on commit
        documents.render_document.call(document.pk)
    document.refresh_from_db()
    assert len(attempts) == documents.MAX_ATTEMPTS
    assert document.state == PlanDocument.State.FAILED and document.attempts == documents.MAX_ATTEMPTS
    page = prescriber_client.get(url(plan, "clinician.pdf")).content.decode()
    assert "This document could not be made" in page and "OSError: no space left on device" in page
    assert "hx-get" not in page, "a failed document is not asked for again and again"


def test_a_render_that_fails_once_is_made_on_the_next_try(
    prescriber: User,
    patient: Patient,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    real = documents.version_pdf
    calls: list[int] = []

    def flaky(version: Any, **options: Any) -> bytes:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("font cache busy")
        return real(version, **options)

    monkeypatch.setattr(documents, "version_pdf", flaky)
    plan = new_plan(prescriber, patient, activate=True)
    version = plan.versions.get()
    spec = documents.DocumentSpec.of(version, kind="clinician", today=dt.date.today())
    with django_capture_on_commit_callbacks(execute=True):
        documents.requested(version, spec, latest_version=1)
    document = PlanDocument.objects.get()
    assert (document.state, document.attempts, len(calls)) == ("ready", 2, 2)


def test_clinic_details_make_new_documents_for_current_plans_and_old_versions_keep_theirs(
    saved: Plan,
    prescriber: User,
    prescriber_client: Client,
    renders: list[str],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    from tests.printing.test_views import hold

    with django_capture_on_commit_callbacks(execute=True):
        hold(saved, prescriber, reason="Poor sleep")
    first = {(d.version.number, d.kind): bytes(d.pdf) for d in PlanDocument.objects.select_related("version")}
    assert sorted(first) == [(1, "clinician"), (1, "patient"), (2, "clinician"), (2, "patient")]
    renders.clear()
    clinic = saved.patient.clinic
    clinic.contact_phone = "01632 960 123"
    clinic.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert documents.remake_current(Plan.objects.filter(patient__clinic=clinic)) == 2
    assert sorted(renders) == ["clinician", "patient"]
    current = read_pdf(download(prescriber_client, url(saved, "patient.pdf")).content).text
    assert "Phone: 01632 960 123" in current
    old = PlanDocument.objects.get(version__number=1, kind="patient")
    assert (old.edition, bytes(old.pdf)) == (1, first[(1, "patient")])
    assert sorted(renders) == ["clinician", "patient"], "served from storage"


def test_a_clinic_s_details_changed_in_the_admin_remake_its_documents(
    saved: Plan, admin_client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    clinic = saved.patient.clinic
    change = f"/admin/schedules/clinic/{clinic.pk}/change/"
    seen = re.search(r'name="seen_history" value="([^"]*)"', admin_client.get(change).content.decode())
    form = {
        "name": clinic.name,
        "market": clinic.market,
        "paper_size": "Letter",
        "contact_phone": "",
        "contact_email": "",
        "contact_address": "",
        "contact_hours": "",
        "change_reason": "New printers",
        "seen_history": seen.group(1) if seen else "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change, form)
    assert response.status_code == 302
    letter = PlanDocument.objects.filter(version__plan=saved, paper="Letter")
    assert sorted(letter.values_list("kind", "state")) == [("clinician", "ready"), ("patient", "ready")]


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_s_worker_makes_the_documents_of_a_saved_version(
    prescriber: User, patient: Patient, prescriber_client: Client
) -> None:
    database_backend = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=database_backend):
        plan = new_plan(prescriber, patient, activate=True)
        assert DBTaskResult.objects.count() == 2, "queued when the version was saved"
        assert prescriber_client.get(url(plan, "clinician.pdf")).status_code == 202
        call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    response = prescriber_client.get(url(plan, "clinician.pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
