"""Roles decided by permissions alone: each role group holds exactly the bundle below.

The bundles are stated here, not read from the code, so this migration does the same on every
database whenever it runs; a later change to the roles is a new migration like this one.
"""
from django.contrib.auth.management import create_permissions
from django.db import migrations

BUNDLES = {
    "analyst": ["scoring.view_harmscore", "scoring.view_demand", "scoring.change_scoringrun", "records.view_record",
                "nominals.view_nominal", "nominals.view_group", "ingestion.add_upload", "ingestion.view_upload"],
    "officer": ["scoring.view_harmscore"],
    "partner": ["ingestion.add_upload"],
    "governance lead": ["core.view_auditevent"],
    "administrator": [
        "scoring.change_scoringrun",
        "sectors.add_area", "sectors.change_area", "sectors.view_area",
        "scoring.add_measure", "scoring.change_measure", "scoring.view_measure",
        "scoring.view_cssedition", "scoring.change_cssedition",
        "records.view_offencetype", "scoring.view_offenceweight", "scoring.change_offenceweight",
        "core.view_organisation", "core.add_organisation", "core.change_organisation",
        "auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group",
    ],
}


def apply_bundles(apps, schema_editor):
    bundles_apply(apps, BUNDLES)


def bundles_apply(apps, bundles):
    """Give each role group exactly its bundle (a later roles migration calls this with its own)."""
    for app_config in apps.get_app_configs():  # permissions of models new since the last migrate
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, dotted in bundles.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [Permission.objects.get(content_type__app_label=d.split(".")[0], codename=d.split(".")[1])
                  for d in dotted]
        group.permissions.set(wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("portal", "0004_models_move_to_core"),
        ("records", "0001_initial"),
        ("ingestion", "0008_record_moved"),
        ("nominals", "0002_recordnominal_points_at_records"),
        ("scoring", "0008_demand_permission"),
        ("sectors", "0002_area_records_permission"),
    ]
    operations = [migrations.RunPython(apply_bundles, migrations.RunPython.noop)]
