"""The activities upload kind, given to Trading Standards (the force uploads every kind already)."""

from django.db import migrations, models


PARTNERS = ["tradingstandards"]


def forwards(apps, schema_editor):
    Organisation = apps.get_model("core", "Organisation")
    for organisation in Organisation.objects.filter(code__in=PARTNERS):
        if "activities" not in organisation.upload_kinds:
            organisation.upload_kinds = [*organisation.upload_kinds, "activities"]
            organisation.save(update_fields=["upload_kinds"])


def backwards(apps, schema_editor):
    Organisation = apps.get_model("core", "Organisation")
    for organisation in Organisation.objects.filter(code__in=PARTNERS):
        organisation.upload_kinds = [k for k in organisation.upload_kinds if k != "activities"]
        organisation.save(update_fields=["upload_kinds"])


class Migration(migrations.Migration):

    dependencies = [
        ('ingestion', '0008_record_moved'),
        ('core', '0003_audit_chain'),
    ]

    operations = [
        migrations.AlterField(
            model_name='upload',
            name='kind',
            field=models.CharField(choices=[('policeuk', 'data.police.uk street-level crimes'), ('crimes', 'force crime extract'), ('nominals', 'nominals'), ('groups', 'groups'), ('memberships', 'group memberships'), ('priority', 'priority-individual status'), ('referrals', 'diversion referrals'), ('drug_deaths', 'Coroner: drug-related deaths'), ('crimestoppers', 'Crimestoppers intelligence reports'), ('trading_standards', 'Trading Standards records'), ('firearms_intel', 'firearms intelligence reports'), ('boundaries', 'area boundaries (GeoJSON)'), ('activities', 'police and partner activities')], max_length=20),
        ),
        migrations.RunPython(forwards, backwards),
    ]
