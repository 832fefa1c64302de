"""Administrators gain the API token permissions: they make and revoke tokens in the admin.

The bundles are stated here, not read from the code (see core migration 0002).
"""
import importlib

from django.db import migrations

roles_0002 = importlib.import_module("core.migrations.0002_roles_checked_by_permission")

BUNDLES = {'analyst': ['scoring.view_harmscore',
             'scoring.view_demand',
             'scoring.change_scoringrun',
             'records.view_record',
             'nominals.view_nominal',
             'nominals.view_group',
             'ingestion.add_upload',
             'ingestion.view_upload',
             'tasking.view_activity',
             'tasking.add_activity',
             'tasking.view_taskingpack',
             'tasking.add_taskingpack',
             'tasking.export_taskingpack',
             'tasking.change_action',
             'tasking.view_impact'],
 'officer': ['scoring.view_harmscore', 'tasking.view_activity', 'tasking.view_taskingpack'],
 'partner': ['ingestion.add_upload'],
 'governance lead': ['core.view_auditevent',
                     'tasking.view_activity',
                     'tasking.view_taskingpack',
                     'tasking.export_taskingpack',
                     'tasking.view_impact'],
 'administrator': ['scoring.change_scoringrun',
                   'sectors.add_area',
                   'sectors.change_area',
                   'sectors.view_area',
                   'scoring.add_measure',
                   'scoring.change_measure',
                   'scoring.view_measure',
                   'scoring.view_cssedition',
                   'scoring.change_cssedition',
                   'records.view_offencetype',
                   'scoring.view_offenceweight',
                   'scoring.change_offenceweight',
                   'core.view_organisation',
                   'core.add_organisation',
                   'core.change_organisation',
                   'auth.view_user',
                   'auth.add_user',
                   'auth.change_user',
                   'auth.view_group',
                   'api.view_apitoken',
                   'api.add_apitoken',
                   'api.change_apitoken']}


def apply_bundles(apps, schema_editor):
    roles_0002.bundles_apply(apps, BUNDLES)


class Migration(migrations.Migration):
    dependencies = [
        ("tasking", "0002_role_bundles"),
        ("api", "0001_initial"),
    ]
    operations = [migrations.RunPython(apply_bundles, migrations.RunPython.noop)]
