"""Hand the audit table to a role of its own (PostgreSQL; run once by a database superuser)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection, transaction

from audit.ownership import OwnershipError, owner_statements


class Command(BaseCommand):
    help = (
        "Make OWNER (created NOLOGIN if missing) own the audit table and its guard, and leave APP_ROLE "
        "(the application's database role) SELECT and INSERT on it only. Run with a superuser's DATABASE_URL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--owner", required=True, help="the role that will own the table, e.g. taper_audit"
        )
        parser.add_argument("--app-role", required=True, help="the application's role, e.g. taper")

    def handle(self, *args: Any, owner: str, app_role: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "The audit table's owner is a PostgreSQL set-up; this database is not PostgreSQL."
            )
        try:
            statements = owner_statements(owner=owner, app_role=app_role)
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        except (OwnershipError, DatabaseError) as error:
            raise CommandError(str(error).splitlines()[0]) from None
        self.stdout.write(
            f"The audit table now belongs to {owner}; {app_role} may SELECT and INSERT on it, nothing else."
        )
