"""On PostgreSQL the database refuses TRUNCATE on the audit table too (UPDATE and DELETE: 0002).

A trigger binds whoever owns the table only as long as they do not drop or disable it, and the owner
can. So in production the table belongs to a role of its own that the application cannot become:

    manage.py protect_audit_table --owner taper_audit --app-role taper

run once, after `migrate`, with a DATABASE_URL of a database superuser (or of a role that owns the
table and is a member of both roles). It creates the owner role (NOLOGIN) if missing, gives it the
table, its sequence and the guard function, and leaves the application's role SELECT and INSERT
only: that role can then no longer TRUNCATE, ALTER (DISABLE TRIGGER), DROP TRIGGER or DROP TABLE.
Later migrations that change the audit table are run the same way, by the superuser (see README,
"The audit table's owner").
"""

from django.db import migrations

CREATE = """
CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only();
"""

DROP = "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_administration")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
