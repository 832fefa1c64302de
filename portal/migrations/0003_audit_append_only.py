"""The audit trail refuses UPDATE and DELETE at the database, on PostgreSQL and SQLite.

TRUNCATE is left to the table's owner: in production the portal connects as a
role that does not own its tables (see README, "Audit trail").
"""
from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION portal_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_auditevent_no_update BEFORE UPDATE OR DELETE ON portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION portal_auditevent_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS portal_auditevent_no_update ON portal_auditevent;
DROP FUNCTION IF EXISTS portal_auditevent_append_only();
"""
SQLITE_UP = [
    "CREATE TRIGGER portal_auditevent_no_update BEFORE UPDATE ON portal_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
    "CREATE TRIGGER portal_auditevent_no_delete BEFORE DELETE ON portal_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS portal_auditevent_no_update;", "DROP TRIGGER IF EXISTS portal_auditevent_no_delete;"]


def forwards(apps, schema_editor):
    statements = [PG_UP] if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = [PG_DOWN] if schema_editor.connection.vendor == "postgresql" else SQLITE_DOWN
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
