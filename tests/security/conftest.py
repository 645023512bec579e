"""The six kinds of visitor of the permission matrix, and the objects its URLs point at."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.test import Client, override_settings
from django.urls import clear_url_caches

from accounts.models import ClinicManager
from audit.models import Action, AuditEvent
from followup.actions import record_checkin
from followup.models import Scale, ScaleBand, ScaleItem
from followup.scale_data import CHECKLIST_KEY
from schedules.models import (
    Clinic,
    Drug,
    Equivalence,
    EquivalenceTable,
    Formulation,
    Market,
    Patient,
    RegimenItem,
)

from ..conftest import PASSWORD, client_for, make_patient, make_user, second_factor_passed
from ..followup.conftest import checkin_input
from ..plans.conftest import new_plan

VISITORS = ("anonymous", "staff", "prescriber", "administrator", "no_role", "other_prescriber")


@dataclass
class World:
    clinic: Clinic
    users: dict[str, User | None]
    objects: dict[str, int]
    # Each signed-in visitor's session, where the world keeps one (see `keep_sessions`).
    sessions: dict[str, str] = field(default_factory=dict)

    def client(self, visitor: str) -> Client:
        """A new client for this visitor: signed in afresh, or given the session kept for them."""
        user = self.users[visitor]
        if user is None:
            return Client()
        if visitor in self.sessions:
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[visitor]
            return client
        return client_for(user)

    def keep_sessions(self) -> None:
        """Sign each visitor in once, now, and give every later client of theirs that session. For a
        world shared by a module whose tests each run in a savepoint of their own: whatever a test's
        requests do to a session (a sign-out, a new key) is undone with the rest of that test."""
        with second_factor_passed():
            for visitor, user in self.users.items():
                if user is not None:
                    self.sessions[visitor] = client_for(user).cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("root", password=PASSWORD)


@pytest.fixture
def world(clinic: Clinic) -> World:
    return build_world(clinic)


# The world's plans are saved without making their printed documents: no test of pages or
# statuses reads them (the prints have tests of their own), and a browser test's live server would
# otherwise render both PDFs of every version in its set-up.
WITHOUT_DOCUMENTS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def build_world(clinic: Clinic) -> World:
    with override_settings(TASKS=WITHOUT_DOCUMENTS):
        return _build_world(clinic)


def _build_world(clinic: Clinic) -> World:
    other = Clinic.objects.create(name="Hillview", market=Market.US)
    users: dict[str, User | None] = {
        "anonymous": None,
        "staff": make_user("staff", "Clinic staff", clinic),
        "prescriber": make_user("prescriber", "Prescriber", clinic),
        "administrator": make_user("administrator", "Administrator", clinic, is_staff=True),
        "no_role": make_user("norole", None, clinic),
        "other_prescriber": make_user("elsewhere", "Prescriber", other),
        # The privacy officer: staff, in no clinic (its own matrix: test_permission_matrix.AUDITOR).
        "auditor": make_user("auditor", "Auditor", None, is_staff=True),
    }
    patient: Patient = make_patient(clinic)
    RegimenItem.objects.create(
        patient=patient, drug=Drug.objects.get(name="lorazepam"), morning_mg=Decimal(1), night_mg=Decimal(2)
    )
    plan = new_plan(users["prescriber"], patient)  # type: ignore[arg-type]
    drug = Drug.objects.get(name="lorazepam")
    # An active plan (check-ins are recorded on active plans) with one check-in.
    followed: Patient = make_patient(clinic, "RHC-2002", family_name="Followed")
    RegimenItem.objects.create(patient=followed, drug=drug, night_mg=Decimal(2))
    active = new_plan(users["prescriber"], followed, activate=True)  # type: ignore[arg-type]
    scale = Scale.objects.get(key=CHECKLIST_KEY)
    checkin = record_checkin(
        users["prescriber"],  # type: ignore[arg-type]
        plan=active,
        lock_version=active.lock_version,
        data=checkin_input(scale, active.current_version.start_date),  # type: ignore[union-attr]
        today=active.current_version.start_date,  # type: ignore[union-attr]
    )
    event = AuditEvent.objects.create(action=Action.SIGN_IN, username="staff")
    objects = {
        "patient": patient.pk,
        "plan": plan.pk,
        "active_plan": active.pk,
        "checkin": checkin.pk,
        "scale": scale.pk,
        "scaleitem": scale.items.first().pk,  # type: ignore[union-attr]
        # The shipped checklist has no bands: one made here for the admin's band pages.
        "scaleband": ScaleBand.objects.create(
            scale=scale, min_score=0, max_score=3, label="Matrix", meaning="Permission matrix only"
        ).pk,
        "drug": drug.pk,
        "drug_type": ContentType.objects.get_for_model(Drug).pk,
        "drug_history": drug.history.latest().pk,
        "formulation": Formulation.objects.filter(drug=drug).first().pk,  # type: ignore[union-attr]
        "equivalencetable": EquivalenceTable.objects.get(key="ashton").pk,
        "equivalence": Equivalence.objects.filter(drug=drug).first().pk,  # type: ignore[union-attr]
        "clinic": clinic.pk,
        "user": users["staff"].pk,  # type: ignore[union-attr]
        "group": Group.objects.get(name="Prescriber").pk,
        "clinicmanager": ClinicManager.objects.create(user=users["prescriber"], clinic=clinic).pk,  # type: ignore[misc]
        "auditevent": event.pk,
        "accessattempt": AccessAttempt.objects.create(
            username="x", ip_address="192.0.2.1", path_info="/accounts/login/", failures_since_start=1
        ).pk,
        "accesslog": AccessLog.objects.create(username="x", ip_address="192.0.2.1").pk,
        "accessfailurelog": AccessFailureLog.objects.create(username="x", ip_address="192.0.2.1").pk,
    }
    models: dict[str, Any] = {
        "formulation": Formulation,
        "equivalencetable": EquivalenceTable,
        "equivalence": Equivalence,
        "clinic": Clinic,
        "scale": Scale,
        "scaleitem": ScaleItem,
        "scaleband": ScaleBand,
    }
    for name, model in models.items():
        instance = model.objects.get(pk=objects[name])
        if not instance.history.exists():
            instance.save()
        objects[f"{name}_history"] = instance.history.latest().pk
    return World(clinic=clinic, users=users, objects=objects)


def _reload_urls() -> None:
    import taperapp.urls

    importlib.reload(taperapp.urls)
    clear_url_caches()


@pytest.fixture
def email_configured(settings: Any) -> Iterator[None]:
    """As with EMAIL_HOST set: the password-reset pages exist."""
    settings.PASSWORD_RESET_ENABLED = True
    _reload_urls()
    yield
    settings.PASSWORD_RESET_ENABLED = False
    _reload_urls()
