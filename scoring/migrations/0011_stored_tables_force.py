"""The stored scores, totals, record counts and area views carry their area's force: the tables
that grow with the records are distributed by force (docs/scale.md, section 4). Each is filled from
the force root above its area (the only root of a deployment of one force), made NOT NULL, and its
unique key and, on PostgreSQL, its primary key hold the force. They are derived tables: the next
recompute rewrites them with the force it computes."""
import django.db.models.deletion
from django.db import migrations, models

from sectors.backfill import force_backfill, primary_key_replace

TABLES = {
    "harmscore": "scoring_harmscore", "totalscore": "scoring_totalscore",
    "recordcount": "scoring_recordcount", "areaview": "scoring_areaview",
}
KEYS = [
    ("harmscore", "one_score_per_cell", ["area", "month", "measure"]),
    ("totalscore", "one_total_per_item_set", ["area", "month", "measures"]),
    ("areaview", "one_area_view", ["area", "start", "end", "kind"]),
]


def fill(apps, schema_editor):
    for table in TABLES.values():
        force_backfill(schema_editor, table=table, area_columns=("area_id",))


def _field(**extra):
    return models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                             related_name="+", to="sectors.area", **extra)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0010_stored_views"),
        ("sectors", "0002_area_records_permission"),
    ]

    operations = [
        *[migrations.AddField(model_name=model, name="force", field=_field(null=True)) for model in TABLES],
        migrations.RunPython(fill, migrations.RunPython.noop),
        *[migrations.AlterField(model_name=model, name="force", field=_field()) for model in TABLES],
        *[operation for model, name, fields in KEYS for operation in (
            migrations.RemoveConstraint(model_name=model, name=name),
            migrations.AddConstraint(model_name=model, constraint=models.UniqueConstraint(
                fields=[*fields, "force"], name=name)),
        )],
        migrations.RunPython(primary_key_replace(list(TABLES.values()), "id, force_id"),
                             primary_key_replace(list(TABLES.values()), "id")),
    ]
