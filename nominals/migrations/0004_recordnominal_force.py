"""Record links carry their record's force: they are distributed by force with the records
(docs/scale.md, section 4). Filled from each link's record (records migration 0005 gave records
theirs), then NOT NULL; the unique key and, on PostgreSQL, the primary key hold it."""
import django.db.models.deletion
from django.db import migrations, models

from sectors.backfill import force_backfill_from_records, primary_key_replace

TABLE = "nominals_recordnominal"


def fill(apps, schema_editor):
    force_backfill_from_records(schema_editor, table=TABLE)


def _field(**extra):
    return models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT,
                             related_name="+", to="sectors.area", **extra)


class Migration(migrations.Migration):
    dependencies = [
        ("nominals", "0003_recordnominal_record_no_db_constraint"),
        ("records", "0005_record_force"),
    ]

    operations = [
        migrations.AddField(model_name="recordnominal", name="force", field=_field(null=True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="recordnominal", name="force", field=_field()),
        migrations.RemoveConstraint(model_name="recordnominal", name="record_nominal_role_unique"),
        migrations.AddConstraint(
            model_name="recordnominal",
            constraint=models.UniqueConstraint(fields=["record", "nominal", "role", "force"],
                                               name="record_nominal_role_force_unique"),
        ),
        migrations.RunPython(primary_key_replace([TABLE], "id, force_id"), primary_key_replace([TABLE], "id")),
    ]
