"""Roles as groups with their permissions, and the organisations (force and partners)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

# The roles as they were first defined, frozen here: later changes are applied by
# core.roles.roles_sync after every migrate, not by editing this migration.
PARTNER = "partner"
ROLE_PERMISSIONS = {
    "analyst": ["ingestion.view_record", "ingestion.add_upload", "ingestion.view_upload", "nominals.view_nominal",
                "nominals.view_group", "scoring.view_harmscore", "scoring.view_measure", "sectors.view_area"],
    "officer": ["scoring.view_harmscore", "scoring.view_measure", "sectors.view_area"],
    "partner": ["ingestion.add_upload"],
    "governance lead": ["portal.view_auditevent"],
    "administrator": [
        "sectors.add_area", "sectors.change_area", "sectors.view_area", "scoring.add_measure",
        "scoring.change_measure", "scoring.view_measure", "scoring.view_cssedition", "scoring.change_cssedition",
        "scoring.view_offencetype", "scoring.view_offenceweight", "portal.view_organisation",
        "portal.add_organisation", "portal.change_organisation", "auth.view_user", "auth.add_user",
        "auth.change_user", "auth.view_group",
    ],
}

ORGANISATIONS = [
    # code, name, kind, upload kinds
    ("force", "Northumbria Police", "force", ["*"]),
    ("coroner", "Coroner's office", "partner", ["drug_deaths"]),
    ("crimestoppers", "Crimestoppers", "partner", ["crimestoppers"]),
    ("tradingstandards", "Trading Standards", "partner", ["trading_standards"]),
]


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Organisation = apps.get_model("portal", "Organisation")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for dotted in perms:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    for code, name, kind, upload_kinds in ORGANISATIONS:
        group = None
        if kind == "partner":
            group, _ = Group.objects.get_or_create(name=f"{PARTNER}: {name}")
        Organisation.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "group": group, "upload_kinds": upload_kinds}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sectors", "0001_initial"),
        ("scoring", "0001_initial"),
        ("nominals", "0001_initial"),
        ("ingestion", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
