"""The audit trail: who signed in, failed, signed out, viewed a patient and changed what; read-only in
the admin, refused UPDATE and DELETE by PostgreSQL; server errors logged without patient data."""

from __future__ import annotations

import logging
import runpy
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from audit.logfilters import StripQueryString
from audit.models import Action, AuditError, AuditEvent
from schedules.models import Patient

from ..conftest import PASSWORD, client_for
from ..printing.downloads import download
from ..test_views import patient_post

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


def test_sign_in_failed_sign_in_and_sign_out_are_recorded_with_the_address(prescriber: User) -> None:
    client = Client(REMOTE_ADDR="192.0.2.44")
    client.post(reverse("login"), {"username": "prescriber", "password": "wrong-password"})
    client.post(reverse("login"), {"username": "prescriber", "password": PASSWORD})
    client.post(reverse("logout"))
    [failed] = events(Action.SIGN_IN_FAILED)
    assert (failed.username, failed.user, failed.address) == ("prescriber", None, "192.0.2.44")
    [signed_in] = events(Action.SIGN_IN)
    assert (signed_in.user, signed_in.address) == (prescriber, "192.0.2.44")
    [signed_out] = events(Action.SIGN_OUT)
    assert signed_out.user == prescriber


def test_the_address_behind_the_proxy_is_recorded(prescriber: User, settings: Any) -> None:
    settings.TRUST_X_FORWARDED_FOR = 1
    Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.23").post(
        reverse("login"), {"username": "prescriber", "password": PASSWORD}
    )
    assert events(Action.SIGN_IN)[0].address == "198.51.100.23"


def test_a_hostile_user_name_is_stored_printable() -> None:
    Client().post(
        reverse("login"), {"username": "evil\u202e\r\nname" + "x" * 500, "password": "whatever-it-is"}
    )
    [failed] = events(Action.SIGN_IN_FAILED)
    assert failed.username.startswith("evil   name") and len(failed.username) == 150


@pytest.mark.parametrize(
    "url_name", ["schedules:patient_detail", "schedules:patient_edit", "schedules:regimen_edit"]
)
def test_every_view_of_a_patient_is_recorded(prescriber: User, patient: Patient, url_name: str) -> None:
    client_for(prescriber).get(reverse(url_name, args=[patient.pk]), REMOTE_ADDR="192.0.2.5")
    [viewed] = events(Action.VIEW_PATIENT)
    assert (viewed.user, viewed.patient, viewed.address) == (prescriber, patient, "192.0.2.5")
    assert viewed.path == reverse(url_name, args=[patient.pk])


def test_a_refused_patient_is_not_recorded_as_viewed(prescriber: User, foreign_patient: Patient) -> None:
    assert (
        client_for(prescriber).get(reverse("schedules:patient_detail", args=[foreign_patient.pk])).status_code
        == 404
    )
    assert not events(Action.VIEW_PATIENT)


def test_every_change_links_to_its_history_record(prescriber_client: Client, patient: Patient) -> None:
    change = AuditEvent.objects.get(action=Action.CHANGE, history_model="schedules.historicalpatient")
    assert change.patient == patient
    assert change.history_id == patient.history.earliest().pk
    regimen = AuditEvent.objects.filter(action=Action.CHANGE, history_model="schedules.historicalregimenitem")
    assert regimen.get().patient == patient


def test_a_change_made_through_a_page_names_who_made_it(prescriber: User, clinic: Any) -> None:
    client = client_for(prescriber)
    client.post(
        reverse("schedules:patient_create"),
        patient_post(clinic),
        REMOTE_ADDR="192.0.2.77",
    )
    patient = Patient.objects.get(record_number="NEW-1")
    change = AuditEvent.objects.get(action=Action.CHANGE, patient=patient)
    assert (change.user, change.address) == (prescriber, "192.0.2.77")


def test_audit_records_cannot_be_changed_or_deleted_through_the_model() -> None:
    event = AuditEvent.objects.create(action=Action.SIGN_IN, username="x")
    event.detail = "rewritten"
    with pytest.raises(AuditError):
        event.save()
    with pytest.raises(AuditError):
        event.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the guard is a PostgreSQL trigger")
@pytest.mark.parametrize(
    "statement", ["UPDATE audit_auditevent SET detail = 'x'", "DELETE FROM audit_auditevent"]
)
def test_postgresql_refuses_update_and_delete_on_the_audit_table(statement: str) -> None:
    AuditEvent.objects.create(action=Action.SIGN_IN, username="x")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.filter(detail="").count() == 1


def test_the_auditor_searches_the_trail_by_user_patient_clinic_and_date(
    auditor_client: Client, prescriber: User, patient: Patient, other_clinic: Any
) -> None:
    client_for(prescriber).get(reverse("schedules:patient_detail", args=[patient.pk]))
    url = reverse("admin:audit_auditevent_changelist")
    for query in (
        {"q": "prescriber"},
        {"q": patient.record_number},
        {"q": "Ellis"},
        {"clinic": str(patient.clinic_id)},
    ):
        result = auditor_client.get(url, query).context["cl"].result_list
        assert any(event.action == Action.VIEW_PATIENT for event in result), query
    event = AuditEvent.objects.get(action=Action.VIEW_PATIENT)
    day = {"at__year": event.at.year, "at__month": event.at.month, "at__day": event.at.day}
    assert event in auditor_client.get(url, day).context["cl"].result_list
    # Only the searches themselves (each is recorded) match a name nobody has.
    missing = auditor_client.get(url, {"q": "nobody-of-that-name"}).context["cl"].result_list
    assert {event.action for event in missing} == {Action.READ_TRAIL}
    elsewhere = auditor_client.get(url, {"clinic": str(other_clinic.pk)}).context["cl"].result_list
    assert event not in elsewhere


def test_the_trail_is_read_only_in_the_admin_even_for_superusers(patient: Patient) -> None:
    root = User.objects.create_superuser("root", password=PASSWORD)
    client = client_for(root)
    event = AuditEvent.objects.first()
    assert event is not None
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert (
        client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"detail": "x"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes", "change_reason": "x"}
        ).status_code
        == 403
    )
    response = client.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes", "change_reason": "x"},
    )
    assert response.status_code in {200, 302}
    assert AuditEvent.objects.filter(pk=event.pk).exists()


class Collect(logging.Handler):
    def __init__(self, formatter: logging.Formatter | None) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_server_errors_are_logged_to_stderr_with_a_traceback_and_no_patient_data(
    prescriber: User, patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    logger = logging.getLogger("django.request")
    # The project's handler: a StreamHandler with no stream named, i.e. stderr.
    [stderr] = [handler for handler in logger.handlers if type(handler) is logging.StreamHandler]
    logging_config: dict[str, Any] = django_settings.LOGGING
    assert "stream" not in logging_config["handlers"]["stderr"]
    collect = Collect(stderr.formatter)
    logger.addHandler(collect)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a failure deep in the page")

    monkeypatch.setattr("schedules.patients.views.summarise_regimen", broken)
    client = client_for(prescriber)
    client.raise_request_exception = False
    try:
        response = client.get(
            reverse("schedules:patient_detail", args=[patient.pk]), {"q": "Ellis 1951-03-14"}
        )
    finally:
        logger.removeHandler(collect)
    assert response.status_code == 500
    [line] = collect.lines
    assert "Traceback (most recent call last)" in line and "RuntimeError: a failure deep in the page" in line
    first = line.splitlines()[0]
    assert first.endswith(f"Internal Server Error: /patients/{patient.pk}/")
    assert "Ellis" not in line and "1951" not in line and "Margaret" not in line


def test_runservers_access_lines_leave_out_the_query_string() -> None:
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /?q=Ellis+Margaret HTTP/1.1", "200", "512"),
        None,
    )
    assert StripQueryString().filter(record)
    assert record.getMessage() == '"GET / HTTP/1.1" 200 512'
    handler = logging.getLogger("django.server").handlers[0]
    assert any(isinstance(item, StripQueryString) for item in handler.filters)


def test_gunicorns_access_lines_leave_out_the_query_string() -> None:
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    access = config["access_log_format"]
    assert "%(U)s" in access
    for leaky in ("%(r)s", "%(q)s", "%(f)s", "%({"):
        assert leaky not in access


def test_the_audit_api_records_plans_prints_and_exports(prescriber: User, patient: Patient) -> None:
    from django.test import RequestFactory

    import audit

    request = RequestFactory().get("/plans/7/print/", REMOTE_ADDR="192.0.2.9")
    request.user = prescriber

    class Plan:
        pk = 7

    event = audit.record(request, Action.PRINT, patient=patient, plan=Plan(), detail="PDF")
    assert (event.user, event.patient, event.plan_id, event.address, event.path) == (
        prescriber,
        patient,
        7,
        "192.0.2.9",
        "/plans/7/print/",
    )


def test_plan_pages_prints_and_exports_are_recorded(prescriber: User, patient: Patient) -> None:
    from ..plans.conftest import new_plan

    plan = new_plan(prescriber, patient, activate=True)  # dangers acknowledged: it may be printed
    client = client_for(prescriber)
    pages = {
        f"/plans/{plan.pk}/": Action.VIEW_PLAN,
        f"/plans/{plan.pk}/clinician.pdf": Action.PRINT,
        f"/plans/{plan.pk}/patient.pdf": Action.PRINT,
        f"/plans/{plan.pk}/schedule.ics": Action.EXPORT,
        f"/plans/{plan.pk}/fhir.json": Action.EXPORT,
        f"/plans/{plan.pk}/steps.csv": Action.EXPORT,
        f"/plans/{plan.pk}/plan.json": Action.EXPORT,
    }
    for url, action in pages.items():
        assert download(client, url).status_code == 200, url
        event = AuditEvent.objects.filter(path=url).get()
        assert (event.action, event.user, event.patient, event.plan_id) == (
            action,
            prescriber,
            patient,
            plan.pk,
        )
    change = AuditEvent.objects.filter(action=Action.CHANGE, history_model="schedules.historicalplan").first()
    assert change is not None and change.plan_id == plan.pk
