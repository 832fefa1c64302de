"""Narrower extended statistics for the recompute's grain (PostgreSQL only).

The statistics of 0002 (made on the partitioned parent by 0003) covered eight columns, flags included: ndistinct and dependencies are
built for every combination of them (247), and ANALYZE of a million records took 38 to 46 s
instead of half a second; autovacuum runs it after every large upload. The recompute now groups
the plain records (no flag, no link) by five columns (scoring.sql.record_grain_create), so
ndistinct on those five and the dependencies between the three area keys give its estimate;
ANALYZE takes about 1.3 s.
"""
from django.db import migrations

OLD = "ingestion_record_grain_stats"
OLD_COLUMNS = "area_id, sector_id, command_id, month, kind, drug_supply, cannabis_farm, firearms_discharge"
GROUPS = "ingestion_record_grain_groups"
AREAS = "ingestion_record_area_keys"


def narrow(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {OLD}")
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {GROUPS} (ndistinct) "
                              "ON area_id, sector_id, command_id, month, kind FROM ingestion_record")
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {AREAS} (dependencies) "
                              "ON area_id, sector_id, command_id FROM ingestion_record")


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {GROUPS}")
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {AREAS}")
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {OLD} (ndistinct, dependencies) "
                              f"ON {OLD_COLUMNS} FROM ingestion_record")


class Migration(migrations.Migration):
    dependencies = [("records", "0003_record_partitioned_by_month")]
    operations = [migrations.RunPython(narrow, widen)]
