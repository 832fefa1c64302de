"""Records carry their force (the level-0 root of their geography): the distribution column.

A regional deployment distributes the tables that grow with the records by force (docs/scale.md,
section 4), and every unique key and the primary key of a distributed table must hold the
distribution column. The column is added empty, filled from the force root above the record's areas
(the only root in a deployment of one force: one UPDATE; nothing to do on an empty table), then
made NOT NULL; the natural key becomes (source, external_ref, month, force) and, on PostgreSQL, the
primary key (id, force, month). The force comes after the columns the look-ups lead with, so every
existing plan keeps its index. Django's model state keeps ``id`` as the primary key, as in 0003.
"""
import django.db.models.deletion
from django.db import migrations, models

from sectors.backfill import force_backfill, primary_key_replace

TABLE = "ingestion_record"


def fill(apps, schema_editor):
    force_backfill(schema_editor, table=TABLE, area_columns=("command_id", "sector_id", "area_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0004_grain_statistics_five_columns"),
        ("sectors", "0002_area_records_permission"),
    ]

    operations = [
        migrations.AddField(
            model_name="record", name="force",
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="sectors.area"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="record", name="force",
            field=models.ForeignKey(db_constraint=False, db_index=False,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="sectors.area"),
        ),
        migrations.RemoveConstraint(model_name="record", name="record_unique_per_source_month"),
        migrations.AddConstraint(
            model_name="record",
            constraint=models.UniqueConstraint(fields=["source", "external_ref", "month", "force"],
                                               name="record_unique_per_force_source_month"),
        ),
        migrations.RunPython(primary_key_replace([TABLE], "id, force_id, month"),
                             primary_key_replace([TABLE], "id, month")),
    ]
