"""Shared fixtures: a clinic with one user per role, another clinic, and patients in each."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps.registry import Apps
from django.contrib.auth.models import Group, User
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from schedules.models import Clinic, Drug, Market, Patient, RegimenItem

PASSWORD = "correct-horse-battery"
CHROMIUM = Path("/usr/bin/chromium")


def _needs_an_emptied_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and bool(marker.kwargs.get("transaction"))
    names = getattr(item, "fixturenames", ())
    return transactional or "transactional_db" in names or "live_server" in names


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on a transactional database (the browser tests' live server) empty it when they end,
    reference data included: run them after every other test, the browser tests last. Without this,
    pytest groups the tests of Playwright's session-wide browser parameter in the middle of the run,
    and the tests after them find no reference data.

    Within the browser tests, the tours of every page (a minute each at most, the longest tests of
    the suite) go first: started last, one of them would keep a worker busy long after the other
    had finished everything else."""
    browser = Path(__file__).parent / "browser"
    tours = browser / "test_every_page.py"

    def group(item: pytest.Item) -> tuple[int, bool]:
        if browser in Path(item.fspath).parents:
            return 2, Path(item.fspath) != tours
        return 1 if _needs_an_emptied_database(item) else 0, False

    items.sort(key=group)


def restore_migrated_data() -> None:
    """Put back what the migrations made (reference data, scales, roles): a transactional test's
    database is emptied when it ends, and the next such test on the same worker needs them."""
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import ensure_account_roles, ensure_roles
    from followup.models import Scale, ScaleBand, ScaleItem
    from followup.roles import CHECKIN_PERMISSIONS, SCALE_PERMISSIONS, grant
    from followup.scale_data import load_scales
    from schedules.models import Drug, Equivalence, EquivalenceTable, Formulation
    from schedules.reference.data import load_reference_data

    ensure_roles(group_model=Group, permission_model=Permission)
    ensure_account_roles(group_model=Group, permission_model=Permission)
    load_reference_data(
        drug_model=Drug,
        formulation_model=Formulation,
        table_model=EquivalenceTable,
        equivalence_model=Equivalence,
    )
    load_scales(scale_model=Scale, item_model=ScaleItem, band_model=ScaleBand)
    for permissions in (SCALE_PERMISSIONS, CHECKIN_PERMISSIONS):
        grant(group_model=Group, permission_model=Permission, permissions=permissions)


def _audit_truncate_guard(*, enabled: bool) -> None:
    """On PostgreSQL the audit table refuses TRUNCATE (a trigger), and Django empties a
    transactional test's database with TRUNCATE: the guard is lifted for that flush only."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            state = "ENABLE" if enabled else "DISABLE"
            cursor.execute(f"ALTER TABLE audit_auditevent {state} TRIGGER audit_auditevent_no_truncate")


# Each worker's test database as the migrations left it, copied once: on SQLite the whole database
# (SQLite's backup API), on PostgreSQL each table that has rows (COPY, binary).
_MIGRATED: list[sqlite3.Connection] = []
_MIGRATED_TABLES: dict[str, bytes] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: object) -> None:
    """The test database, migrated, and a copy of it as it stands: a transactional test gets it back
    in milliseconds rather than loading the reference data, scales and roles again."""
    from django.db import connection

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            connection.connection.backup(copy)
            _MIGRATED.append(copy)
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in connection.introspection.django_table_names(only_existing=True):
                    cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
                    if cursor.fetchone()[0]:
                        with cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy_out:
                            _MIGRATED_TABLES[table] = b"".join(bytes(block) for block in copy_out)


def migrated_database_file(path: Path) -> bool:
    """Write the migrated test database to a file of its own, for a command run as a separate
    process; False where there is no copy to write, so the caller migrates one."""
    if not _MIGRATED or not _MIGRATED[0].execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        return False  # PostgreSQL, or no test here asked for a database
    with sqlite3.connect(path) as file:
        _MIGRATED[0].backup(file)
    file.close()
    return True


def _put_back_migrated_data() -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    connection.ensure_connection()
    if _MIGRATED and connection.vendor == "sqlite":
        _MIGRATED[0].backup(connection.connection)
    elif _MIGRATED_TABLES and connection.vendor == "postgresql":
        # The flush emptied every table, then Django's post_migrate made the content types and
        # permissions again under new keys: the copied rows replace them (the foreign keys are
        # checked at the commit).
        tables = ", ".join(f'"{table}"' for table in _MIGRATED_TABLES)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables} CASCADE")
            for table, rows in _MIGRATED_TABLES.items():
                with cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy_in:
                    copy_in.write(rows)
    else:
        restore_migrated_data()
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _migrated_data_after_a_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests on a transactional database (the browser tests' live server, a task worker) find the
    migrated data even after an earlier one emptied it."""
    if not _needs_an_emptied_database(request.node):
        yield
        return
    request.getfixturevalue("transactional_db")
    _put_back_migrated_data()
    _audit_truncate_guard(enabled=True)
    yield
    _audit_truncate_guard(enabled=False)


def pytest_report_header() -> str:
    if CHROMIUM.exists():
        return f"browser tests: Debian's Chromium at {CHROMIUM}"
    if os.environ.get("CI"):
        return f"browser tests: {CHROMIUM} is missing, so they FAIL under CI (apt-get install chromium)"
    return f"browser tests: SKIPPED, {CHROMIUM} is not installed (apt-get install chromium)"


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_immediately() -> Iterator[None]:
    """Background tasks (the printed documents) run in the test's process as they are enqueued; the
    database backend and its worker have their own end-to-end test."""
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ):
        yield


def make_user(username: str, role: str | None, clinic: Clinic | None, *, is_staff: bool = False) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=is_staff)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if clinic:
        clinic.members.add(user)
    return user


@pytest.fixture
def clinic(db: None) -> Clinic:
    return Clinic.objects.create(name="Riverside", market=Market.UK)


@pytest.fixture
def other_clinic(db: None) -> Clinic:
    return Clinic.objects.create(name="Hillview", market=Market.US)


@pytest.fixture
def prescriber(clinic: Clinic) -> User:
    return make_user("prescriber", "Prescriber", clinic)


@pytest.fixture
def staff(clinic: Clinic) -> User:
    return make_user("staff", "Clinic staff", clinic)


@pytest.fixture
def administrator(clinic: Clinic) -> User:
    return make_user("administrator", "Administrator", clinic, is_staff=True)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def prescriber_client(prescriber: User) -> Client:
    return client_for(prescriber)


@pytest.fixture
def staff_client(staff: User) -> Client:
    return client_for(staff)


@pytest.fixture
def admin_client_(administrator: User) -> Client:
    return client_for(administrator)


def make_patient(clinic: Clinic, record: str = "R-1", **fields: object) -> Patient:
    values: dict[str, object] = {
        "given_name": "Margaret",
        "family_name": "Ellis",
        "date_of_birth": date(1951, 3, 14),
        "sex": Patient.Sex.FEMALE,
    }
    values.update(fields)
    return Patient.objects.create(clinic=clinic, record_number=record, **values)


@pytest.fixture
def patient(clinic: Clinic) -> Patient:
    patient = make_patient(clinic)
    RegimenItem.objects.create(
        patient=patient,
        drug=Drug.objects.get(name="lorazepam"),
        morning_mg=Decimal(1),
        evening_mg=Decimal(1),
        night_mg=Decimal(2),
    )
    return patient


@pytest.fixture
def foreign_patient(other_clinic: Clinic) -> Patient:
    return make_patient(other_clinic, "H-9", given_name="Ruth", family_name="Calloway")


TEST_DEVICE = "test suite"


def _second_factor_passed(sender: object, request: HttpRequest, user: User, **kwargs: object) -> None:
    """Every sign-in of a test (client.login, client.force_login, the browser's sign-in form) comes
    with its second factor passed, through a device of the suite's own: tests of other things need
    not type codes. Tests of the second factor itself are marked `real_second_factor`."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=TEST_DEVICE, defaults={"confirmed": True})
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id


@contextmanager
def second_factor_passed() -> Iterator[None]:
    """Sign-ins within come with their second factor passed (see `_second_factor_passed`)."""
    user_logged_in.connect(_second_factor_passed, dispatch_uid=TEST_DEVICE)
    try:
        yield
    finally:
        user_logged_in.disconnect(dispatch_uid=TEST_DEVICE)


@pytest.fixture(autouse=True)
def second_factor_passed_at_sign_in(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("real_second_factor"):
        yield
        return
    with second_factor_passed():
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture
def auditor(db: None) -> User:
    """The privacy officer: a staff account in no clinic, with the Auditor role."""
    return make_user("auditor", "Auditor", None, is_staff=True)


@pytest.fixture
def auditor_client(auditor: User) -> Client:
    return client_for(auditor)


@contextmanager
def migrated_back_to(migration: tuple[str, str]) -> Iterator[Apps]:
    """The database migrated back to ``migration``: yields the models as they were then, for a test
    to make rows with, and migrates forward to the latest migrations when the block ends (a data
    migration's test reads the rows it filled afterwards)."""
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([migration])
    yield executor.loader.project_state([migration]).apps
    MigrationExecutor(connection).migrate(latest)
