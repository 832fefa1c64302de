"""PostgreSQL: the records' unique key holds the reference in a compact exact form (records.keys).

The (source, external_ref, month, force) constraint becomes a unique index of the same name on
(source, <the reference's key>, month, force): a lowercase 64-hex reference as a tag byte and the 32
bytes it decodes to, any other as a tag byte and its own bytes. The index is built on every month's
partition (and cascades to those made later). SQLite and Django's model state keep the plain
constraint: the state says which columns are unique, which the expression keeps exactly.
"""
from django.db import migrations

TABLE = "ingestion_record"
NAME = "record_unique_per_force_source_month"
# records.keys.reference_key as of this migration (ON CONFLICT and every join must write the same).
KEY = ("(CASE WHEN octet_length(external_ref) = 64 AND external_ref !~ '[^0-9a-f]' THEN '\\x01'::bytea || "
       "decode(external_ref, 'hex') ELSE '\\x00'::bytea || decode(replace(external_ref, '\\', '\\\\'), 'escape') END)")


def compact(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {NAME}")
        schema_editor.execute(f"CREATE UNIQUE INDEX {NAME} ON {TABLE} (source, {KEY}, month, force_id)")


def plain(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX {NAME}")
        schema_editor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {NAME} UNIQUE (source, external_ref, month, force_id)")


class Migration(migrations.Migration):
    dependencies = [("records", "0005_record_force")]

    operations = [migrations.RunPython(compact, plain)]
