"""On PostgreSQL: the audit table owned by a role of its own, which the application cannot become.

Only a table's owner (or a superuser) may TRUNCATE it without the privilege, ALTER it (DISABLE
TRIGGER), drop its triggers or drop it. With the table, its identity sequence and the guard function
owned by a NOLOGIN role, the application's role keeps SELECT and INSERT and nothing else, so the
triggers of migrations 0002 and 0004 cannot be removed by the application's credentials.
"""

from __future__ import annotations

from psycopg import sql

TABLE = "audit_auditevent"
GUARD = "audit_auditevent_append_only"


class OwnershipError(Exception):
    """The set-up cannot be done as asked (e.g. the owner would be the application's own role)."""


def owner_statements(*, owner: str, app_role: str) -> list[sql.Composed]:
    """The statements that hand the audit table to `owner` and leave `app_role` SELECT and INSERT."""
    if owner == app_role:
        raise OwnershipError("The owner must be a role other than the application's.")
    owner_id, app_id, table = sql.Identifier(owner), sql.Identifier(app_role), sql.Identifier(TABLE)
    return [
        sql.SQL(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {name}) THEN "
            "CREATE ROLE {role} NOLOGIN; END IF; END $$"
        ).format(name=sql.Literal(owner), role=owner_id),
        # The application's role must not be able to become the owner.
        sql.SQL("REVOKE {owner} FROM {app}").format(owner=owner_id, app=app_id),
        # Also moves the identity column's sequence, which belongs to the table.
        sql.SQL("ALTER TABLE {table} OWNER TO {owner}").format(table=table, owner=owner_id),
        sql.SQL("ALTER FUNCTION {guard}() OWNER TO {owner}").format(
            guard=sql.Identifier(GUARD), owner=owner_id
        ),
        sql.SQL("REVOKE ALL ON {table} FROM {app}").format(table=table, app=app_id),
        sql.SQL("GRANT SELECT, INSERT ON {table} TO {app}").format(table=table, app=app_id),
    ]
