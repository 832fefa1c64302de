"""Roles as groups with their permissions, and the organisations (force and partners)."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

from portal.roles import PARTNER, ROLE_PERMISSIONS

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
