"""Extended planner statistics on what the recompute's grain groups records by (PostgreSQL only).

A record's sector and command follow from its neighbourhood, and its flags are rare: without
these statistics the planner multiplies the columns' distinct counts, expects about as many
groups as records, and sorts where a hash aggregate of a few tens of thousands of groups fits in
memory. SQLite has no extended statistics: nothing to do there.
"""
from django.db import migrations

NAME = "ingestion_record_grain_stats"
COLUMNS = "area_id, sector_id, command_id, month, kind, drug_supply, cannabis_farm, firearms_discharge"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {NAME} (ndistinct, dependencies) "
                              f"ON {COLUMNS} FROM ingestion_record")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
