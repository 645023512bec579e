"""Issue 16 item 5: on PostgreSQL the audit table refuses TRUNCATE (a trigger, whoever asks), and once
it belongs to a role of its own the application's role cannot truncate it, disable or drop its
triggers, or drop it; it still reads and appends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.models import Action, AuditEvent

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL roles and triggers"),
]

APP_ROLE = "taper_app_under_test"
OWNER = "taper_audit_under_test"


def test_truncate_is_refused_by_a_trigger_even_for_a_superuser() -> None:
    AuditEvent.objects.create(action=Action.SIGN_IN, username="x")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks in the way
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.count() == 1


@pytest.fixture
def as_the_application() -> Iterator[None]:
    """As deployed before: the application's role migrated, so it owns the table and its guard. The
    command hands them to their own role; then this connection acts as the application's role (all
    inside the test's transaction, so it is undone afterwards)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
        cursor.execute(f"GRANT SELECT ON auth_user, schedules_patient TO {APP_ROLE}")
        cursor.execute(f"ALTER TABLE audit_auditevent OWNER TO {APP_ROLE}")
        cursor.execute(f"ALTER FUNCTION audit_auditevent_append_only() OWNER TO {APP_ROLE}")
    call_command("protect_audit_table", owner=OWNER, app_role=APP_ROLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {APP_ROLE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE audit_auditevent",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER USER",
        "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
        "DROP TRIGGER audit_auditevent_no_truncate ON audit_auditevent",
        "DROP TABLE audit_auditevent",
        "DROP FUNCTION audit_auditevent_append_only() CASCADE",
        f"ALTER TABLE audit_auditevent OWNER TO {APP_ROLE}",
        "DELETE FROM audit_auditevent",
        "UPDATE audit_auditevent SET detail = 'x'",
    ],
)
def test_the_applications_role_cannot_remove_the_guard_or_the_rows(
    as_the_application: None, statement: str
) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_the_applications_role_still_reads_and_appends(as_the_application: None) -> None:
    event = AuditEvent.objects.create(action=Action.SIGN_IN, username="still-recorded")
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [APP_ROLE, OWNER])
        assert cursor.fetchone() == (False,)  # it cannot become the owner either


def test_the_owner_cannot_be_the_applications_role() -> None:
    with pytest.raises(CommandError, match="other than the application's"):
        call_command("protect_audit_table", owner=APP_ROLE, app_role=APP_ROLE)
