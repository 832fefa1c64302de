"""An upload names its force (the level-0 root area its rows belong to): docs/scale.md, section 4.

Existing uploads are filled from the deployment's only force root (nothing to do on an empty
database). With several roots, an upload that wrote records takes its records' force; one that
wrote none (a register, a rejected file) names none, since nothing says which force it was for.
"""
import django.db.models.deletion
from django.db import migrations, models

FORCE_LEVEL = 0


def fill(apps, schema_editor):
    Upload = apps.get_model("ingestion", "Upload")
    Area = apps.get_model("sectors", "Area")
    if not Upload.objects.filter(force__isnull=True).exists():
        return
    roots = list(Area.objects.filter(level=FORCE_LEVEL, parent__isnull=True).values_list("pk", flat=True)[:2])
    if len(roots) == 1:
        Upload.objects.filter(force__isnull=True).update(force_id=roots[0])
        return
    with schema_editor.connection.cursor() as cursor:
        # One pass over the records (their upload has no index), not one per upload.
        cursor.execute("SELECT upload_id, MIN(force_id) FROM ingestion_record WHERE upload_id IS NOT NULL "
                       "GROUP BY upload_id")
        by_force = {}
        for upload_id, force_id in cursor.fetchall():
            by_force.setdefault(force_id, []).append(upload_id)
    for force_id, upload_ids in by_force.items():
        for start in range(0, len(upload_ids), 5000):
            Upload.objects.filter(pk__in=upload_ids[start:start + 5000], force__isnull=True).update(force_id=force_id)


class Migration(migrations.Migration):
    dependencies = [
        ("ingestion", "0009_upload_kind_activities"),
        ("records", "0005_record_force"),
        ("sectors", "0002_area_records_permission"),
    ]

    operations = [
        migrations.AddField(
            model_name="upload", name="force",
            field=models.ForeignKey(blank=True, limit_choices_to={"level": 0}, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="sectors.area"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
